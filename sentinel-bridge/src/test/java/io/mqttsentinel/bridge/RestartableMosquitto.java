package io.mqttsentinel.bridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.Services;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * A Mosquitto (the customer's origin, or the core broker's stand-in) that can be stopped and started again
 * on the same ports with its state kept on disk (persistence on), so that sessions and queued messages
 * survive a restart, as they do at a real origin. The testkit's MosquittoProcess picks new ports on every
 * start, hence this.
 */
final class RestartableMosquitto implements AutoCloseable {
    private static final int START_TRIES = 3;

    private final Path dir;
    private final int plainPort;
    private final int wsPort;
    private final TestCertificates.Issued tls;
    private final String binary;
    private Process process;

    private RestartableMosquitto(Path dir, TestCertificates.Issued tls) {
        this.binary = Services.assumeBinary("mosquitto");
        this.dir = dir;
        this.plainPort = FreePorts.next();
        this.wsPort = FreePorts.next();
        this.tls = tls;
    }

    static RestartableMosquitto start(Path dir) {
        return start(dir, null);
    }

    /**
     * Starts on free ports; when another process takes one of them between the choice and the bind
     * (the machine is shared), tries again on new ports.
     */
    static RestartableMosquitto start(Path dir, TestCertificates.Issued tls) {
        UncheckedIOException last = null;
        for (int i = 0; i < START_TRIES; i++) {
            RestartableMosquitto b = new RestartableMosquitto(dir, tls);
            try {
                b.restart();
                return b;
            } catch (UncheckedIOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Starts the broker again on the same ports (after {@link #stop()}). */
    void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("origin is running");
        }
        // as root Mosquitto switches to user 'mosquitto', who may not read a private temp dir (key, log,
        // persistence); 'user root' keeps the test's own user and has no effect when not run as root
        StringBuilder conf = new StringBuilder()
                .append("user root\n")
                .append("persistence true\n")
                .append("persistence_location ").append(dir).append("/\n")
                .append("allow_anonymous true\n")
                .append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
                .append("log_type error\nlog_type warning\nlog_type notice\n")
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
                // polling a child process's readiness, not a timing assumption about the code under test
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

    int plainPort() {
        return plainPort;
    }

    int webSocketPort() {
        return wsPort;
    }

    /** Stops the broker (SIGTERM: Mosquitto writes its state to disk; SIGKILL after 5 s). */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
