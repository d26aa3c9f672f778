package io.mqttsentinel.bench.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpServer;

import io.mqttsentinel.testkit.TestCertificates;
import io.mqttsentinel.proxy.tls.SelfSignedCertificates;

/** What the proxy benchmarks share: a private Mosquitto, a local HTTP auth endpoint, a self-signed pair. */
final class BenchSetup {
    private BenchSetup() {
    }

    /** A Mosquitto child process on a free 127.0.0.1 port. */
    static final class Broker implements AutoCloseable {
        final Process process;
        final int port;

        Broker(Path dir) throws IOException {
            this.port = freePort();
            String conf = "user root\npersistence false\nallow_anonymous true\nmax_inflight_messages 0\n"
                    + "max_queued_messages 100000\n"
                    + "log_dest file " + dir.resolve("mosquitto.log") + "\nlog_type error\n"
                    + "listener " + port + " 127.0.0.1\n";
            Path file = dir.resolve("mosquitto.conf");
            Files.writeString(file, conf, StandardCharsets.UTF_8);
            String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
            process = new ProcessBuilder(binary, "-c", file.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!accepts(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IOException("mosquitto did not start on " + port);
                }
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An HTTP auth endpoint that allows everyone, answering from a small thread pool. */
    static final class AuthServer implements AutoCloseable {
        final HttpServer server;
        final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-auth");
            t.setDaemon(true);
            return t;
        });

        AuthServer() throws IOException {
            // without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
            // 40 ms per call on Linux, whatever the proxy does
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
            byte[] allow = "{\"result\":\"allow\"}".getBytes(StandardCharsets.UTF_8);
            server.createContext("/auth", ex -> {
                try (InputStream in = ex.getRequestBody()) {
                    in.readAllBytes();
                }
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, allow.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(allow);
                }
            });
            server.setExecutor(pool);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/auth");
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    /** @return cert and key paths of a new self-signed pair for 127.0.0.1 */
    static Path[] selfSigned(Path dir) {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificates.generate(cert, key, "localhost");
        return new Path[] {cert, key};
    }

    /** @return a client TLS context that trusts exactly {@code cert} */
    static SSLContext trusting(Path cert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trustFactory(cert).getTrustManagers(), new SecureRandom());
        return ctx;
    }

    static TrustManagerFactory trustFactory(Path cert) {
        return TestCertificates.trustManagerFactory(cert);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
