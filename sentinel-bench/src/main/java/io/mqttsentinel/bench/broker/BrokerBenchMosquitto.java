package io.mqttsentinel.bench.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private Mosquitto (no persistence, plain listener on a free 127.0.0.1 port) as the reference broker
 * of the fan-out load; a child process stopped and removed by {@link #close()}.
 */
final class BrokerBenchMosquitto implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private BrokerBenchMosquitto(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static BrokerBenchMosquitto start() throws IOException {
        Path dir = Files.createTempDirectory("bench-broker-mosquitto");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String conf = "user root\n"
                + "persistence false\n"
                + "allow_anonymous true\n"
                + "max_queued_messages 1000\n"
                + "log_dest file " + dir.resolve("mosquitto.log") + "\n"
                + "log_type error\nlog_type warning\n"
                + "listener " + port + " 127.0.0.1\n";
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        Process p = new ProcessBuilder(binary, "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        BrokerBenchMosquitto m = new BrokerBenchMosquitto(p, dir, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                m.close();
                throw new IOException("mosquitto did not start on port " + port);
            }
            try {
                p.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return m;
    }

    int port() {
        return port;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            FanOutLoad.deleteTree(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
