package io.mqttsentinel.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.QuarantineConfig;
import io.mqttsentinel.inspect.EventsConfig;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.proxy.ProxyConfig;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.redis.RedisGlobalTierConfig;
import io.mqttsentinel.store.StoreConfig;
import io.mqttsentinel.store.kafka.KafkaLogConfig;

/**
 * The catalogue of every {@code SENTINEL_*} setting that the launcher and the engines understand, in the
 * order of the configuration reference. Engines parse their own keys (their {@code fromEnvironment(Map)});
 * this list documents them, prints them ({@code sentinel config}) and catches typos.
 */
final class Settings {
    private static final Map<String, Setting> ALL = new LinkedHashMap<>();

    /** Variables read by the {@code sentinel} script or by tests, not by the launcher: never "unknown". */
    static final Set<String> NOT_SETTINGS = Set.of("SENTINEL_JAVA_OPTS", "SENTINEL_REQUIRE_SERVICES", "SENTINEL_JAR");

    private static final String LAUNCHER = "launcher";
    private static final String PORT_OR_OFF = "0 to 65535; 0 = off";

    static {
        // launcher
        add("SENTINEL_CONFIG", "", "a readable YAML file (environment only; same as --config)",
                "YAML file whose keys are merged under the environment", LAUNCHER, false);
        add("SENTINEL_DATA_DIR", "./data", "a writable directory (created if missing)",
                "Local state: message log, generated TLS pair, credentials file, security event files", LAUNCHER, false);
        add("SENTINEL_METRICS_PORT", "9090 proxy and all, 9091 broker, 9092 bridge", PORT_OR_OFF,
                "Port of the process's /metrics (Prometheus), /healthz and /readyz", LAUNCHER, false);
        add("SENTINEL_METRICS_BIND", "0.0.0.0", "an IP address or host name of this machine",
                "Address the metrics/health server binds", LAUNCHER, false);
        add("SENTINEL_SHUTDOWN_DELAY", "0s", "0s to 5m; 500ms, 10s, 1m",
                "On SIGTERM, /readyz answers 503 at once and the process goes on serving this long, so that a load "
                        + "balancer stops sending new connections (set it to the balancer's health-check interval)",
                LAUNCHER, false);
        add("SENTINEL_SHUTDOWN_GRACE", "30s", "0s to 10m; 500ms, 10s, 1m",
                "Then the proxy stops accepting and reading, and waits up to this long for the core's PUBACK of what "
                        + "it forwarded before it disconnects the devices (0s: stop at once)", LAUNCHER, false);
        add("SENTINEL_LOG_LEVEL", "info", "one of trace, debug, info, warn, error",
                "Log level (logs go to standard error)", LAUNCHER, false);

        // the engines' own descriptions: each key, default and range is written once, in its config class;
        // the launcher adds only what it does itself when a key is unset
        Map<String, String> launcherDefaults = Map.ofEntries(
                Map.entry("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "the bridge's SENTINEL_BRIDGE_CLIENT_ID=1000"),
                Map.entry("SENTINEL_BROKER_NODE_ID", "none (one broker)"),
                Map.entry("SENTINEL_BROKER_TLS_CERT", "all/demo: generated in SENTINEL_DATA_DIR/tls; broker: required"),
                Map.entry("SENTINEL_BROKER_TLS_KEY", "all/demo: generated"),
                Map.entry("SENTINEL_BROKER_CLIENT_CA", "all/demo: the generated core CA"),
                Map.entry("SENTINEL_INSPECT_RATE_EXEMPT", "the bridge's SENTINEL_BRIDGE_CLIENT_ID"),
                Map.entry("SENTINEL_BRIDGE_CORE", "127.0.0.1:1884 (all: the in-process broker)"),
                Map.entry("SENTINEL_BRIDGE_CORE_TLS_CERT", "all: generated in SENTINEL_DATA_DIR/tls; else unset (plain, warning)"),
                Map.entry("SENTINEL_BRIDGE_CORE_TLS_KEY", "all: generated"),
                Map.entry("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:1884 (all: the in-process broker)"),
                Map.entry("SENTINEL_PROXY_UPSTREAM_TLS_CERT", "all: generated in SENTINEL_DATA_DIR/tls; else unset (plain, warning)"),
                Map.entry("SENTINEL_PROXY_UPSTREAM_TLS_KEY", "all: generated"),
                Map.entry("SENTINEL_CORE_CA", "all: generated in SENTINEL_DATA_DIR/tls/core-ca.pem"),
                Map.entry("SENTINEL_AUTH_FILE", "SENTINEL_DATA_DIR/credentials"),
                Map.entry("SENTINEL_RL_REDIS_URI", "(unset: the GLOBAL tier is per proxy)"));
        engine("sentinel-inspect (events)", EventsConfig.settings(), launcherDefaults);
        engine("sentinel-proxy", ProxyConfig.settings(), launcherDefaults);
        engine("sentinel-ratelimit", RateLimitConfig.settings(), launcherDefaults);
        engine("sentinel-ratelimit-redis", RedisGlobalTierConfig.settings(), launcherDefaults);
        engine("sentinel-broker", BrokerConfig.settings(), launcherDefaults);
        engine("sentinel-store", StoreConfig.settings(), launcherDefaults);
        engine("sentinel-store-kafka", KafkaLogConfig.settings(), launcherDefaults);
        engine("sentinel-broker (quarantine)", QuarantineConfig.settings(), launcherDefaults);
        engine("sentinel-inspect", InspectorConfig.settings(), launcherDefaults);
        engine("sentinel-bridge", BridgeConfig.settings(), launcherDefaults);
        engine("sentinel-admin", AdminConfig.settings(), launcherDefaults);
    }

    private Settings() {
    }

    private static void engine(String owner, List<? extends io.mqttsentinel.config.Setting<?>> settings,
                               Map<String, String> launcherDefaults) {
        for (io.mqttsentinel.config.Setting<?> s : settings) {
            Setting existing = ALL.get(s.key());
            if (existing != null) {
                // a key two engines read (SENTINEL_CORE_CA: proxy and bridge): listed once, where it came first
                if (s.isSecret() != existing.secret()) {
                    throw new IllegalStateException(s.key() + " is secret for one engine and not for another");
                }
                continue;
            }
            add(s.key(), launcherDefaults.getOrDefault(s.key(), s.defaultValue()), s.allowed(), s.doc(), owner,
                    s.isSecret());
        }
    }

    private static void add(String key, String def, String allowed, String description, String owner, boolean secret) {
        Setting s = new Setting(key, def, allowed, description, owner, secret);
        if (ALL.putIfAbsent(key, s) != null) {
            throw new IllegalStateException("duplicate setting " + key);
        }
    }

    /** @return every setting, in reference order, grouped by owner */
    static List<Setting> all() {
        return Collections.unmodifiableList(new ArrayList<>(ALL.values()));
    }

    /**
     * @param key an environment variable name
     * @return its setting, if known
     */
    static Optional<Setting> find(String key) {
        return Optional.ofNullable(ALL.get(key));
    }

    /**
     * @param key a setting's name
     * @return {@code true} when its value must not be printed in full: catalogued secrets and any key
     *         whose name says it holds a secret
     */
    static boolean isSecret(String key) {
        Setting s = ALL.get(key);
        if (s != null && s.secret()) {
            return true;
        }
        String k = key.toUpperCase(Locale.ROOT);
        return k.contains("PASSWORD") || k.contains("SECRET") || k.contains("TOKEN") || k.endsWith("_PASS")
                || k.contains("CREDENTIALS_VALUE");
    }

    /**
     * @param key an unknown key
     * @return the closest known key within a small edit distance, for a "did you mean" hint
     */
    static Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : ALL.keySet()) {
            int d = distance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 6) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
