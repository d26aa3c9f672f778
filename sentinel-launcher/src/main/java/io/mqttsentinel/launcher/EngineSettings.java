package io.mqttsentinel.launcher;

import io.mqttsentinel.api.Topics;
import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.QuarantineConfig;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.inspect.HttpEventSink;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.SyslogEventSink;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import io.mqttsentinel.proxy.tls.SelfSignedCertificates;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.redis.RedisGlobalTier;
import io.mqttsentinel.ratelimit.redis.RedisGlobalTierConfig;
import io.mqttsentinel.store.StoreConfig;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the launcher turns the merged configuration into each engine's settings: the engines' own parsers
 * (their refusals become {@link ConfigException}s), the defaults that depend on the process (the data
 * directory, an in-process broker), the Kafka log's keys, and the self-signed certificate.
 */
final class EngineSettings {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSettings.class);

    static final String KAFKA_BOOTSTRAP = KafkaMessageLog.ENV_BOOTSTRAP;
    static final String KAFKA_TOPIC = KafkaMessageLog.ENV_TOPIC;

    private EngineSettings() {
    }

    /**
     * @param roles  the roles to check
     * @param config the configuration
     * @throws ConfigException naming the key, the value and what is allowed
     */
    static void validate(Set<Role> roles, LauncherConfig config) {
        config.choice("SENTINEL_LOG_LEVEL", "info", Logging.LEVELS);
        config.intValue("SENTINEL_METRICS_PORT", 0, 0, 65_535);
        config.shutdownDelay();
        config.shutdownGrace();
        parse(() -> AdminConfig.fromEnvironment(config.values()));
        Path dataDir = config.dataDir();
        if (roles.contains(Role.BROKER) || roles.contains(Role.PROXY)) {
            eventSinks(config);
        }
        if (roles.contains(Role.BROKER)) {
            coreTrust(roles, parse(() -> BrokerConfig.fromEnvironment(config.values())));
            parse(() -> StoreConfig.fromEnvironment(config.values()));
            parse(() -> QuarantineConfig.fromEnvironment(config.values()));
            inspectorConfig(config);
            eventsTopic(config);
            if (config.get(KAFKA_BOOTSTRAP).isPresent()) {
                kafkaLog(config, parse(() -> StoreConfig.fromEnvironment(config.values())));
            }
        }
        if (roles.contains(Role.BRIDGE)) {
            parse(() -> BridgeConfig.fromEnvironment(bridgeEnvironment(roles, config, -1)));
        }
        if (roles.contains(Role.PROXY)) {
            parse(() -> proxyConfig(roles, config, dataDir, -1));
            for (String file : List.of("SENTINEL_TLS_CERT", "SENTINEL_TLS_KEY", "SENTINEL_TLS_CLIENT_CA", "SENTINEL_AUTH_CA",
                    ProxyConfig.UPSTREAM_TLS_CERT, ProxyConfig.UPSTREAM_TLS_KEY, ProxyConfig.CORE_CA)) {
                config.get(file).ifPresent(f -> {
                    if (!Files.isReadable(Path.of(f)) || Files.isDirectory(Path.of(f))) {
                        throw ConfigException.invalid(file, f, "a readable PEM file");
                    }
                });
            }
            RateLimitConfig rc = parse(() -> RateLimitConfig.fromEnvironment(config.values()));
            if (config.get(RedisGlobalTier.ENV_URI).isPresent()) {
                parse(() -> RedisGlobalTier.builder(RedisGlobalTierConfig.fromEnvironment(config.values())).limit(rc));
            }
        }
    }

    /** How the broker of this process listens: mutual TLS from settings, from the generated private CA, or plain. */
    enum CoreTrust { CONFIGURED, GENERATED, INSECURE_PLAIN }

    /**
     * Decides how the core listens. With {@code SENTINEL_BROKER_TLS_CERT}/{@code _KEY}/{@code _CLIENT_CA}: mutual
     * TLS with those files. Else, when proxy or bridge run in the same process ({@code all}, {@code demo}): mutual
     * TLS with a private CA generated into the data directory. {@code SENTINEL_BROKER_INSECURE_PLAIN=true}: plain.
     * A broker alone without TLS files and without the opt-in is refused. {@link BrokerConfig} reads and checks
     * the keys (the files readable, set together, not with the opt-in).
     *
     * @throws ConfigException naming the keys
     */
    static CoreTrust coreTrust(Set<Role> roles, LauncherConfig config) {
        return coreTrust(roles, parse(() -> BrokerConfig.fromEnvironment(config.values())));
    }

    /** {@link #coreTrust(Set, LauncherConfig)} of an already parsed broker config. */
    static CoreTrust coreTrust(Set<Role> roles, BrokerConfig broker) {
        if (broker.mutualTls()) {
            return CoreTrust.CONFIGURED;
        }
        if (broker.insecurePlain()) {
            return CoreTrust.INSECURE_PLAIN;
        }
        if (roles.contains(Role.PROXY) || roles.contains(Role.BRIDGE)) {
            return CoreTrust.GENERATED;
        }
        throw new ConfigException("the broker accepts only proxies and bridges with a certificate of its CA (mutual TLS): "
                + "set " + BrokerConfig.ENV_TLS_CERT + ", " + BrokerConfig.ENV_TLS_KEY + " and " + BrokerConfig.ENV_CLIENT_CA
                + " (see docs/operations.md, \"Trust between layers\"), or " + BrokerConfig.ENV_INSECURE_PLAIN
                + "=true for a plain listener that anyone who reaches the port can use");
    }

    /** The private CA of the core link in {@code SENTINEL_DATA_DIR/tls}: created on first start, reused after. */
    static CoreCertificates.Bundle generatedCoreCertificates(Path dataDir) {
        Path dir = dataDir.resolve("tls");
        boolean fresh = !Files.exists(dir.resolve("core-ca.pem"));
        CoreCertificates.Bundle b = CoreCertificates.ensure(dir);
        if (fresh) {
            LOG.info("core link: generated a private CA {} and the broker's, proxy's and bridge's certificates in {} "
                    + "(mutual TLS between the layers; proxies on other hosts need a certificate of this CA)", b.caCert(), dir);
        }
        return b;
    }

    /**
     * The inspector's settings. Unless {@code SENTINEL_INSPECT_RATE_EXEMPT} is set, the bridge's client id is
     * exempt from the per-client message-rate anomaly: the bridge publishes every device's alerts under one id,
     * and at fleet rates the anomaly would block them (size, entropy and signatures still apply).
     */
    static InspectorConfig inspectorConfig(LauncherConfig config) {
        InspectorConfig parsed = parse(() -> InspectorConfig.fromEnvironment(config.values()));
        if (config.get(InspectorConfig.ENV_RATE_EXEMPT).isPresent()) {
            return parsed;
        }
        return parsed.toBuilder()
                .rateExemptClients(List.of(config.get(BridgeConfig.CLIENT_ID).orElse(BridgeConfig.DEFAULT_CLIENT_ID)))
                .build();
    }

    /** The Kafka log's builder from {@code SENTINEL_STORE_KAFKA_*}, with the store's retention and size limit. */
    static KafkaMessageLog.Builder kafkaLog(LauncherConfig config, StoreConfig sc) {
        KafkaMessageLog.Builder kb = parse(() -> KafkaMessageLog.fromEnvironment(config.values())).orElseThrow();
        kb.retention(sc.retention());
        if (sc.maxTotalBytes() != StoreConfig.UNLIMITED) {
            kb.maxTotalBytes(sc.maxTotalBytes());
        }
        return kb;
    }

    static String eventsTopic(LauncherConfig config) {
        String topic = config.get("SENTINEL_EVENTS_TOPIC").orElse(null);
        if (topic != null && !Topics.isValidName(topic)) {
            throw ConfigException.invalid("SENTINEL_EVENTS_TOPIC", topic, "an MQTT topic without wildcards");
        }
        return topic;
    }

    /**
     * The security event sinks' settings ({@code SENTINEL_EVENTS_*} but the topic).
     *
     * @param fileMaxBytes rotate event files at this size, 0 = never
     * @param fileMaxAge   rotate event files this old, null = never
     * @param fileKeep     rotated files kept
     * @param syslog       the syslog receiver, or null
     * @param syslogCa     CAs for {@code tls://}, or null
     * @param http         the HTTP collector, or null
     * @param httpToken    its bearer token, or null
     * @param httpCa       CAs for {@code https://}, or null
     * @param kafkaBootstrap the Kafka cluster the events go to, {@code host:port[,host:port...]}, or null
     * @param kafkaTopic   the Kafka topic (never null)
     */
    record EventSinkSettings(long fileMaxBytes, Duration fileMaxAge, int fileKeep, URI syslog, Path syslogCa, URI http,
                             String httpToken, Path httpCa, String kafkaBootstrap, String kafkaTopic) {
        @Override
        public String toString() {
            return "EventSinkSettings{fileMaxBytes=" + fileMaxBytes + ", fileMaxAge=" + fileMaxAge + ", fileKeep=" + fileKeep
                    + ", syslog=" + syslog + ", http=" + (http == null ? null : LauncherConfig.mask(EVENTS_HTTP, http.toString()))
                    + (httpToken != null ? ", httpToken=****" : "") + ", kafkaBootstrap=" + kafkaBootstrap
                    + ", kafkaTopic=" + kafkaTopic + "}";
        }
    }

    static final String EVENTS_HTTP = "SENTINEL_EVENTS_HTTP";

    static final String EVENTS_KAFKA_BOOTSTRAP = "SENTINEL_EVENTS_KAFKA_BOOTSTRAP";
    static final String EVENTS_KAFKA_TOPIC = "SENTINEL_EVENTS_KAFKA_TOPIC";
    private static final java.util.regex.Pattern KAFKA_TOPIC_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /**
     * Parses {@code SENTINEL_EVENTS_FILE_*}, {@code _SYSLOG*}, {@code _HTTP*} and {@code _KAFKA_*}, checking them
     * as the sinks would.
     */
    static EventSinkSettings eventSinks(LauncherConfig config) {
        long maxBytes = config.get("SENTINEL_EVENTS_FILE_MAX_BYTES").map(v -> {
            try {
                long n = Values.size(v);
                if (n != 0 && (n < 1024 || n > (1L << 40))) {
                    throw new IllegalArgumentException("out of range");
                }
                return n;
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid("SENTINEL_EVENTS_FILE_MAX_BYTES", v, "0 (no size rotation), or 1k to 1t");
            }
        }).orElse(100L << 20);
        Duration maxAge = config.get("SENTINEL_EVENTS_FILE_MAX_AGE").map(v -> {
            try {
                Duration d = Values.duration(v, ChronoUnit.SECONDS);
                if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(366)) > 0) {
                    throw new IllegalArgumentException("out of range");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid("SENTINEL_EVENTS_FILE_MAX_AGE", v, "1s to 366d, e.g. 45s, 30m, 24h, 1d");
            }
        }).orElse(null);
        int keep = config.intValue("SENTINEL_EVENTS_FILE_KEEP", 10, 0, 1000);
        URI syslog = config.get("SENTINEL_EVENTS_SYSLOG").map(v -> {
            try {
                URI u = new URI(v.trim());
                SyslogEventSink.builder(u); // checks the form
                return u;
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw ConfigException.invalid("SENTINEL_EVENTS_SYSLOG", v, "tcp://host[:port] or tls://host[:port]");
            }
        }).orElse(null);
        Path syslogCa = pemFile(config, "SENTINEL_EVENTS_SYSLOG_CA");
        if (syslogCa != null && (syslog == null || !"tls".equalsIgnoreCase(syslog.getScheme()))) {
            throw ConfigException.invalid("SENTINEL_EVENTS_SYSLOG_CA", syslogCa.toString(), "set only with SENTINEL_EVENTS_SYSLOG=tls://...");
        }
        URI http = config.get(EVENTS_HTTP).map(v -> {
            try {
                URI u = new URI(v.trim());
                HttpEventSink.builder(u);
                return u;
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw ConfigException.invalid(EVENTS_HTTP, LauncherConfig.mask(EVENTS_HTTP, v), "an absolute http:// or https:// URL");
            }
        }).orElse(null);
        String token = config.get("SENTINEL_EVENTS_HTTP_TOKEN").map(String::trim).orElse(null);
        if (token != null) {
            try {
                HttpEventSink.builder(URI.create("http://check/")).bearerToken(token);
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid("SENTINEL_EVENTS_HTTP_TOKEN", "****", "printable ASCII without spaces");
            }
        }
        String kafka = config.get(EVENTS_KAFKA_BOOTSTRAP).map(String::trim).filter(v -> !v.isEmpty())
                .map(EngineSettings::kafkaBootstrap).orElse(null);
        String kafkaTopic = config.get(EVENTS_KAFKA_TOPIC).map(String::trim).filter(v -> !v.isEmpty())
                .orElse("sentinel-security-events");
        if (!KAFKA_TOPIC_NAME.matcher(kafkaTopic).matches() || kafkaTopic.equals(".") || kafkaTopic.equals("..")) {
            throw ConfigException.invalid(EVENTS_KAFKA_TOPIC, kafkaTopic, "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        return new EventSinkSettings(maxBytes, maxAge, keep, syslog, syslogCa, http, token,
                pemFile(config, "SENTINEL_EVENTS_HTTP_CA"), kafka, kafkaTopic);
    }

    /** Checks a {@code host:port[,host:port...]} list, as Kafka's bootstrap.servers takes it, without resolving. */
    private static String kafkaBootstrap(String v) {
        List<String> servers = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String server = part.trim();
            int colon = server.lastIndexOf(':');
            boolean ok = colon > 0 && colon < server.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(server.substring(colon + 1));
                    ok = port >= 1 && port <= 65535 && !server.substring(0, colon).isBlank()
                            && server.chars().noneMatch(Character::isWhitespace);
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw ConfigException.invalid(EVENTS_KAFKA_BOOTSTRAP, v, "host:port[,host:port...], port 1 to 65535");
            }
            servers.add(server);
        }
        return String.join(",", servers);
    }

    private static Path pemFile(LauncherConfig config, String key) {
        return config.get(key).map(f -> {
            Path p = Path.of(f);
            if (!Files.isReadable(p) || Files.isDirectory(p)) {
                throw ConfigException.invalid(key, f, "a readable PEM file");
            }
            return p;
        }).orElse(null);
    }

    /** Reuses or generates the self-signed pair in {@code dir}: {@code proxy.crt.pem}, {@code proxy.key.pem}. */
    static Path[] selfSignedPair(Path dir) {
        Path cert = dir.resolve("proxy.crt.pem");
        Path key = dir.resolve("proxy.key.pem");
        if (Files.isReadable(cert) && Files.isReadable(key)) {
            LOG.warn("SENTINEL_TLS_CERT is unset: using the self-signed certificate {} (devices must trust it explicitly)", cert);
            return new Path[] {cert, key};
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw unchecked("cannot create " + dir, e);
        }
        String cn;
        try {
            cn = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            cn = "localhost";
        }
        if (cn.isBlank() || cn.length() > 64) {
            cn = "localhost";
        }
        SelfSignedCertificates.generate(cert, key, cn);
        LOG.warn("SENTINEL_TLS_CERT is unset: generated a self-signed certificate for CN={} into {} "
                + "(devices must trust it explicitly; configure SENTINEL_TLS_CERT/SENTINEL_TLS_KEY in production)", cn, cert);
        return new Path[] {cert, key};
    }

    /**
     * The bridge's view of the configuration: in a process that also runs the broker, the core defaults to it.
     *
     * @param brokerPort the running broker's port, or -1 before it runs (validation)
     */
    static Map<String, String> bridgeEnvironment(Set<Role> roles, LauncherConfig config, int brokerPort) {
        return bridgeEnvironment(roles, config, brokerPort, null);
    }

    /**
     * @param core the generated certificates of the in-process core, or {@code null}: the bridge's core TLS
     *             defaults to them
     */
    static Map<String, String> bridgeEnvironment(Set<Role> roles, LauncherConfig config, int brokerPort,
                                                 CoreCertificates.Bundle core) {
        Map<String, String> env = new LinkedHashMap<>(config.values());
        if (core != null && !env.containsKey(BridgeConfig.CORE_TLS_CERT)) {
            env.put(BridgeConfig.CORE_TLS_CERT, core.bridgeCert().toString());
            env.put(BridgeConfig.CORE_TLS_KEY, core.bridgeKey().toString());
            env.put(BridgeConfig.CORE_CA, core.caCert().toString());
        }
        if (roles.contains(Role.BROKER) && !env.containsKey(BridgeConfig.CORE)) {
            env.put(BridgeConfig.CORE, "127.0.0.1:" + (brokerPort > 0 ? brokerPort : BridgeConfig.DEFAULT_CORE_PORT));
        }
        return env;
    }

    /**
     * The proxy's configuration: the settings over the launcher's own defaults, which are that the credentials file
     * is in the data directory, and in a process that also runs the broker the upstream is that broker.
     */
    static ProxyConfig proxyConfig(Set<Role> roles, LauncherConfig config, Path dataDir, int brokerPort) {
        return proxyConfig(roles, config, dataDir, brokerPort, null);
    }

    /**
     * @param core the generated certificates of the in-process core, or {@code null}: unless
     *             {@code SENTINEL_PROXY_UPSTREAM_TLS_CERT} is set, the proxy's upstream TLS is theirs
     */
    static ProxyConfig proxyConfig(Set<Role> roles, LauncherConfig config, Path dataDir, int brokerPort,
                                   CoreCertificates.Bundle core) {
        ProxyConfig.Builder b = ProxyConfig.builder().authFile(dataDir.resolve("credentials"));
        if (roles.contains(Role.BROKER)) {
            b.upstream("127.0.0.1", brokerPort > 0 ? brokerPort : ProxyConfig.DEFAULT_UPSTREAM_PORT);
        }
        SettingsReader.apply(ProxyConfig.settings(), config.values(), b);
        if (core != null && config.get(ProxyConfig.UPSTREAM_TLS_CERT).isEmpty()) {
            b.upstreamTls(core.proxyCert(), core.proxyKey(), core.caCert());
        }
        return b.build();
    }

    /** Runs an engine's own parser and turns its refusal into a configuration error. */
    static <T> T parse(Supplier<T> parser) {
        try {
            return parser.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    static UncheckedIOException unchecked(String what, IOException e) {
        return new UncheckedIOException(what + ": " + e.getMessage(), e);
    }
}
