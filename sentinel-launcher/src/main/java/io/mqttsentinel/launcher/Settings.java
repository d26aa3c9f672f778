package io.mqttsentinel.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of every {@code SENTINEL_*} setting that the launcher and the engines understand, in the
 * order of the configuration reference. Engines parse their own keys (their {@code fromEnvironment(Map)});
 * this list documents them, prints them ({@code sentinel config}) and catches typos.
 */
final class Settings {
    private static final Map<String, Setting> ALL = new LinkedHashMap<>();

    /** Variables read by the {@code sentinel} script or by tests, not by the launcher: never "unknown". */
    static final Set<String> NOT_SETTINGS = Set.of("SENTINEL_JAVA_OPTS", "SENTINEL_REQUIRE_SERVICES", "SENTINEL_JAR");

    private static final String PORT = "an integer in [1, 65535]";
    private static final String PORT_OR_OFF = "an integer in [0, 65535]; 0 = off";
    private static final String DURATION = "a duration: a number with unit ms, s, m, h or d (e.g. 60s)";
    private static final String RATE = "a number > 0 (tokens per second)";
    private static final String BURST = "an integer >= 1 (bucket capacity)";

    static {
        // launcher
        add("SENTINEL_CONFIG", "", "a readable YAML file (environment only; same as --config)",
                "YAML file whose keys are merged under the environment", "launcher", false);
        add("SENTINEL_DATA_DIR", "./data", "a writable directory (created if missing)",
                "Root of the local state: message log, generated TLS pair, credentials file, security events",
                "launcher", false);
        add("SENTINEL_METRICS_PORT", "9090 proxy, 9091 broker, 9092 bridge, 9090 all", PORT_OR_OFF,
                "Port of the process's /metrics (Prometheus), /healthz and /readyz", "launcher", false);
        add("SENTINEL_METRICS_BIND", "0.0.0.0", "an IP address or host name of this machine",
                "Address the metrics/health server binds", "launcher", false);
        add("SENTINEL_LOG_LEVEL", "info", "one of trace, debug, info, warn, error",
                "Log level of the process (logs go to standard error)", "launcher", false);

        // proxy
        add("SENTINEL_PROXY_TLS_PORT", "8883", PORT, "MQTTS listener of the edge proxy", "sentinel-proxy", false);
        add("SENTINEL_PROXY_PLAIN_PORT", "0", PORT_OR_OFF,
                "Plain MQTT listener of the edge proxy (for a TLS-terminating load balancer in front)",
                "sentinel-proxy", false);
        add("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:1884", "host:port of the core broker",
                "Where the proxy forwards admitted traffic", "sentinel-proxy", false);
        add("SENTINEL_TLS_CERT", "", "a PEM certificate chain file",
                "Proxy server certificate; unset: a self-signed pair is generated into SENTINEL_DATA_DIR/tls",
                "launcher", false);
        add("SENTINEL_TLS_KEY", "", "a PEM (PKCS#8) private key file matching SENTINEL_TLS_CERT",
                "Proxy private key", "launcher", false);
        add("SENTINEL_AUTH_URL", "", "an http:// or https:// URL",
                "Customer auth endpoint (HTTP POST per CONNECT); unset: the credentials file SENTINEL_AUTH_FILE",
                "sentinel-proxy", false);
        add("SENTINEL_AUTH_FILE", "SENTINEL_DATA_DIR/credentials", "a file path",
                "Embedded credentials file used when SENTINEL_AUTH_URL is unset (sentinel devices add|remove|list)",
                "launcher", false);
        add("SENTINEL_AUTH_CACHE_TTL", "60s", DURATION, "How long an auth verdict is cached", "sentinel-proxy", false);

        // rate limits (seed defaults)
        rl("GLOBAL", "10000", "5000", "All traffic (platform-wide DDoS protection)");
        rl("IP", "100", "1000", "Per source IP");
        rl("CONNECT", "10", "500", "CONNECT per source IP (anti brute force)");
        rl("PUBLISH", "100", "500", "PUBLISH per client id");
        rl("SUBSCRIBE", "20", "500", "SUBSCRIBE per client id");
        rl("CLIENT", "50", "500", "Every packet per client id");

        // broker and store
        add("SENTINEL_BROKER_PORT", "1884", PORT, "MQTT listener of the core broker", "sentinel-broker", false);
        add("SENTINEL_STORE_RETENTION", "72h", DURATION, "Age after which logged messages are deleted",
                "sentinel-store", false);

        // bridge
        add("SENTINEL_BRIDGE_ORIGIN_URL", "", "a ws:// or wss:// URL",
                "Origin's MQTT-over-WebSocket endpoint (behind the customer's WAF)", "sentinel-bridge", false);
    }

    private Settings() {
    }

    private static void rl(String tier, String rate, String burst, String scope) {
        add("SENTINEL_RL_" + tier + "_RATE", rate, RATE, "Rate-limit tier " + tier + ": " + scope + ", refill rate",
                "sentinel-ratelimit", false);
        add("SENTINEL_RL_" + tier + "_BURST", burst, BURST, "Rate-limit tier " + tier + ": " + scope + ", burst",
                "sentinel-ratelimit", false);
    }

    private static void add(String key, String def, String allowed, String description, String owner, boolean secret) {
        Setting s = new Setting(key, def, allowed, description, owner, secret);
        if (ALL.putIfAbsent(key, s) != null) {
            throw new IllegalStateException("duplicate setting " + key);
        }
    }

    /** @return every setting, in reference order */
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
