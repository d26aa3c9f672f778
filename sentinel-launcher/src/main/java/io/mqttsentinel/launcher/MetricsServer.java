package io.mqttsentinel.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's HTTP endpoints, on the JDK's built-in server: {@code /metrics} (Prometheus text format, or
 * OpenMetrics when the scraper asks for it), {@code /healthz} (liveness: 200 while the process serves) and
 * {@code /readyz} (200 when every component is ready, else 503 naming those that are not).
 */
final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param bind     the address to bind
     * @param port     the port, 0 for an ephemeral one
     * @param registry the registry to scrape
     * @param notReady the names of components that are not ready (empty when ready)
     * @return the started server
     * @throws UncheckedIOException when the port cannot be bound
     */
    static MetricsServer start(String bind, int port, PrometheusMeterRegistry registry, Supplier<List<String>> notReady) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(notReady, "notReady");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics server cannot bind " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sentinel-metrics-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> handle(ex, () -> {
            String accept = ex.getRequestHeaders().getFirst("Accept");
            boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
            String type = openMetrics ? OPENMETRICS_FORMAT : TEXT_FORMAT;
            return new Response(200, type, registry.scrape(type));
        }));
        server.createContext("/healthz", ex -> handle(ex, () -> new Response(200, "text/plain; charset=utf-8", "ok\n")));
        server.createContext("/readyz", ex -> handle(ex, () -> {
            List<String> missing = notReady.get();
            return missing.isEmpty()
                    ? new Response(200, "text/plain; charset=utf-8", "ready\n")
                    : new Response(503, "text/plain; charset=utf-8", "not ready: " + String.join(", ", missing) + "\n");
        }));
        server.start();
        return new MetricsServer(server, executor);
    }

    /** @return the bound port */
    int port() {
        return server.getAddress().getPort();
    }

    /**
     * Serves another component's endpoints beside the metrics (the admin API); the handler checks methods itself.
     *
     * @param context the path prefix, e.g. {@code /api/}
     * @param handler its handler
     */
    void serve(String context, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(context, handler);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Response(int status, String contentType, String body) {
    }

    private static void handle(HttpExchange ex, Supplier<Response> handler) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            // exact paths only: the JDK server routes by prefix
            String path = ex.getRequestURI().getPath();
            if (!path.equals(ex.getHttpContext().getPath())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            Response r;
            try {
                r = handler.get();
            } catch (RuntimeException e) {
                LOG.warn("{} failed", path, e);
                r = new Response(500, "text/plain; charset=utf-8", "error: " + e.getClass().getSimpleName() + "\n");
            }
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(r.status(), -1);
                return;
            }
            ex.sendResponseHeaders(r.status(), body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
