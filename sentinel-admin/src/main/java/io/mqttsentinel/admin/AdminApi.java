package io.mqttsentinel.admin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.admin.internal.AdminHandler;
import io.mqttsentinel.broker.BrokerAdmin;

/**
 * The operators' HTTP API, JSON under {@value #PATH}: quarantined messages (list with filters and pages, show,
 * release, delete), the recent security events, the broker's sessions (list, show, disconnect) and the effective
 * configuration with secrets masked. {@code docs/admin-api.md} is the reference of the endpoints.
 *
 * <pre>{@code
 * AdminApi api = AdminApi.builder(AdminConfig.fromEnvironment(env))   // SENTINEL_ADMIN_TOKEN is required
 *         .broker(broker.admin())
 *         .events(recentEvents)
 *         .configuration(() -> settings)
 *         .meterRegistry(registry)
 *         .build();
 * api.register(metricsServer);              // beside /metrics (or a JDK HttpServer of the process), or:
 * AdminServer server = api.serve();         // on SENTINEL_ADMIN_PORT, or where the settings say:
 * Optional<String> url = api.serve(metricsServer, nodeHealth);
 * }</pre>
 *
 * <p><b>Trust:</b> every request must carry {@code Authorization: Bearer <token>}; a missing or wrong token is
 * answered 401 and counted in {@code sentinel_admin_unauthorized_total{reason="missing"|"invalid"}} (the comparison
 * takes constant time). A GET never changes state: releasing, deleting and disconnecting are POST or DELETE, and each
 * is recorded as a security event naming the operator ({@code X-Sentinel-Operator} header) and the client address.
 * Bad parameters are answered 400 with a message naming them, unknown ids 404, a wrong method 405 with
 * {@code Allow}. Every answer counts in {@code sentinel_admin_requests_total{method,status}}.
 *
 * <p>Immutable and thread-safe; the handler may serve any number of threads.
 */
public final class AdminApi {
    /** The path of version 1 of the API. */
    public static final String PATH = "/api/v1";
    /** The context to register on an {@link HttpServer}: the API answers everything under it (404 for other versions). */
    public static final String CONTEXT = "/api/";

    private final AdminConfig config;
    private final HttpHandler handler;

    private AdminApi(Builder b) {
        this.config = b.config;
        this.handler = new AdminHandler(b.config.token().orElseThrow(), PATH, b.broker, b.events, b.configuration,
                b.registry == null ? new SimpleMeterRegistry() : b.registry);
    }

    /**
     * @param config the API's settings; its token is required to {@link Builder#build() build}
     * @return a builder
     */
    public static Builder builder(AdminConfig config) {
        return new Builder(config);
    }

    /** @return the handler of {@link #CONTEXT}, for an {@link HttpServer} of the caller's */
    public HttpHandler handler() {
        return handler;
    }

    /**
     * Adds the API to a running or not yet started server, under {@link #CONTEXT}.
     *
     * @param server the server, e.g. the process's metrics server
     */
    public void register(HttpServer server) {
        server.createContext(CONTEXT, handler);
    }

    /**
     * Adds the API to the process's metrics server, under {@link #CONTEXT}, beside {@code /metrics}.
     *
     * @param server the metrics server
     */
    public void register(MetricsServer server) {
        server.context(CONTEXT, handler);
    }

    /**
     * Serves the API on a server of its own, at {@link AdminConfig#bindAddress()}:{@link AdminConfig#port()}.
     *
     * @return the running server
     * @throws java.io.UncheckedIOException when the port cannot be bound
     * @throws IllegalStateException        when the configuration has no port of its own (0)
     */
    public AdminServer serve() {
        if (config.port() == 0) {
            throw new IllegalStateException("the admin API has no port of its own (SENTINEL_ADMIN_PORT=0): register it "
                    + "on the metrics server instead");
        }
        return AdminServer.start(config.bindAddress(), config.port(), handler);
    }

    /**
     * Serves the API where its settings put it: on a server of its own ({@link #serve()}) when {@link AdminConfig#port()}
     * is set, which then closes with the process's other components; else beside {@code /metrics} on the process's
     * metrics server ({@link #register(MetricsServer)}).
     *
     * @param metrics    the process's metrics server, or {@code null} when it is off
     * @param components the process's components, to which the API's own server is added as {@code admin-api}
     * @return the API's URL, {@code http://<bind address>:<port>/api/v1}; empty when the API has no port of its own and
     *         the metrics server is off (it is not served then)
     * @throws java.io.UncheckedIOException when its own port cannot be bound
     */
    public Optional<String> serve(MetricsServer metrics, NodeHealth components) {
        Objects.requireNonNull(components, "components");
        if (config.port() > 0) {
            AdminServer server = serve();
            components.add("admin-api", server);
            return Optional.of(server.url() + PATH);
        }
        if (metrics == null) {
            return Optional.empty();
        }
        register(metrics);
        return Optional.of(metrics.url() + PATH);
    }

    /** Collects what the API serves. Not thread-safe. */
    public static final class Builder {
        private final AdminConfig config;
        private BrokerAdmin broker;
        private RecentEvents events;
        private Supplier<List<EffectiveSetting>> configuration = List::of;
        private MeterRegistry registry;

        Builder(AdminConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * @param broker the broker's admin hooks ({@code SentinelBroker.admin()}); without it the quarantine and
         *               sessions endpoints answer 404 (a process that runs no broker)
         * @return this builder
         */
        public Builder broker(BrokerAdmin broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /**
         * @param events the recent security events, fed as one more sink of every layer; without it
         *               {@code /events} answers 404
         * @return this builder
         */
        public Builder events(RecentEvents events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /**
         * @param configuration the effective settings, secrets already masked, asked at every request
         * @return this builder
         */
        public Builder configuration(Supplier<List<EffectiveSetting>> configuration) {
            this.configuration = Objects.requireNonNull(configuration, "configuration");
            return this;
        }

        /**
         * @param registry where the {@code sentinel_admin_*} meters go; default a private simple registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * @return the API
         * @throws IllegalStateException when the configuration has no token: there is no anonymous admin API
         */
        public AdminApi build() {
            if (config.token().isEmpty()) {
                throw new IllegalStateException(AdminConfig.ENV_TOKEN + " is unset: the admin API is off");
            }
            return new AdminApi(this);
        }
    }
}
