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
 * <p>Mosquitto refuses to start with a WebSocket listener alone, hence the plain one (see NOTES.md).
 * Callers first check {@link Services#assumeBinary(String)} — {@link #start} does it for them.
 */
public final class MosquittoProcess implements AutoCloseable {
    private final Process process;
    private final int plainPort;
    private final int wsPort;
    private final Path dir;

    private MosquittoProcess(Process process, int plainPort, int wsPort, Path dir) {
        this.process = process;
        this.plainPort = plainPort;
        this.wsPort = wsPort;
        this.dir = dir;
    }

    /**
     * Starts Mosquitto with a plain listener and a plain WebSocket listener.
     *
     * @param dir a directory for the configuration and log
     * @return the running broker
     */
    public static MosquittoProcess start(Path dir) {
        return start(dir, null);
    }

    /**
     * Starts Mosquitto with a plain listener and a WebSocket listener that speaks TLS (WSS) when
     * {@code tls} is given.
     *
     * @param dir a directory for the configuration and log
     * @param tls the server certificate and key for WSS, or {@code null} for plain WebSocket
     * @return the running broker
     */
    public static MosquittoProcess start(Path dir, TestCertificates.Issued tls) {
        String binary = Services.assumeBinary("mosquitto");
        int plain = FreePorts.next();
        int ws = FreePorts.next();
        StringBuilder conf = new StringBuilder()
                .append("persistence false\n")
                .append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
                .append("log_type error\nlog_type warning\nlog_type notice\n")
                .append("listener ").append(plain).append(" 127.0.0.1\n")
                .append("allow_anonymous true\n")
                .append("listener ").append(ws).append(" 127.0.0.1\n")
                .append("protocol websockets\n");
        if (tls != null) {
            conf.append("certfile ").append(tls.certFile()).append('\n')
                    .append("keyfile ").append(tls.keyFile()).append('\n');
        }
        try {
            Path file = dir.resolve("mosquitto.conf");
            Files.writeString(file, conf.toString(), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(binary, "-c", file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.out").toFile())
                    .start();
            MosquittoProcess m = new MosquittoProcess(p, plain, ws, dir);
            m.awaitListening(Duration.ofSeconds(10));
            return m;
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
            if (accepts(plainPort) && accepts(wsPort)) {
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
        close();
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
        return process.isAlive();
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
