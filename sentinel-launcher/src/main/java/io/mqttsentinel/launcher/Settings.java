package io.mqttsentinel.launcher;

import java.util.Map;
import java.util.Set;

import io.mqttsentinel.admin.AdminConfig;
import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.QuarantineConfig;
import io.mqttsentinel.config.SettingsCatalogue;
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
    /** Variables read by the {@code sentinel} script or by tests, not by the launcher: never "unknown". */
    static final Set<String> NOT_SETTINGS = Set.of("SENTINEL_JAVA_OPTS", "SENTINEL_REQUIRE_SERVICES", "SENTINEL_JAR");

    private static final String LAUNCHER = "Launcher: process, data directory, metrics, logs";
    /** What the launcher does itself when a key is unset; every other default is the engine's, written once in its config class. */
    private static final Map<String, String> LAUNCHER_DEFAULTS = Map.ofEntries(
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

    static final SettingsCatalogue CATALOGUE = SettingsCatalogue.builder()
            .add(LAUNCHER, "SENTINEL_CONFIG", "", "a readable YAML file (environment only; same as --config)",
                    "YAML file whose keys are merged under the environment")
            .add(LAUNCHER, LauncherSettings.SETTINGS, Map.of())
            .add("Security events (sentinel-inspect): files, core topic, syslog, HTTP, Kafka", EventsConfig.settings(),
                    LAUNCHER_DEFAULTS)
            .add("Edge proxy (sentinel-proxy): listeners, TLS, authentication, L3/L4 limits, ACL", ProxyConfig.settings(),
                    LAUNCHER_DEFAULTS)
            .add("Rate limits (sentinel-ratelimit): the six tiers, evaluated in this order", RateLimitConfig.settings(),
                    LAUNCHER_DEFAULTS)
            .add("Fleet-wide GLOBAL tier on Redis (sentinel-ratelimit-redis)", RedisGlobalTierConfig.settings(),
                    LAUNCHER_DEFAULTS)
            .add("Core broker (sentinel-broker)", BrokerConfig.settings(), LAUNCHER_DEFAULTS)
            .add("Message log (sentinel-store)", StoreConfig.settings(), LAUNCHER_DEFAULTS)
            .add("Message log on Kafka (sentinel-store-kafka)", KafkaLogConfig.settings(), LAUNCHER_DEFAULTS)
            .add("Quarantine store (sentinel-broker): its own log and retention", QuarantineConfig.settings(),
                    LAUNCHER_DEFAULTS)
            .add("Payload inspection (sentinel-inspect)", InspectorConfig.settings(), LAUNCHER_DEFAULTS)
            .add("Bridge to the origin (sentinel-bridge)", BridgeConfig.settings(), LAUNCHER_DEFAULTS)
            .add("Admin API and its commands (sentinel-admin)", AdminConfig.settings(), LAUNCHER_DEFAULTS)
            .build();

    private Settings() {
    }
}
