package io.mqttsentinel.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import io.mqttsentinel.admin.internal.JdkHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's HTTP endpoints, on the JDK's built-in server: {@code /metrics} (Prometheus text format, or
 * OpenMetrics when the scraper asks for it), {@code /healthz} (liveness: 200 while the process serves) and
 * {@code /readyz} (200 when every component is ready, else 503 naming those that are not); the admin API may
 * share its port ({@link AdminApi#register(MetricsServer)}).
 *
 * <pre>{@code
 * MetricsServer metrics = MetricsServer.start("0.0.0.0", 9090, prometheusRegistry::scrape, node::notReady);
 * }</pre>
 *
 * <p>Only {@code GET} and {@code HEAD} are answered (else 405), on exact paths (else 404). Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {
    /** The content type of the Prometheus text format, the default of {@code /metrics}. */
    public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    /** The content type of OpenMetrics, served when the scraper's {@code Accept} names it. */
    public static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final JdkHttpServer server;

    private MetricsServer(JdkHttpServer server) {
        this.server = server;
    }

    /**
     * @param bind     the address to bind
     * @param port     the port, 0 for an ephemeral one
     * @param scrape   the meters in the content type asked for ({@link #TEXT_FORMAT} or {@link #OPENMETRICS_FORMAT}),
     *                 e.g. {@code PrometheusMeterRegistry::scrape}
     * @param notReady the names of components that are not ready (empty when ready)
     * @return the started server
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static MetricsServer start(String bind, int port, Function<String, String> scrape,
                                      Supplier<List<String>> notReady) {
        Objects.requireNonNull(scrape, "scrape");
        Objects.requireNonNull(notReady, "notReady");
        JdkHttpServer server = JdkHttpServer.bind("metrics server", "sentinel-metrics-http-", bind, port);
        server.context("/metrics", ex -> handle(ex, () -> {
            String accept = ex.getRequestHeaders().getFirst("Accept");
            boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
            String type = openMetrics ? OPENMETRICS_FORMAT : TEXT_FORMAT;
            return new Response(200, type, scrape.apply(type));
        }));
        server.context("/healthz", ex -> handle(ex, () -> new Response(200, "text/plain; charset=utf-8", "ok\n")));
        server.context("/readyz", ex -> handle(ex, () -> {
            List<String> missing = notReady.get();
            return missing.isEmpty()
                    ? new Response(200, "text/plain; charset=utf-8", "ready\n")
                    : new Response(503, "text/plain; charset=utf-8", "not ready: " + String.join(", ", missing) + "\n");
        }));
        return new MetricsServer(server.start());
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    /** @return {@code http://<bind address as given>:<bound port>}, for a log line */
    public String url() {
        return server.url();
    }

    /** Serves another component's endpoints beside the metrics (the admin API); the handler checks methods itself. */
    void context(String context, HttpHandler handler) {
        server.context(context, handler);
    }

    /** Stops serving at once. Idempotent. */
    @Override
    public void close() {
        server.close();
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
