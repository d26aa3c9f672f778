package io.mqttsentinel.launcher;

import static io.mqttsentinel.launcher.EngineSettings.parse;
import static io.mqttsentinel.launcher.EngineSettings.proxyConfig;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.admin.AdminApi;
import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.admin.MetricsServer;
import io.mqttsentinel.admin.NodeHealth;
import io.mqttsentinel.admin.RecentEvents;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.bridge.BridgeInstance;
import io.mqttsentinel.bridge.CoreGrants;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.QuarantineConfig;
import io.mqttsentinel.broker.QuarantineStore;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.inspect.AnomalyInspector;
import io.mqttsentinel.events.kafka.KafkaEventSink;
import io.mqttsentinel.inspect.EventSinks;
import io.mqttsentinel.inspect.EventsConfig;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.inspect.JsonLinesEventSink;
import io.mqttsentinel.inspect.MqttEventSink;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.SentinelProxy;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import io.mqttsentinel.proxy.tls.TlsFiles;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.mqttsentinel.ratelimit.redis.RedisGlobalTier;
import io.mqttsentinel.store.kafka.MessageLogs;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One launcher process: the engines of the chosen {@link Role}s, wired from one {@link LauncherConfig},
 * with one Prometheus registry served on {@code /metrics}, {@code /healthz} and {@code /readyz}.
 *
 * <p>Start order is broker, bridge, proxy (each role's upstream first); {@link #close()} stops them in the
 * reverse order. When the broker runs in the same process, the proxy's upstream and the bridge's core
 * default to it.
 *
 * <pre>{@code
 * try (SentinelNode node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.load(null, System.getenv()))) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SentinelNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SentinelNode.class);

    private final Set<Role> roles;
    private final PrometheusMeterRegistry registry;
    private final NodeHealth health = new NodeHealth(); // the components, closed in reverse; what /readyz answers
    private final Map<String, String> endpoints = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile MetricsServer metrics;
    private volatile int brokerPort = -1;
    private volatile int proxyTlsPort = -1;
    private volatile SentinelProxy proxy;
    private volatile Path proxyCertificate;
    private volatile CoreCertificates.Bundle coreCertificates;
    private volatile BrokerConfig.CoreTrust coreTrust; // null while no broker runs here
    private EventSinks eventSinks; // opened by the first role that has events
    private AdminConfig admin;
    private RecentEvents recentEvents; // null while the admin API is off
    private volatile SentinelBroker broker;

    private SentinelNode(Set<Role> roles, PrometheusMeterRegistry registry) {
        this.roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
        this.registry = registry;
    }

    /**
     * Starts the metrics server, then the roles' engines.
     *
     * @param roles  which engines to run (at least one)
     * @param config the configuration
     * @return the running node
     * @throws ConfigException when a setting is invalid (nothing is left running)
     * @throws RuntimeException when an engine cannot start, e.g. a port is taken (nothing is left running)
     */
    public static SentinelNode start(Set<Role> roles, LauncherConfig config) {
        Objects.requireNonNull(config, "config");
        if (Objects.requireNonNull(roles, "roles").isEmpty()) {
            throw new IllegalArgumentException("roles must name at least one role");
        }
        validate(roles, config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SentinelNode node = new SentinelNode(roles, registry);
        try {
            node.health.bindJvmMetrics(registry);
            node.startMetrics(config);
            node.admin = parse(() -> AdminConfig.fromEnvironment(config.values()));
            node.recentEvents = node.admin.token().isPresent() ? new RecentEvents(node.admin.recentEvents()) : null;
            Path dataDir = createDataDir(config);
            if (roles.contains(Role.BROKER)) {
                node.startBroker(config, dataDir);
            }
            node.warnIfPlainCoreLink(config);
            if (roles.contains(Role.BRIDGE)) {
                node.startBridge(config);
            }
            if (roles.contains(Role.PROXY)) {
                node.startProxy(config, dataDir);
            }
            node.startAdmin(config);
            node.health.started();
            return node;
        } catch (Throwable e) {
            // Throwable: an engine may rethrow a checked exception unchecked (Netty's bind does)
            node.close();
            throw e;
        }
    }

    /**
     * Parses every setting the roles' engines read, without starting anything: the {@code config} command's
     * check and the first step of {@link #start}.
     *
     * @param roles  the roles to check
     * @param config the configuration
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public static void validate(Set<Role> roles, LauncherConfig config) {
        EngineSettings.validate(roles, config);
    }

    /**
     * @param config the configuration
     * @return the embedded credentials file: {@code SENTINEL_AUTH_FILE}, else {@code credentials} in the data
     *         directory
     */
    public static Path authFile(LauncherConfig config) {
        return config.get("SENTINEL_AUTH_FILE").map(Path::of).orElse(config.dataDir().resolve("credentials"));
    }

    /** @return the roles this node runs */
    public Set<Role> roles() {
        return roles;
    }

    /** @return the node's registry, served on {@code /metrics} */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** @return the metrics server's port, or -1 when it is off ({@code SENTINEL_METRICS_PORT=0}) */
    public int metricsPort() {
        MetricsServer m = metrics;
        return m == null ? -1 : m.port();
    }

    /** @return the broker's bound port, or -1 when this node runs no broker */
    public int brokerPort() {
        return brokerPort;
    }

    /** @return the proxy's bound MQTTS port, or -1 when this node runs no proxy */
    public int proxyTlsPort() {
        return proxyTlsPort;
    }

    /**
     * @return the proxy's certificate file (configured, or the generated self-signed one), or {@code null}
     *         when this node runs no proxy
     */
    public Path proxyCertificate() {
        return proxyCertificate;
    }

    /**
     * @return the names of the components that are not ready; empty when the node is ready ({@code "node (starting)"}
     *         until every role started, {@code "node (draining)"} while it stops)
     */
    public List<String> notReady() {
        return health.notReady();
    }

    /** @return {@code true} when every component of every role is ready */
    public boolean isReady() {
        return notReady().isEmpty();
    }

    /** @return one line naming the roles and where they listen */
    public String describe() {
        StringBuilder b = new StringBuilder(roles.stream().map(Role::label).collect(Collectors.joining("+")));
        b.append(" started");
        synchronized (endpoints) {
            endpoints.forEach((k, v) -> b.append(", ").append(k).append(' ').append(v));
        }
        b.append(metrics == null ? ", metrics off" : ", metrics " + metrics.url() + "/metrics");
        return b.toString();
    }

    /**
     * A graceful stop ({@code SIGTERM}): {@code /readyz} answers 503 at once, so that a load balancer stops sending
     * new connections, while the node goes on serving for {@code delay}; then the proxy stops accepting and reading,
     * and waits up to {@code grace} for the core's PUBACK of every PUBLISH it forwarded, relaying each to its device;
     * then everything closes ({@link #close()}). Devices reconnect (elsewhere) and resend what was not acknowledged;
     * the bridge leaves what the origin has not acknowledged unacknowledged on the core, which delivers it again.
     *
     * @param delay how long to go on serving while reporting not ready
     * @param grace the longest wait for outstanding acknowledgements
     */
    public void shutdown(Duration delay, Duration grace) {
        if (health.isClosed()) {
            return;
        }
        health.draining();
        LOG.info("stopping: not ready now; serving {} more, then waiting up to {} for outstanding acknowledgements",
                delay, grace);
        try {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            SentinelProxy p = proxy;
            if (p != null && !grace.isZero()) {
                long start = Ticker.system().nanoTime();
                if (p.drain(grace)) {
                    LOG.info("drained in {} ms", TimeUnit.NANOSECONDS.toMillis(Ticker.system().nanoTime() - start));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** Stops the roles in reverse start order, then the metrics server. Idempotent. */
    @Override
    public void close() {
        if (health.isClosed()) {
            return;
        }
        health.close();
        MetricsServer m = metrics;
        if (m != null) {
            m.close();
        }
        registry.close();
    }

    /**
     * @return the port of the metrics server of a process running {@code roles}: {@code SENTINEL_METRICS_PORT}, by
     *         default the first role's in the order proxy, broker, bridge (9090, 9091, 9092); 0 = off
     * @throws ConfigException when the value is not a port
     */
    static int metricsPort(Set<Role> roles, LauncherConfig config) {
        int defaultPort = roles.contains(Role.PROXY) ? Role.PROXY.defaultMetricsPort()
                : roles.contains(Role.BROKER) ? Role.BROKER.defaultMetricsPort() : Role.BRIDGE.defaultMetricsPort();
        return config.own().metricsPort(defaultPort);
    }

    private void startMetrics(LauncherConfig config) {
        int port = metricsPort(roles, config);
        if (port == 0) {
            LOG.info("metrics server off (SENTINEL_METRICS_PORT=0)");
            return;
        }
        String bind = config.own().metricsBind();
        metrics = MetricsServer.start(bind, port, registry::scrape, this::notReady);
        LOG.info("metrics on {}/metrics, health on /healthz and /readyz", metrics.url());
    }

    private static Path createDataDir(LauncherConfig config) {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException(ConfigException.invalid("SENTINEL_DATA_DIR", config.get("SENTINEL_DATA_DIR").orElse("./data"),
                    "a writable directory").getMessage() + " (" + e + ")");
        }
        if (!Files.isWritable(dir)) {
            throw ConfigException.invalid("SENTINEL_DATA_DIR", dir.toString(), "a writable directory");
        }
        return dir;
    }

    private void startBroker(LauncherConfig config, Path dataDir) {
        BrokerConfig bc = parse(() -> BrokerConfig.fromEnvironment(config.values()));
        MessageLogs logs = parse(() -> MessageLogs.fromEnvironment(config.values()));
        InspectorConfig ic = EngineSettings.inspectorConfig(config);
        MessageLog log = logs.open(dataDir.resolve("log"), registry);
        health.add("message-log", log);
        QuarantineStore quarantine = quarantine(config, logs, dataDir);
        SecurityEventSink events = eventSinks(config, dataDir, "broker");
        AtomicReference<SentinelBroker> self = new AtomicReference<>();
        String topic = EngineSettings.eventSinks(config).topic();
        if (topic != null) {
            // uninspected: an event quotes the attack it reports, which inspection would block
            MqttEventSink mqtt = MqttEventSink.builder((t, payload) -> self.get().publishUninspected(t, payload, 1, false))
                    .topic(topic).meterRegistry(registry, "mqtt").build();
            health.add("broker-events-mqtt", mqtt);
            events = events.andThen(mqtt);
        }
        if (config.get(BrokerConfig.ENV_MAX_INFLIGHT_BY_CLIENT).isEmpty()) {
            bc = bc.toBuilder().maxInflightByClient(CoreGrants.fromEnvironment(config.values()).inflightWindows()).build();
        }
        SentinelBroker.Builder builder = SentinelBroker.builder()
                .config(bc)
                .inspector(Inspectors.standard(ic, registry, Ticker.system()))
                .messageLog(log)
                .quarantine(quarantine)
                .eventSink(events)
                .meterRegistry(registry);
        String trust;
        coreTrust = EngineSettings.coreTrust(roles, bc);
        switch (coreTrust) {
            case CONFIGURED: // the config carries the files
                trust = "mutual TLS, clients of " + bc.clientCa();
                break;
            case GENERATED:
                coreCertificates = CoreCertificates.ensure(dataDir.resolve("tls"));
                builder.tls(coreCertificates.brokerCert(), coreCertificates.brokerKey(), coreCertificates.caCert());
                trust = "mutual TLS, clients of the private CA " + coreCertificates.caCert();
                break;
            default:
                LOG.warn("{}=true: the core broker listens WITHOUT TLS or client authentication; anyone who can reach "
                        + "{}:{} reads every device's messages and publishes to any device", BrokerConfig.ENV_INSECURE_PLAIN,
                        bc.bindAddress(), bc.port());
                trust = "PLAIN, unauthenticated (" + BrokerConfig.ENV_INSECURE_PLAIN + "=true)";
                break;
        }
        SentinelBroker broker = builder.build();
        self.set(broker);
        health.add("broker", broker, broker::isReady);
        broker.start();
        this.broker = broker;
        brokerPort = broker.port();
        endpoints.put("broker", "mqtt " + bc.bindAddress() + ":" + broker.port() + " (" + trust + "), log " + logs.location(dataDir.resolve("log")));
    }

    /** The quarantine's own log (a directory beside the message log, or its own Kafka topic) and its store. */
    private QuarantineStore quarantine(LauncherConfig config, MessageLogs logs, Path dataDir) {
        QuarantineConfig qc = parse(() -> QuarantineConfig.fromEnvironment(config.values()));
        MessageLog log = logs.open(dataDir.resolve("quarantine"), qc.kafkaTopic(), qc.retention(), registry);
        health.add("quarantine-log", log);
        QuarantineStore store = QuarantineStore.builder(log).config(qc).meterRegistry(registry).open();
        health.add("quarantine", store);
        return store;
    }

    /** The admin API, on the metrics server or on SENTINEL_ADMIN_PORT; off, and said so, without a token. */
    private void startAdmin(LauncherConfig config) {
        if (recentEvents == null) {
            LOG.info("admin API off: {} is unset (the quarantine and sessions commands need it)", AdminConfig.ENV_TOKEN);
            return;
        }
        AdminApi.Builder b = AdminApi.builder(admin).events(recentEvents).meterRegistry(registry)
                .configuration(() -> ConfigCommand.effective(config));
        if (broker != null) {
            b.broker(broker.admin());
        }
        b.build().serve(metrics, health).ifPresentOrElse(url -> endpoints.put("admin", url), () -> LOG.warn(
                "admin API off: the metrics server is off (SENTINEL_METRICS_PORT=0) and {} is unset", AdminConfig.ENV_PORT));
    }

    /** A proxy or bridge of this process that talks plain MQTT to a core elsewhere: say so once. */
    private void warnIfPlainCoreLink(LauncherConfig config) {
        if (coreCertificates != null || coreTrust == BrokerConfig.CoreTrust.INSECURE_PLAIN) {
            return; // the in-process broker's own certificates, or a plain core by the operator's choice
        }
        if (roles.contains(Role.PROXY)) {
            warnIfUnset(config, ProxyConfig.UPSTREAM_TLS_CERT, "proxy", ProxyConfig.UPSTREAM_TLS_KEY, ProxyConfig.CORE_CA);
        }
        if (roles.contains(Role.BRIDGE)) {
            warnIfUnset(config, BridgeConfig.CORE_TLS_CERT, "bridge", BridgeConfig.CORE_TLS_KEY, BridgeConfig.CORE_CA);
        }
    }

    private static void warnIfUnset(LauncherConfig config, String cert, String role, String key, String ca) {
        if (config.get(cert).isEmpty()) {
            LOG.warn("{} is unset: the {} connects to the core in plain MQTT without a client certificate; a core with "
                    + "mutual TLS refuses it (set {}, {} and {})", cert, role, cert, key, ca);
        }
    }

    /**
     * The role's event file ({@code events/<role>-events.jsonl}, rotated), the admin API's recent events, then the
     * remote sinks (syslog, HTTP, Kafka) when they are configured, opened once for every role of the process (each
     * event names its layer).
     */
    private SecurityEventSink eventSinks(LauncherConfig config, Path dataDir, String role) {
        EventSinks shared = sharedEventSinks(config);
        JsonLinesEventSink file = shared.file(dataDir.resolve("events").resolve(role + "-events.jsonl"), "file-" + role);
        health.add(role + "-events", file);
        return (recentEvents == null ? file : file.andThen(recentEvents)).andThen(shared);
    }

    private synchronized EventSinks sharedEventSinks(LauncherConfig config) {
        if (eventSinks == null) {
            EventsConfig es = EngineSettings.eventSinks(config);
            eventSinks = EventSinks.open(es, registry, KafkaEventSink::open);
            health.add("events", eventSinks);
            if (!es.remoteDestinations().isEmpty()) {
                endpoints.put("events", String.join(", ", es.remoteDestinations()));
            }
        }
        return eventSinks;
    }

    private void startProxy(LauncherConfig config, Path dataDir) {
        ProxyConfig pc = TlsFiles.orSelfSigned(parse(() -> proxyConfig(roles, config, dataDir, brokerPort, coreCertificates)),
                dataDir.resolve("tls"));
        RateLimitConfig rc = parse(() -> RateLimitConfig.fromEnvironment(config.values()));
        proxyCertificate = pc.tlsCert().orElseThrow();
        if (pc.authUrl().isEmpty() && !Files.exists(pc.authFile())) {
            LOG.warn("the credentials file {} does not exist: every CONNECT is refused until devices are added "
                    + "(sentinel devices add NAME) or SENTINEL_AUTH_URL is set", pc.authFile());
        }
        TieredRateLimiter.Builder rl = TieredRateLimiter.builder().config(rc).meterRegistry(registry);
        parse(() -> RedisGlobalTier.fromEnvironment(config.values()).map(b -> b.limit(rc).meterRegistry(registry)))
                .map(RedisGlobalTier.Builder::build).ifPresent(global -> {
                    health.add("ratelimit-redis", global);
                    rl.globalTier(global);
                    LOG.info("GLOBAL rate-limit tier shared through Redis: {}", global);
                });
        TieredRateLimiter limiter = rl.build();
        // the connection-rate anomaly (SENTINEL_INSPECT_CONNECTION_RATE_LIMIT) judges each CONNECT by its source
        AnomalyInspector connections = AnomalyInspector.create(EngineSettings.inspectorConfig(config), registry,
                Ticker.system());
        SentinelProxy proxy = SentinelProxy.builder(pc).rateLimiter(limiter)
                .rateLimiterCountsRejections(true)
                .connectionInspector(connections)
                .meterRegistry(registry)
                .eventSink(eventSinks(config, dataDir, "proxy"))
                .build();
        health.add("proxy", proxy, proxy::isReady);
        proxy.start();
        this.proxy = proxy;
        proxyTlsPort = proxy.tlsPort();
        endpoints.put("proxy", "mqtts " + pc.bindAddress() + ":" + proxy.tlsPort()
                + (proxy.plainPort() >= 0 ? ", plain " + proxy.plainPort() : "")
                + " -> " + pc.upstreamHost() + ":" + pc.upstreamPort()
                + ", auth " + pc.authUrl().map(u -> Values.maskUrl(u.toString()))
                        .orElse("file " + pc.authFile()));
    }

    private void startBridge(LauncherConfig config) {
        BridgeInstance bridge = BridgeInstance.of(EngineSettings.bridgeConfig(roles, config, brokerPort, coreCertificates),
                registry);
        health.add("bridge", bridge, bridge::isReady);
        bridge.start();
        endpoints.put("bridge", bridge.describe());
    }

}
