package io.mqttsentinel.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.store.kafka.KafkaMessageLog;

/**
 * A core broker in a child JVM, so that a test can kill it with SIGKILL ({@code kill -9}) as a crash
 * would, and start another on the same log. The child runs {@link #main}: it opens the log, starts the
 * broker on an ephemeral port, prints {@code PORT <n>} and runs until killed or until its stdin closes.
 */
final class BrokerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @param logArgs {@code file <dir>} or {@code kafka <bootstrap> <topic> [node id]}
     * @return the started child, once it listens
     * @throws IOException when it cannot be started or does not report its port
     */
    static BrokerProcess start(String... logArgs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                BrokerProcess.class.getName()));
        cmd.addAll(List.of(logArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                int port = Integer.parseInt(line.substring(5).trim());
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // the child's log: read so that it never blocks on a full pipe
                        }
                    } catch (IOException ignored) {
                        // the child died
                    }
                }, "broker-child-output");
                drain.setDaemon(true);
                drain.start();
                return new BrokerProcess(p, port);
            }
        }
        p.destroyForcibly();
        throw new IOException("the broker child exited without reporting its port (exit " + waitFor(p) + ")");
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    int port() {
        return port;
    }

    /** SIGKILL: no checkpoint, no flush, no close. */
    void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill9();
    }

    /**
     * @param args {@code file <dir>} or {@code kafka <bootstrap> <topic>}
     * @throws Exception when the broker cannot start
     */
    public static void main(String[] args) throws Exception {
        MessageLog log = switch (args[0]) {
            case "file" -> SegmentedFileLog.builder(Path.of(args[1])).fsyncPolicy(FsyncPolicy.ALWAYS).open();
            case "kafka" -> KafkaMessageLog.builder(args[1]).topic(args[2]).requestTimeout(Duration.ofSeconds(30))
                    .clientProperty("fetch.max.wait.ms", 20).build();
            default -> throw new IllegalArgumentException("file <dir> | kafka <bootstrap> <topic> [node id]");
        };
        SentinelBroker.Builder b = SentinelBroker.builder().port(0).messageLog(log);
        if (args.length > 3) {
            b.nodeId(args[3]);
        }
        SentinelBroker broker = b.build().start();
        System.out.println("PORT " + broker.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // run until the parent goes away
        }
        broker.close();
        log.close();
    }
}
