package io.mqttsentinel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A private Mosquitto broker for one test: a plain MQTT listener on 127.0.0.1 and a WebSocket listener
 * (optionally WSS), both on free ports, started as a child process and stopped by {@link #close()}.
 *
 * <p>It can be {@linkplain #stop() stopped} and {@linkplain #restart() started again} on the same ports with
 * its state kept on disk (persistence on), so that sessions and queued messages survive a restart as they
 * do at a real origin. Mosquitto refuses to start with a WebSocket listener alone, hence the plain one (see
 * NOTES.md). {@link #start} checks {@link Services#assumeBinary(String)} first.
 */
public final class MosquittoProcess implements AutoCloseable {
    /** Tries with new ports: another process on this machine may take a port between our check and Mosquitto's bind. */
    private static final int START_TRIES = 6;

    private final String binary;
    private final Path dir;
    private final TestCertificates.Issued tls;
    private final String extraConfig;
    private final int plainPort;
    private final int wsPort;
    private Process process;
    private boolean deleteOnClose;

    private MosquittoProcess(String binary, Path dir, TestCertificates.Issued tls, String extraConfig) {
        this.binary = binary;
        this.dir = dir;
        this.tls = tls;
        this.extraConfig = extraConfig;
        this.plainPort = FreePorts.next();
        this.wsPort = FreePorts.next();
    }

    /**
     * Starts Mosquitto with a plain listener and a plain WebSocket listener.
     *
     * @param dir a directory for the configuration, the log and the persistence file
     * @return the running broker
     */
    public static MosquittoProcess start(Path dir) {
        return start(dir, null);
    }

    /**
     * Starts Mosquitto with a plain listener and a WebSocket listener that speaks TLS (WSS) when
     * {@code tls} is given. When another process takes one of the chosen free ports before Mosquitto binds
     * it (the machine is shared), it tries again on new ports.
     *
     * @param dir a directory for the configuration, the log and the persistence file
     * @param tls the server certificate and key for WSS, or {@code null} for plain WebSocket
     * @return the running broker
     */
    public static MosquittoProcess start(Path dir, TestCertificates.Issued tls) {
        return start(dir, tls, "");
    }

    /**
     * Like {@link #start(Path, TestCertificates.Issued)}, with global settings of the test's own, e.g.
     * {@code "max_packet_size 2000\n"}.
     *
     * @param dir         a directory for the configuration, the log and the persistence file
     * @param tls         the server certificate and key for WSS, or {@code null} for plain WebSocket
     * @param extraConfig configuration lines written before the listeners
     * @return the running broker
     */
    public static MosquittoProcess start(Path dir, TestCertificates.Issued tls, String extraConfig) {
        String binary = Services.assumeBinary("mosquitto");
        UncheckedIOException last = null;
        for (int i = 0; i < START_TRIES; i++) {
            MosquittoProcess m = new MosquittoProcess(binary, dir, tls, extraConfig);
            try {
                m.restart();
                return m;
            } catch (UncheckedIOException e) {
                last = e;
                // a burst of binds elsewhere (a parallel build) passes: wait a little, longer each time
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                        50L * (i + 1) + java.util.concurrent.ThreadLocalRandom.current().nextInt(50)));
            }
        }
        throw last;
    }

    /**
     * Starts Mosquitto (plain and WebSocket listeners) in a new temporary directory that {@link #close()}
     * deletes: for benchmarks and programs that have no test framework to clean up after them.
     *
     * @param name a short name for the directory, e.g. "origin"
     * @return the running broker
     */
    public static MosquittoProcess startTemporary(String name) {
        try {
            MosquittoProcess m = start(Files.createTempDirectory("mosquitto-" + name + "-"));
            m.deleteOnClose = true;
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the broker again on the same ports, with the state it wrote when it was {@linkplain #stop() stopped}. */
    public void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("mosquitto is running");
        }
        // as root, Mosquitto switches to user 'mosquitto', who cannot read a private temp dir (key, log,
        // persistence); 'user root' keeps the test's own user and has no effect for other users
        StringBuilder conf = new StringBuilder()
                .append("user root\n")
                .append("persistence true\n")
                .append("persistence_location ").append(dir).append("/\n")
                .append("allow_anonymous true\n")
                .append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
                .append("log_type error\nlog_type warning\nlog_type notice\n")
                .append(extraConfig)
                .append("listener ").append(plainPort).append(" 127.0.0.1\n")
                .append("listener ").append(wsPort).append(" 127.0.0.1\n")
                .append("protocol websockets\n");
        if (tls != null) {
            conf.append("certfile ").append(tls.certFile()).append('\n')
                    .append("keyfile ").append(tls.keyFile()).append('\n');
        }
        try {
            Path file = dir.resolve("mosquitto.conf");
            Files.writeString(file, conf.toString(), StandardCharsets.UTF_8);
            process = new ProcessBuilder(binary, "-c", file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                    .start();
            awaitListening(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ": " + output());
            }
            if (accepts(plainPort) && accepts(wsPort) && process.isAlive()) {
                return;
            }
            try {
                // polling a child process's readiness; not a timing assumption of the code under test
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        stop();
        throw new IOException("mosquitto did not listen on " + plainPort + "/" + wsPort + " within " + timeout + ": " + output());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String output() {
        try {
            Path out = dir.resolve("mosquitto.out");
            Path log = dir.resolve("mosquitto.log");
            return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** @return the plain MQTT port on 127.0.0.1 */
    public int plainPort() {
        return plainPort;
    }

    /** @return the WebSocket (or WSS) port on 127.0.0.1 */
    public int webSocketPort() {
        return wsPort;
    }

    /** @return {@code true} while the process runs */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Stops the broker (SIGTERM: Mosquitto writes its state to disk; SIGKILL after 5 s).
     *
     * @return {@code true} when it exited on SIGTERM within 5 s (or was not running), so its state was saved;
     *         {@code false} when it had to be killed and what it held in memory is gone
     */
    public boolean stop() {
        if (process == null || !process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return true;
            }
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Stops the broker (see {@link #stop()}) and deletes a {@linkplain #startTemporary temporary} directory. */
    @Override
    public void close() {
        stop();
        if (deleteOnClose) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
