package io.mqttsentinel.proxy.auth;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.auth.AuthCalloutContract;
import org.junit.jupiter.api.AfterEach;

/** Against a real HTTP endpoint on 127.0.0.1 that judges the password in the request body. */
class HttpAuthCalloutContractTest extends AuthCalloutContract {
    private static final String RIGHT = "right-pw";

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "contract-auth-endpoint");
        t.setDaemon(true);
        return t;
    });
    private volatile Authority state = Authority.UP;
    private volatile CountDownLatch silence = new CountDownLatch(0);
    private HttpServer server;

    @Override
    protected AuthCallout newCallout() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/auth", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (state == Authority.SILENT) {
                    silence.await(60, TimeUnit.SECONDS);
                }
                int status = state == Authority.DOWN ? 503 : 200;
                String answer = body.contains("\"password\":\"" + RIGHT + "\"") ? "{\"result\":\"allow\"}" : "{\"result\":\"deny\"}";
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (IOException | InterruptedException e) {
                // the callout gave up first
            } finally {
                ex.close();
            }
        });
        server.setExecutor(executor);
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/auth");
        return HttpAuthCallout.builder(uri).timeout(Duration.ofSeconds(2))
                .circuitBreaker(5, Duration.ofMillis(200)).build();
    }

    @Override
    protected void authority(Authority next) {
        if (next == Authority.SILENT) {
            silence = new CountDownLatch(1);
        }
        state = next;
        if (next != Authority.SILENT) {
            silence.countDown();
        }
    }

    @AfterEach
    void stopEndpoint() {
        silence.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private static ConnectRequest request(String password) {
        return ConnectRequest.of("dev-1", "user-1", password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 40000), null);
    }

    @Override
    protected ConnectRequest allowedRequest() {
        return request(RIGHT);
    }

    @Override
    protected ConnectRequest deniedRequest() {
        return request("wrong-pw");
    }
}
