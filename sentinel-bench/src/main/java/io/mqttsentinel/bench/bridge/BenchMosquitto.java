package io.mqttsentinel.bench.bridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Mosquitto for a benchmark: a plain MQTT listener and a WebSocket listener on free 127.0.0.1 ports,
 * started as a child process and stopped (and its directory removed) by {@link #close()}.
 */
final class BenchMosquitto implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int plainPort;
    private final int wsPort;

    private BenchMosquitto(Process process, Path dir, int plainPort, int wsPort) {
        this.process = process;
        this.dir = dir;
        this.plainPort = plainPort;
        this.wsPort = wsPort;
    }

    static BenchMosquitto start(String name) throws IOException {
        Path dir = Files.createTempDirectory("bench-mosquitto-" + name);
        int plain = freePort();
        int ws = freePort();
        String conf = "user root\n" // as root Mosquitto would switch to a user who cannot read the temp dir
                + "persistence false\n"
                + "allow_anonymous true\n"
                + "log_dest file " + dir.resolve("mosquitto.log") + "\n"
                + "log_type error\nlog_type warning\n"
                + "listener " + plain + " 127.0.0.1\n"
                + "listener " + ws + " 127.0.0.1\n"
                + "protocol websockets\n";
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        Process p = new ProcessBuilder(binary, "-c", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.out").toFile())
                .start();
        BenchMosquitto m = new BenchMosquitto(p, dir, plain, ws);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(accepts(plain) && accepts(ws))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                m.close();
                throw new IOException("mosquitto did not start on " + plain + "/" + ws);
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

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    int plainPort() {
        return plainPort;
    }

    int webSocketPort() {
        return wsPort;
    }

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
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
