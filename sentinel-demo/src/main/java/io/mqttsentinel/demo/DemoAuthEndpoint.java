package io.mqttsentinel.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The demo's stand-in for the customer's auth endpoint (the service in front of PerconaDB that the proxy's
 * auth callout asks on every CONNECT that its cache does not answer), in the same JVM: the JDK's HTTP server on
 * an ephemeral port of 127.0.0.1, speaking the protocol of {@code HttpAuthCallout}. It answers from an
 * in-memory table of user names and passwords:
 * <ul>
 * <li>known user name and its password: {@code 200 {"result":"allow"}} (the default ACL applies);</li>
 * <li>unknown user name or wrong password: {@code 200 {"result":"bad_credentials"}} (CONNACK 0x04);</li>
 * <li>no user name or no password: {@code 403}, not authorized (CONNACK 0x05): this fleet does not admit
 *     anonymous devices.</li>
 * </ul>
 * Thread-safe.
 */
final class DemoAuthEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4_096;
    private static final String PATH = "/auth";

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, byte[]> passwords = new ConcurrentHashMap<>();

    private DemoAuthEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @return a running endpoint on an ephemeral port of 127.0.0.1, with no accounts
     * @throws IOException when it cannot bind
     */
    static DemoAuthEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-auth-endpoint");
            t.setDaemon(true);
            return t;
        });
        DemoAuthEndpoint endpoint = new DemoAuthEndpoint(server, executor);
        server.createContext(PATH, endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /**
     * @param username a device's user name
     * @param password its password
     */
    void add(String username, String password) {
        passwords.put(username, password.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the URL for {@code SENTINEL_AUTH_URL} */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                request = body.length > MAX_BODY ? null : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                request = null;
            }
            if (request == null) {
                exchange.sendResponseHeaders(400, -1); // an outage to the proxy: denied, not cached
                return;
            }
            JsonNode username = request.path("username");
            JsonNode password = request.path("password");
            if (!username.isTextual() || !password.isTextual()) {
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            byte[] expected = passwords.get(username.asText());
            boolean ok = expected != null
                    && MessageDigest.isEqual(expected, password.asText().getBytes(StandardCharsets.UTF_8));
            byte[] answer = (ok ? "{\"result\":\"allow\"}" : "{\"result\":\"bad_credentials\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } finally {
            exchange.close();
        }
    }

    /** Stops the server at once and its threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
