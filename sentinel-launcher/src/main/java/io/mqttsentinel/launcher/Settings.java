package io.mqttsentinel.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.inspect.InspectorConfig;
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
    private static final String PORT_OR_EPHEMERAL = "0 to 65535 (0 = ephemeral)";
    private static final String RATE = "1 to 1000000000 packets/s";
    private static final String BURST = "1 to 1000000000 packets";

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
        add("SENTINEL_LOG_LEVEL", "info", "one of trace, debug, info, warn, error",
                "Log level (logs go to standard error)", LAUNCHER, false);
        add("SENTINEL_EVENTS_TOPIC", "", "an MQTT topic without wildcards",
                "Also publish the broker's security events as JSON on this core topic (unset: file only)", LAUNCHER, false);
        add("SENTINEL_EVENTS_FILE_MAX_BYTES", "100m", "0 (no size rotation), or 1k to 1t; bytes or k, m, g, t suffix",
                "Rotate a security event file (events/*-events.jsonl) once it reaches this size", LAUNCHER, false);
        add("SENTINEL_EVENTS_FILE_MAX_AGE", "", "1s to 366d; 45s, 30m, 24h, 1d or ISO-8601",
                "Also rotate a security event file opened this long ago, when the next event comes (unset: by size only)",
                LAUNCHER, false);
        add("SENTINEL_EVENTS_FILE_KEEP", "10", "0 to 1000", "Rotated security event files kept per file (.1 newest); "
                + "older ones are deleted", LAUNCHER, false);
        add("SENTINEL_EVENTS_SYSLOG", "", "tcp://host[:port] (default 514) or tls://host[:port] (default 6514)",
                "Also send security events to this syslog receiver, RFC 5424 with structured data, octet-counted",
                LAUNCHER, false);
        add("SENTINEL_EVENTS_SYSLOG_CA", "", "a readable PEM file; only with tls://",
                "CAs that verify the syslog receiver (unset: the JVM's trust store)", LAUNCHER, false);
        add("SENTINEL_EVENTS_HTTP", "", "an absolute http:// or https:// URL",
                "Also POST security events as JSON arrays (up to 100 per request, 1 s apart at most) to this collector",
                LAUNCHER, false);
        add("SENTINEL_EVENTS_HTTP_TOKEN", "", "printable ASCII without spaces",
                "Sent as 'Authorization: Bearer <token>' to SENTINEL_EVENTS_HTTP", LAUNCHER, true);
        add("SENTINEL_EVENTS_HTTP_CA", "", "a readable PEM file", "CAs that verify an https:// SENTINEL_EVENTS_HTTP "
                + "(unset: the JVM's trust store)", LAUNCHER, false);

        // proxy
        String proxy = "sentinel-proxy";
        add("SENTINEL_PROXY_TLS_PORT", "8883", PORT_OR_EPHEMERAL, "MQTTS listener of the edge proxy", proxy, false);
        add("SENTINEL_PROXY_PLAIN_PORT", "", "1 to 65535, or 0 (none, off) = no plain listener",
                "Plain MQTT listener (for a TLS-terminating load balancer in front); unset = none", proxy, false);
        add("SENTINEL_PROXY_BIND", "0.0.0.0", "a local address", "Address the proxy's listeners bind", proxy, false);
        add("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:1884 (all: the in-process broker)",
                "comma-separated host:port (1 to 64 broker nodes), port 1 to 65535",
                "The core broker node(s) the proxy forwards admitted traffic to; with several, each device goes to the"
                        + " healthy node its client id ranks first, and fails over", proxy, false);
        add("SENTINEL_PROXY_UPSTREAM_RETRY", "2s", "100ms to 5m",
                "How long a broker node that failed a connect (or a probe after a dropped connection) is skipped",
                proxy, false);
        add("SENTINEL_PROXY_UPSTREAM_TLS_CERT", "all: generated in SENTINEL_DATA_DIR/tls; else unset (plain, warning)",
                "a PEM certificate (chain) of the core CA; set with SENTINEL_PROXY_UPSTREAM_TLS_KEY and SENTINEL_CORE_CA",
                "The proxy's client certificate for the core's mutual TLS", proxy, false);
        add("SENTINEL_PROXY_UPSTREAM_TLS_KEY", "all: generated", "a PEM (PKCS#8) private key file",
                "Private key of SENTINEL_PROXY_UPSTREAM_TLS_CERT", proxy, false);
        add("SENTINEL_CORE_CA", "all: generated in SENTINEL_DATA_DIR/tls/core-ca.pem", "a PEM file of CA certificates",
                "The CA of the core link: proxy and bridge accept only broker certificates it issued (host names are not "
                        + "checked: the CA is private to the core link); read by proxy and bridge", proxy, false);
        add("SENTINEL_TLS_CERT", "", "a PEM certificate chain file; set together with SENTINEL_TLS_KEY",
                "Proxy server certificate; unset: a self-signed pair is generated into SENTINEL_DATA_DIR/tls (warning)",
                proxy, false);
        add("SENTINEL_TLS_KEY", "", "a PEM (PKCS#8) private key file", "Proxy private key", proxy, false);
        add("SENTINEL_TLS_CLIENT_AUTH", "none", "none, optional, require", "Ask devices for a client certificate",
                proxy, false);
        add("SENTINEL_TLS_CLIENT_CA", "", "a PEM file of CA certificates; required unless client auth is none",
                "CAs that sign device certificates", proxy, false);
        add("SENTINEL_TLS_RELOAD_INTERVAL", "30s", "100ms to 1d", "How often the certificate and key files are "
                + "checked for changes (rotation without restart)", proxy, false);
        add("SENTINEL_TLS_ENGINE", "openssl", "openssl (falls back to jdk when unavailable), jdk", "TLS implementation",
                proxy, false);
        add("SENTINEL_AUTH_URL", "", "an absolute http:// or https:// URL",
                "Customer auth endpoint (HTTP POST per CONNECT); unset: the credentials file SENTINEL_AUTH_FILE", proxy, false);
        add("SENTINEL_AUTH_FILE", "SENTINEL_DATA_DIR/credentials", "a file path",
                "Embedded credentials file used when SENTINEL_AUTH_URL is unset (sentinel devices add|remove|list)",
                proxy, false);
        add("SENTINEL_AUTH_CA", "", "a PEM bundle of CA certificates", "CAs that verify an https:// auth endpoint "
                + "(unset: the JDK's trust store)", proxy, false);
        add("SENTINEL_AUTH_TOKEN", "", "text", "Sent as 'Authorization: Bearer <token>' to the auth endpoint", proxy, true);
        add("SENTINEL_AUTH_CACHE_TTL", "60s", "0 to 1d (0 = no caching)", "How long an allow verdict is cached", proxy, false);
        add("SENTINEL_AUTH_DENY_CACHE_TTL", "5s", "0 to SENTINEL_AUTH_CACHE_TTL", "How long a deny verdict is cached "
                + "(outages are never cached)", proxy, false);
        add("SENTINEL_AUTH_CACHE_SIZE", "100000", "1 to 100000000", "Most verdicts cached", proxy, false);
        add("SENTINEL_AUTH_TIMEOUT", "2s", "10ms to 60s", "Timeout of one HTTP auth call (then: denied, CONNACK 0x05)",
                proxy, false);
        add("SENTINEL_AUTH_MAX_CONCURRENT", "256", "1 to 100000", "Most HTTP auth calls in flight; more wait in the queue",
                proxy, false);
        add("SENTINEL_AUTH_QUEUE_SIZE", "10000", "0 to 1000000 (0 = none wait)", "Most CONNECTs waiting, first come first "
                + "served, for an auth call slot; beyond it: denied at once (outage, not cached)", proxy, false);
        add("SENTINEL_AUTH_QUEUE_TIMEOUT", "3s", "10ms to 5m", "Longest wait for an auth call slot (then: denied, "
                + "CONNACK 0x05); waiting never opens the circuit breaker", proxy, false);
        add("SENTINEL_AUTH_BREAKER_FAILURES", "5", "1 to 1000", "Consecutive auth outages that open the circuit breaker",
                proxy, false);
        add("SENTINEL_AUTH_BREAKER_DELAY", "5s", "10ms to 10m", "Open-breaker delay before a trial call", proxy, false);
        add("SENTINEL_PROXY_MAX_CONNECTIONS", "1000000", "1 to 10000000", "Most device connections held", proxy, false);
        add("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", "1000", "1 to 10000000", "Most connections per source IP",
                proxy, false);
        add("SENTINEL_PROXY_BANDWIDTH_PER_IP", "1048576", "0 (unlimited) or 1024 to 10737418240 bytes/s",
                "Inbound bandwidth per source IP", proxy, false);
        add("SENTINEL_PROXY_HANDSHAKES_PER_IP", "100", "0 (unlimited) to 1000000 per second",
                "TLS handshakes per second per source address, refused at accept before any TLS work", proxy, false);
        add("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "200", "1 to 1000000", "TLS handshakes a source may start at once",
                proxy, false);
        add("SENTINEL_PROXY_PROXY_PROTOCOL", "off", "off, on (v1 and v2)", "Expect a PROXY protocol header from the "
                + "trusted load balancers, so limits, tiers, auth and logs see the device's address", proxy, false);
        add("SENTINEL_PROXY_TRUSTED_PROXIES", "", "comma-separated IP addresses or CIDR networks; required when "
                + "SENTINEL_PROXY_PROXY_PROTOCOL is on", "Load balancers whose PROXY header is believed; a header from "
                + "any other address is refused", proxy, false);
        add("SENTINEL_PROXY_MAX_PACKET_SIZE", "262144", "16 to 268435455 bytes", "Largest MQTT packet accepted", proxy, false);
        add("SENTINEL_PROXY_MAX_PENDING_BYTES", "65536", "1024 to 67108864 bytes", "Bytes buffered per connection "
                + "before reads pause (backpressure)", proxy, false);
        add("SENTINEL_PROXY_TLS_HANDSHAKE_TIMEOUT", "10s", "100ms to 5m", "TLS handshake deadline", proxy, false);
        add("SENTINEL_PROXY_CONNECT_TIMEOUT", "10s", "100ms to 5m", "Deadline for the first packet (CONNECT)", proxy, false);
        add("SENTINEL_PROXY_AUTH_TIMEOUT", "5s", "10ms to 5m", "Deadline for the whole auth verdict, cache included",
                proxy, false);
        add("SENTINEL_PROXY_UPSTREAM_CONNECT_TIMEOUT", "5s", "10ms to 5m", "Deadline to connect to the core broker",
                proxy, false);
        add("SENTINEL_PROXY_ACL_PUBLISH", "clients/{client_id}/#", "comma-separated topic filters; {client_id}, {username}",
                "Default topics a device may publish to (an auth endpoint may override per device)", proxy, false);
        add("SENTINEL_PROXY_ACL_SUBSCRIBE", "clients/{client_id}/alerts", "comma-separated topic filters",
                "Default topics a device may subscribe to", proxy, false);
        add("SENTINEL_PROXY_FORWARD_USERNAME", "true", "true, false", "Forward the device's user name to the broker",
                proxy, false);
        add("SENTINEL_PROXY_WORKER_THREADS", "0 (twice the cores)", "0 to 1024", "Proxy I/O threads", proxy, false);

        // rate limits (seed defaults)
        rl("GLOBAL", "10000", "5000", "All traffic (platform-wide DDoS protection)");
        rl("IP", "100", "1000", "Per source IP");
        rl("CONNECT", "10", "500", "CONNECT per source IP (anti brute force)");
        rl("PUBLISH", "100", "500", "PUBLISH per client id");
        rl("SUBSCRIBE", "20", "500", "SUBSCRIBE per client id");
        rl("CLIENT", "50", "500", "Every packet per client id");
        String rl = "sentinel-ratelimit";
        add("SENTINEL_RL_MAX_KEYS", "1048576", "1 to 134217728", "Most keys (IPs, client ids) tracked per tier; a new "
                + "key beyond is rejected (fails closed)", rl, false);
        add("SENTINEL_RL_IDLE_SECONDS", "30", "0 to 86400", "A bucket full for this long is forgotten", rl, false);
        add("SENTINEL_RL_IPV6_PREFIX", "64", "1 to 64", "IPv6 sources share a bucket per prefix of this length", rl, false);

        String redis = "sentinel-ratelimit-redis";
        add("SENTINEL_RL_REDIS_URI", "", "a Redis URI: redis://[:password@]host:port[/db] or rediss:// (TLS)",
                "Share the GLOBAL tier across the proxy fleet through Redis; unset: a local GLOBAL bucket", redis, false);
        add("SENTINEL_RL_REDIS_FLEET_SIZE", "1", "1 to 10000", "Proxies sharing the limit; while Redis is unreachable "
                + "each admits 1/fleet size of it", redis, false);
        add("SENTINEL_RL_REDIS_KEY_PREFIX", "sentinel:rl:", "text; the same on every proxy of a fleet",
                "Prefix of the shared bucket's Redis key", redis, false);
        add("SENTINEL_RL_REDIS_LEASE_SIZE", "10 ms of the GLOBAL rate (at least 1, at most the burst)", "1 to 1000000000",
                "Tokens leased from Redis at a time", redis, false);
        add("SENTINEL_RL_REDIS_TIMEOUT_MS", "200", "10 to 10000", "Lease deadline before the local share is used",
                redis, false);

        // the engines' own descriptions: each key, default and range is written once, in its config class;
        // the launcher adds only what it does itself when a key is unset
        Map<String, String> launcherDefaults = Map.of(
                "SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "the bridge's SENTINEL_BRIDGE_CLIENT_ID=1000",
                "SENTINEL_BROKER_NODE_ID", "none (one broker)",
                "SENTINEL_BROKER_TLS_CERT", "all/demo: generated in SENTINEL_DATA_DIR/tls; broker: required",
                "SENTINEL_BROKER_TLS_KEY", "all/demo: generated",
                "SENTINEL_BROKER_CLIENT_CA", "all/demo: the generated core CA",
                "SENTINEL_INSPECT_RATE_EXEMPT", "the bridge's SENTINEL_BRIDGE_CLIENT_ID",
                "SENTINEL_BRIDGE_CORE", "127.0.0.1:1884 (all: the in-process broker)",
                "SENTINEL_BRIDGE_CORE_TLS_CERT", "all: generated in SENTINEL_DATA_DIR/tls; else unset (plain, warning)",
                "SENTINEL_BRIDGE_CORE_TLS_KEY", "all: generated");
        engine("sentinel-broker", BrokerConfig.settings(), launcherDefaults);
        engine("sentinel-store", StoreConfig.settings(), launcherDefaults);
        engine("sentinel-store-kafka", KafkaLogConfig.settings(), launcherDefaults);
        engine("sentinel-inspect", InspectorConfig.settings(), launcherDefaults);
        engine("sentinel-bridge", BridgeConfig.settings(), launcherDefaults);
    }

    private Settings() {
    }

    private static void rl(String tier, String rate, String burst, String scope) {
        add("SENTINEL_RL_" + tier + "_RATE", rate, RATE, "Rate-limit tier " + tier + ": " + scope + ", refill rate",
                "sentinel-ratelimit", false);
        add("SENTINEL_RL_" + tier + "_BURST", burst, BURST, "Rate-limit tier " + tier + ": " + scope + ", burst",
                "sentinel-ratelimit", false);
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
