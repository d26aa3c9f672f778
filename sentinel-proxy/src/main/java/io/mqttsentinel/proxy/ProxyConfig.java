package io.mqttsentinel.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.mqtt.Topics;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.FileAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;

/**
 * The proxy's configuration from {@code SENTINEL_*} environment variables: immutable and validated. An invalid
 * value fails {@link #fromEnvironment(Map)} with an {@link IllegalArgumentException} that names the key, the
 * value and the allowed range. Durations are written as a number of seconds ({@code 30}) or with a unit
 * ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}).
 *
 * <table>
 * <caption>Keys, defaults and ranges</caption>
 * <tr><th>key</th><th>default</th><th>allowed</th></tr>
 * <tr><td>SENTINEL_PROXY_TLS_PORT</td><td>8883</td><td>0 to 65535 (0 = ephemeral)</td></tr>
 * <tr><td>SENTINEL_PROXY_PLAIN_PORT</td><td>0 = no plain listener</td><td>1 to 65535, or 0/none/off = no plain listener</td></tr>
 * <tr><td>SENTINEL_PROXY_BIND</td><td>0.0.0.0</td><td>a local address</td></tr>
 * <tr><td>SENTINEL_PROXY_UPSTREAM</td><td>127.0.0.1:1884</td><td>comma-separated host:port (1 to 64 broker nodes), port 1 to 65535</td></tr>
 * <tr><td>SENTINEL_PROXY_UPSTREAM_RETRY</td><td>2s</td><td>100ms to 5m: how long a failed broker node is skipped</td></tr>
 * <tr><td>SENTINEL_PROXY_UPSTREAM_TLS_CERT / SENTINEL_PROXY_UPSTREAM_TLS_KEY</td><td>unset = plain MQTT to the core
 * (the launcher's {@code all} sets its generated pair)</td><td>PEM files: the proxy's client certificate of the core CA
 * and its PKCS#8 key; set with SENTINEL_CORE_CA</td></tr>
 * <tr><td>SENTINEL_CORE_CA</td><td>unset</td><td>PEM file: the CA of the core's mutual TLS</td></tr>
 * <tr><td>SENTINEL_TLS_CERT / SENTINEL_TLS_KEY</td><td>unset (the launcher generates a self-signed pair)</td><td>PEM files; both or neither</td></tr>
 * <tr><td>SENTINEL_TLS_CLIENT_AUTH</td><td>none</td><td>none, optional, require</td></tr>
 * <tr><td>SENTINEL_TLS_CLIENT_CA</td><td>unset</td><td>PEM file; required unless client auth is none</td></tr>
 * <tr><td>SENTINEL_TLS_RELOAD_INTERVAL</td><td>30s</td><td>100ms to 1 day</td></tr>
 * <tr><td>SENTINEL_TLS_ENGINE</td><td>openssl</td><td>openssl (falls back to jdk when unavailable), jdk</td></tr>
 * <tr><td>SENTINEL_AUTH_URL</td><td>unset = use the credentials file</td><td>absolute http or https URL</td></tr>
 * <tr><td>SENTINEL_AUTH_CA</td><td>unset = the JDK's trust store</td><td>PEM bundle that verifies an https auth endpoint</td></tr>
 * <tr><td>SENTINEL_AUTH_TOKEN</td><td>unset</td><td>sent as {@code Authorization: Bearer <token>} to the auth endpoint</td></tr>
 * <tr><td>SENTINEL_AUTH_FILE</td><td>sentinel-devices.txt</td><td>a path</td></tr>
 * <tr><td>SENTINEL_AUTH_CACHE_TTL</td><td>60s</td><td>0 to 1 day (0 = no caching)</td></tr>
 * <tr><td>SENTINEL_AUTH_DENY_CACHE_TTL</td><td>5s</td><td>0 to SENTINEL_AUTH_CACHE_TTL</td></tr>
 * <tr><td>SENTINEL_AUTH_CACHE_SIZE</td><td>100000</td><td>1 to 100000000</td></tr>
 * <tr><td>SENTINEL_AUTH_TIMEOUT</td><td>2s</td><td>10ms to 60s (one HTTP call)</td></tr>
 * <tr><td>SENTINEL_AUTH_MAX_CONCURRENT</td><td>256</td><td>1 to 100000 HTTP calls in flight</td></tr>
 * <tr><td>SENTINEL_AUTH_QUEUE_SIZE</td><td>10000</td><td>0 to 1000000 callers waiting for a call slot (0 = none wait)</td></tr>
 * <tr><td>SENTINEL_AUTH_QUEUE_TIMEOUT</td><td>3s</td><td>10ms to 5m waiting for a call slot</td></tr>
 * <tr><td>SENTINEL_AUTH_BREAKER_FAILURES</td><td>5</td><td>1 to 1000 consecutive outages</td></tr>
 * <tr><td>SENTINEL_AUTH_BREAKER_DELAY</td><td>5s</td><td>10ms to 10m</td></tr>
 * <tr><td>SENTINEL_PROXY_MAX_CONNECTIONS</td><td>1000000</td><td>1 to 10000000</td></tr>
 * <tr><td>SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP</td><td>1000</td><td>1 to 10000000</td></tr>
 * <tr><td>SENTINEL_PROXY_BANDWIDTH_PER_IP</td><td>1048576 (bytes/s)</td><td>0 (unlimited) or 1024 to 10737418240</td></tr>
 * <tr><td>SENTINEL_PROXY_MAX_PACKET_SIZE</td><td>262144</td><td>16 to 268435455</td></tr>
 * <tr><td>SENTINEL_PROXY_MAX_PENDING_BYTES</td><td>65536</td><td>1024 to 67108864</td></tr>
 * <tr><td>SENTINEL_PROXY_HANDSHAKES_PER_IP</td><td>100</td><td>0 (unlimited) to 1000000 TLS handshakes per second per source</td></tr>
 * <tr><td>SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP</td><td>200</td><td>1 to 1000000</td></tr>
 * <tr><td>SENTINEL_PROXY_PROXY_PROTOCOL</td><td>off</td><td>off, on (v1 and v2; needs SENTINEL_PROXY_TRUSTED_PROXIES)</td></tr>
 * <tr><td>SENTINEL_PROXY_TRUSTED_PROXIES</td><td>unset</td><td>comma-separated IP addresses or CIDR networks of the load balancers</td></tr>
 * <tr><td>SENTINEL_PROXY_TLS_HANDSHAKE_TIMEOUT</td><td>10s</td><td>100ms to 5m</td></tr>
 * <tr><td>SENTINEL_PROXY_CONNECT_TIMEOUT</td><td>10s</td><td>100ms to 5m</td></tr>
 * <tr><td>SENTINEL_PROXY_AUTH_TIMEOUT</td><td>5s</td><td>10ms to 5m (whole verdict, cache included)</td></tr>
 * <tr><td>SENTINEL_PROXY_UPSTREAM_CONNECT_TIMEOUT</td><td>5s</td><td>10ms to 5m</td></tr>
 * <tr><td>SENTINEL_PROXY_ACL_PUBLISH</td><td>clients/{client_id}/#</td><td>comma-separated filters</td></tr>
 * <tr><td>SENTINEL_PROXY_ACL_SUBSCRIBE</td><td>clients/{client_id}/alerts</td><td>comma-separated filters</td></tr>
 * <tr><td>SENTINEL_PROXY_FORWARD_USERNAME</td><td>true</td><td>true, false</td></tr>
 * <tr><td>SENTINEL_PROXY_WORKER_THREADS</td><td>0 (twice the cores)</td><td>0 to 1024</td></tr>
 * </table>
 */
public final class ProxyConfig {
    /** The default MQTTS port. */
    public static final int DEFAULT_TLS_PORT = 8883;
    /** The default port of the core broker. */
    public static final int DEFAULT_UPSTREAM_PORT = 1884;
    /** The default of SENTINEL_PROXY_UPSTREAM_RETRY. */
    public static final Duration DEFAULT_UPSTREAM_RETRY = Duration.ofSeconds(2);
    /** The most broker nodes SENTINEL_PROXY_UPSTREAM may name. */
    public static final int MAX_UPSTREAMS = 64;
    /** Environment key of the proxy's client certificate for the core (mutual TLS). */
    public static final String UPSTREAM_TLS_CERT = "SENTINEL_PROXY_UPSTREAM_TLS_CERT";
    /** Environment key of that certificate's private key. */
    public static final String UPSTREAM_TLS_KEY = "SENTINEL_PROXY_UPSTREAM_TLS_KEY";
    /** Environment key of the core's CA (shared with the bridge). */
    public static final String CORE_CA = "SENTINEL_CORE_CA";
    /** The default credentials file. */
    public static final String DEFAULT_AUTH_FILE = "sentinel-devices.txt";
    /** The default of SENTINEL_PROXY_HANDSHAKES_PER_IP. */
    public static final long DEFAULT_HANDSHAKES_PER_IP = 100;
    /** The default of SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP. */
    public static final int DEFAULT_HANDSHAKE_BURST_PER_IP = 200;

    private final int tlsPort;
    private final int plainPort;
    private final String bindAddress;
    private final List<InetSocketAddress> upstreams;
    private final Duration upstreamRetry;
    private final Path upstreamTlsCert;
    private final Path upstreamTlsKey;
    private final Path coreCa;
    private final Path tlsCert;
    private final Path tlsKey;
    private final ClientAuthMode clientAuth;
    private final Path tlsClientCa;
    private final Duration tlsReloadInterval;
    private final boolean preferOpenSsl;
    private final URI authUrl;
    private final Path authFile;
    private final Path authCa;
    private final String authToken;
    private final Duration authCacheTtl;
    private final Duration authDenyCacheTtl;
    private final long authCacheSize;
    private final Duration authTimeout;
    private final int authMaxConcurrent;
    private final int authQueueSize;
    private final Duration authQueueTimeout;
    private final int authBreakerFailures;
    private final Duration authBreakerDelay;
    private final ProxyLimits limits;
    private final TopicPermissions defaultPermissions;
    private final boolean forwardUsername;
    private final int workerThreads;
    private final long handshakesPerIp;
    private final int handshakeBurstPerIp;
    private final List<String> trustedProxies;

    private ProxyConfig(Map<String, String> env) {
        Reader r = new Reader(env);
        tlsPort = (int) r.longValue("SENTINEL_PROXY_TLS_PORT", DEFAULT_TLS_PORT, 0, 65_535);
        String plain = r.string("SENTINEL_PROXY_PLAIN_PORT", null);
        // the launcher contract: 0 = off (a plain listener on an ephemeral port is of no use to an operator)
        plainPort = plain == null || plain.equals("0") || plain.equalsIgnoreCase("none") || plain.equalsIgnoreCase("off")
                || plain.equals("-1") ? -1 : (int) r.longValue("SENTINEL_PROXY_PLAIN_PORT", -1, 1, 65_535);
        bindAddress = r.string("SENTINEL_PROXY_BIND", "0.0.0.0");
        upstreams = upstreams(r);
        upstreamRetry = r.duration("SENTINEL_PROXY_UPSTREAM_RETRY", DEFAULT_UPSTREAM_RETRY, Duration.ofMillis(100),
                Duration.ofMinutes(5));
        String upCert = r.string(UPSTREAM_TLS_CERT, null);
        String upKey = r.string(UPSTREAM_TLS_KEY, null);
        String coreCaValue = r.string(CORE_CA, null);
        if (!((upCert == null) == (upKey == null) && (upKey == null) == (coreCaValue == null))) {
            throw new IllegalArgumentException(UPSTREAM_TLS_CERT + ", " + UPSTREAM_TLS_KEY + " and " + CORE_CA
                    + " must be set together (cert=" + upCert + ", key=" + upKey + ", core CA=" + coreCaValue + ")");
        }
        upstreamTlsCert = upCert == null ? null : Path.of(upCert);
        upstreamTlsKey = upKey == null ? null : Path.of(upKey);
        coreCa = coreCaValue == null ? null : Path.of(coreCaValue);
        String cert = r.string("SENTINEL_TLS_CERT", null);
        String key = r.string("SENTINEL_TLS_KEY", null);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("SENTINEL_TLS_CERT and SENTINEL_TLS_KEY must be set together (cert="
                    + cert + ", key=" + key + ")");
        }
        tlsCert = cert == null ? null : Path.of(cert);
        tlsKey = key == null ? null : Path.of(key);
        try {
            clientAuth = ClientAuthMode.parse(r.string("SENTINEL_TLS_CLIENT_AUTH", "none"));
        } catch (IllegalArgumentException e) {
            throw r.invalid("SENTINEL_TLS_CLIENT_AUTH", env.get("SENTINEL_TLS_CLIENT_AUTH"), "none, optional or require");
        }
        String ca = r.string("SENTINEL_TLS_CLIENT_CA", null);
        if (clientAuth != ClientAuthMode.NONE && ca == null) {
            throw new IllegalArgumentException("SENTINEL_TLS_CLIENT_CA is required when SENTINEL_TLS_CLIENT_AUTH is "
                    + clientAuth.name().toLowerCase(Locale.ROOT));
        }
        tlsClientCa = ca == null ? null : Path.of(ca);
        tlsReloadInterval = r.duration("SENTINEL_TLS_RELOAD_INTERVAL", Duration.ofSeconds(30), Duration.ofMillis(100),
                Duration.ofDays(1));
        String engine = r.string("SENTINEL_TLS_ENGINE", "openssl").toLowerCase(Locale.ROOT);
        if (!engine.equals("openssl") && !engine.equals("jdk")) {
            throw r.invalid("SENTINEL_TLS_ENGINE", engine, "openssl or jdk");
        }
        preferOpenSsl = engine.equals("openssl");
        String url = r.string("SENTINEL_AUTH_URL", null);
        if (url != null) {
            try {
                URI u = new URI(url);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
                    throw r.invalid("SENTINEL_AUTH_URL", url, "an absolute http:// or https:// URL");
                }
                authUrl = u;
            } catch (URISyntaxException e) {
                throw r.invalid("SENTINEL_AUTH_URL", url, "an absolute http:// or https:// URL");
            }
        } else {
            authUrl = null;
        }
        authFile = Path.of(r.string("SENTINEL_AUTH_FILE", DEFAULT_AUTH_FILE));
        String authCaValue = r.string("SENTINEL_AUTH_CA", null);
        authCa = authCaValue == null ? null : Path.of(authCaValue);
        authToken = r.string("SENTINEL_AUTH_TOKEN", null);
        authCacheTtl = r.duration("SENTINEL_AUTH_CACHE_TTL", Duration.ofSeconds(60), Duration.ZERO, Duration.ofDays(1));
        authDenyCacheTtl = r.duration("SENTINEL_AUTH_DENY_CACHE_TTL",
                authCacheTtl.compareTo(Duration.ofSeconds(5)) < 0 ? authCacheTtl : Duration.ofSeconds(5), Duration.ZERO,
                authCacheTtl);
        authCacheSize = r.longValue("SENTINEL_AUTH_CACHE_SIZE", 100_000, 1, 100_000_000);
        authTimeout = r.duration("SENTINEL_AUTH_TIMEOUT", Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofSeconds(60));
        authMaxConcurrent = (int) r.longValue("SENTINEL_AUTH_MAX_CONCURRENT", 256, 1, 100_000);
        authQueueSize = (int) r.longValue("SENTINEL_AUTH_QUEUE_SIZE", 10_000, 0, 1_000_000);
        authQueueTimeout = r.duration("SENTINEL_AUTH_QUEUE_TIMEOUT", Duration.ofSeconds(3), Duration.ofMillis(10),
                Duration.ofMinutes(5));
        authBreakerFailures = (int) r.longValue("SENTINEL_AUTH_BREAKER_FAILURES", 5, 1, 1_000);
        authBreakerDelay = r.duration("SENTINEL_AUTH_BREAKER_DELAY", Duration.ofSeconds(5), Duration.ofMillis(10),
                Duration.ofMinutes(10));
        ProxyLimits d = ProxyLimits.ofDefaults();
        Duration maxT = Duration.ofMinutes(5);
        limits = new ProxyLimits(
                (int) r.longValue("SENTINEL_PROXY_MAX_CONNECTIONS", d.maxConnections(), 1, 10_000_000),
                (int) r.longValue("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", d.maxConnectionsPerIp(), 1, 10_000_000),
                bandwidth(r),
                (int) r.longValue("SENTINEL_PROXY_MAX_PACKET_SIZE", d.maxPacketSize(), 16, MqttLimits.MQTT_MAX_REMAINING_LENGTH),
                d.maxClientIdLength(),
                (int) r.longValue("SENTINEL_PROXY_MAX_PENDING_BYTES", d.maxPendingBytes(), 1_024, 64 * 1024 * 1024),
                r.duration("SENTINEL_PROXY_TLS_HANDSHAKE_TIMEOUT", d.tlsHandshakeTimeout(), Duration.ofMillis(100), maxT),
                r.duration("SENTINEL_PROXY_CONNECT_TIMEOUT", d.connectTimeout(), Duration.ofMillis(100), maxT),
                r.duration("SENTINEL_PROXY_AUTH_TIMEOUT", d.authTimeout(), Duration.ofMillis(10), maxT),
                r.duration("SENTINEL_PROXY_UPSTREAM_CONNECT_TIMEOUT", d.upstreamConnectTimeout(), Duration.ofMillis(10), maxT));
        defaultPermissions = new TopicPermissions(
                r.filters("SENTINEL_PROXY_ACL_PUBLISH", TopicPermissions.DEFAULT.publish()),
                r.filters("SENTINEL_PROXY_ACL_SUBSCRIBE", TopicPermissions.DEFAULT.subscribe()));
        String fwd = r.string("SENTINEL_PROXY_FORWARD_USERNAME", "true").toLowerCase(Locale.ROOT);
        if (!fwd.equals("true") && !fwd.equals("false")) {
            throw r.invalid("SENTINEL_PROXY_FORWARD_USERNAME", fwd, "true or false");
        }
        forwardUsername = fwd.equals("true");
        workerThreads = (int) r.longValue("SENTINEL_PROXY_WORKER_THREADS", 0, 0, 1_024);
        handshakesPerIp = r.longValue("SENTINEL_PROXY_HANDSHAKES_PER_IP", DEFAULT_HANDSHAKES_PER_IP, 0, 1_000_000);
        handshakeBurstPerIp = (int) r.longValue("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", DEFAULT_HANDSHAKE_BURST_PER_IP, 1,
                1_000_000);
        String pp = r.string("SENTINEL_PROXY_PROXY_PROTOCOL", "off").toLowerCase(Locale.ROOT);
        if (!pp.equals("off") && !pp.equals("on")) {
            throw r.invalid("SENTINEL_PROXY_PROXY_PROTOCOL", pp, "off or on");
        }
        String trusted = r.string("SENTINEL_PROXY_TRUSTED_PROXIES", null);
        List<String> balancers = new ArrayList<>();
        if (trusted != null) {
            for (String t : trusted.split(",")) {
                if (!t.isBlank()) {
                    try {
                        SentinelProxy.Builder.subnet(t);
                    } catch (IllegalArgumentException e) {
                        throw r.invalid("SENTINEL_PROXY_TRUSTED_PROXIES", t.trim(),
                                "comma-separated IP addresses or CIDR networks (no host names)");
                    }
                    balancers.add(t.trim());
                }
            }
        }
        if (pp.equals("on") && balancers.isEmpty()) {
            throw new IllegalArgumentException("SENTINEL_PROXY_TRUSTED_PROXIES is required when SENTINEL_PROXY_PROXY_PROTOCOL "
                    + "is on: a PROXY header is accepted only from the load balancers named there");
        }
        trustedProxies = pp.equals("on") ? List.copyOf(balancers) : List.of();
    }

    private static long bandwidth(Reader r) {
        long v = r.longValue("SENTINEL_PROXY_BANDWIDTH_PER_IP", ProxyLimits.ofDefaults().bandwidthPerIp(), 0,
                10L * 1024 * 1024 * 1024);
        if (v != 0 && v < 1_024) {
            throw r.invalid("SENTINEL_PROXY_BANDWIDTH_PER_IP", Long.toString(v), "0 (unlimited) or 1024 to 10737418240");
        }
        return v;
    }

    /**
     * @param env the environment, e.g. {@code System.getenv()}; keys it lacks take their defaults
     * @return the validated configuration
     * @throws IllegalArgumentException naming the key, the value and the allowed range of the first bad value
     */
    public static ProxyConfig fromEnvironment(Map<String, String> env) {
        return new ProxyConfig(Objects.requireNonNull(env, "env"));
    }

    /** @return the configuration with every default */
    public static ProxyConfig ofDefaults() {
        return fromEnvironment(Map.of());
    }

    /** @return SENTINEL_PROXY_TLS_PORT */
    public int tlsPort() {
        return tlsPort;
    }

    /** @return SENTINEL_PROXY_PLAIN_PORT, -1 when there is no plain listener */
    public int plainPort() {
        return plainPort;
    }

    /** @return SENTINEL_PROXY_BIND */
    public String bindAddress() {
        return bindAddress;
    }

    private static List<InetSocketAddress> upstreams(Reader r) {
        String key = "SENTINEL_PROXY_UPSTREAM";
        String value = r.string(key, "127.0.0.1:" + DEFAULT_UPSTREAM_PORT);
        String allowed = "comma-separated host:port (1 to " + MAX_UPSTREAMS + " broker nodes), port 1 to 65535";
        List<InetSocketAddress> nodes = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String hp = part.trim();
            int colon = hp.lastIndexOf(':');
            if (colon <= 0 || colon == hp.length() - 1) {
                throw r.invalid(key, value, allowed);
            }
            String host = hp.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw r.invalid(key, value, allowed);
            }
            if (host.isBlank() || port < 1 || port > 65_535) {
                throw r.invalid(key, value, allowed);
            }
            InetSocketAddress node = InetSocketAddress.createUnresolved(host, port);
            if (!nodes.contains(node)) {
                nodes.add(node);
            }
        }
        if (nodes.size() > MAX_UPSTREAMS) {
            throw r.invalid(key, value, allowed);
        }
        return List.copyOf(nodes);
    }

    /** @return the host of the first node of SENTINEL_PROXY_UPSTREAM */
    public String upstreamHost() {
        return upstreams.get(0).getHostString();
    }

    /** @return the port of the first node of SENTINEL_PROXY_UPSTREAM */
    public int upstreamPort() {
        return upstreams.get(0).getPort();
    }

    /** @return every node of SENTINEL_PROXY_UPSTREAM (unresolved addresses), in the order given */
    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** @return SENTINEL_PROXY_UPSTREAM_RETRY: how long a failed broker node is skipped */
    public Duration upstreamRetry() {
        return upstreamRetry;
    }

    /** @return SENTINEL_PROXY_UPSTREAM_TLS_CERT, if set (then the key and SENTINEL_CORE_CA are set too) */
    public Optional<Path> upstreamTlsCert() {
        return Optional.ofNullable(upstreamTlsCert);
    }

    /** @return SENTINEL_PROXY_UPSTREAM_TLS_KEY, if set */
    public Optional<Path> upstreamTlsKey() {
        return Optional.ofNullable(upstreamTlsKey);
    }

    /** @return SENTINEL_CORE_CA, if set */
    public Optional<Path> coreCa() {
        return Optional.ofNullable(coreCa);
    }

    /** @return SENTINEL_TLS_CERT, if set */
    public Optional<Path> tlsCert() {
        return Optional.ofNullable(tlsCert);
    }

    /** @return SENTINEL_TLS_KEY, if set */
    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    /** @return SENTINEL_TLS_CLIENT_AUTH */
    public ClientAuthMode clientAuth() {
        return clientAuth;
    }

    /** @return SENTINEL_TLS_CLIENT_CA, if set */
    public Optional<Path> tlsClientCa() {
        return Optional.ofNullable(tlsClientCa);
    }

    /** @return SENTINEL_TLS_RELOAD_INTERVAL */
    public Duration tlsReloadInterval() {
        return tlsReloadInterval;
    }

    /** @return whether SENTINEL_TLS_ENGINE asks for OpenSSL */
    public boolean preferOpenSsl() {
        return preferOpenSsl;
    }

    /** @return SENTINEL_AUTH_URL, if set */
    public Optional<URI> authUrl() {
        return Optional.ofNullable(authUrl);
    }

    /** @return SENTINEL_AUTH_FILE (used when no URL is set) */
    public Path authFile() {
        return authFile;
    }

    /** @return SENTINEL_AUTH_CA, if set */
    public Optional<Path> authCa() {
        return Optional.ofNullable(authCa);
    }

    /** @return whether SENTINEL_AUTH_TOKEN is set (the token itself is not exposed) */
    public boolean hasAuthToken() {
        return authToken != null;
    }

    /** @return SENTINEL_AUTH_CACHE_TTL */
    public Duration authCacheTtl() {
        return authCacheTtl;
    }

    /** @return SENTINEL_AUTH_DENY_CACHE_TTL */
    public Duration authDenyCacheTtl() {
        return authDenyCacheTtl;
    }

    /** @return SENTINEL_AUTH_CACHE_SIZE */
    public long authCacheSize() {
        return authCacheSize;
    }

    /** @return SENTINEL_AUTH_TIMEOUT */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** @return SENTINEL_AUTH_MAX_CONCURRENT */
    public int authMaxConcurrent() {
        return authMaxConcurrent;
    }

    /** @return SENTINEL_AUTH_QUEUE_SIZE */
    public int authQueueSize() {
        return authQueueSize;
    }

    /** @return SENTINEL_AUTH_QUEUE_TIMEOUT */
    public Duration authQueueTimeout() {
        return authQueueTimeout;
    }

    /** @return SENTINEL_AUTH_BREAKER_FAILURES */
    public int authBreakerFailures() {
        return authBreakerFailures;
    }

    /** @return SENTINEL_AUTH_BREAKER_DELAY */
    public Duration authBreakerDelay() {
        return authBreakerDelay;
    }

    /** @return the limits from the SENTINEL_PROXY_* keys */
    public ProxyLimits limits() {
        return limits;
    }

    /** @return SENTINEL_PROXY_ACL_PUBLISH and SENTINEL_PROXY_ACL_SUBSCRIBE */
    public TopicPermissions defaultPermissions() {
        return defaultPermissions;
    }

    /** @return SENTINEL_PROXY_FORWARD_USERNAME */
    public boolean forwardUsername() {
        return forwardUsername;
    }

    /** @return SENTINEL_PROXY_HANDSHAKES_PER_IP (0 = unlimited) */
    public long handshakesPerIp() {
        return handshakesPerIp;
    }

    /** @return SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP */
    public int handshakeBurstPerIp() {
        return handshakeBurstPerIp;
    }

    /**
     * @return SENTINEL_PROXY_TRUSTED_PROXIES when SENTINEL_PROXY_PROXY_PROTOCOL is on, else empty (the PROXY
     *         protocol is off)
     */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** @return SENTINEL_PROXY_WORKER_THREADS */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * Builds the auth callout this configuration describes: {@link HttpAuthCallout} on SENTINEL_AUTH_URL when set,
     * else {@link FileAuthCallout} on SENTINEL_AUTH_FILE; either behind a {@link CachingAuthCallout} unless the
     * cache TTL is 0.
     *
     * @param registry where the cache's meters go
     * @param closeLater receives what must be closed with the proxy
     * @return the callout
     */
    public AuthCallout newAuthCallout(MeterRegistry registry, List<AutoCloseable> closeLater) {
        AuthCallout inner;
        if (authUrl != null) {
            HttpAuthCallout.Builder b = HttpAuthCallout.builder(authUrl)
                    .timeout(authTimeout)
                    .maxConcurrent(authMaxConcurrent)
                    .queue(authQueueSize, authQueueTimeout)
                    .circuitBreaker(authBreakerFailures, authBreakerDelay);
            if (authCa != null) {
                b.trustedCa(authCa);
            }
            if (authToken != null) {
                b.header("Authorization", "Bearer " + authToken);
            }
            inner = b.build();
        } else {
            FileAuthCallout file = FileAuthCallout.open(authFile);
            closeLater.add(file);
            inner = file;
        }
        if (authCacheTtl.isZero()) {
            return inner;
        }
        return CachingAuthCallout.builder(inner)
                .allowTtl(authCacheTtl)
                .denyTtl(authDenyCacheTtl)
                .maximumSize(authCacheSize)
                .meterRegistry(registry)
                .build();
    }

    @Override
    public String toString() {
        return "ProxyConfig[tlsPort=" + tlsPort + ", plainPort=" + plainPort + ", bind=" + bindAddress
                + ", upstream=" + upstreamList() + ", upstreamRetry=" + upstreamRetry + ", upstreamTls=" + (upstreamTlsCert == null ? "off" : upstreamTlsCert) + ", tlsCert=" + tlsCert + ", clientAuth=" + clientAuth
                + ", authUrl=" + authUrl + ", authFile=" + authFile + ", authCacheTtl=" + authCacheTtl
                + ", authDenyCacheTtl=" + authDenyCacheTtl + ", " + limits + ", acl=" + defaultPermissions + "]";
    }

    private String upstreamList() {
        StringBuilder s = new StringBuilder();
        for (InetSocketAddress n : upstreams) {
            s.append(s.length() == 0 ? "" : ",").append(n.getHostString()).append(':').append(n.getPort());
        }
        return s.toString();
    }

    /** Reads and validates single keys. */
    private static final class Reader {
        private final Map<String, String> env;

        Reader(Map<String, String> env) {
            this.env = env;
        }

        String string(String key, String def) {
            String v = env.get(key);
            return v == null || v.isBlank() ? def : v.trim();
        }

        long longValue(String key, long def, long min, long max) {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            long n;
            try {
                n = Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw invalid(key, v, min + " to " + max);
            }
            if (n < min || n > max) {
                throw invalid(key, v, min + " to " + max);
            }
            return n;
        }

        Duration duration(String key, Duration def, Duration min, Duration max) {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            Duration d;
            try {
                d = parseDuration(v);
            } catch (RuntimeException e) {
                throw invalid(key, v, "a duration such as 500ms, 30s, 5m or 1h, from " + min + " to " + max);
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw invalid(key, v, min + " to " + max);
            }
            return d;
        }

        List<String> filters(String key, List<String> def) {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            List<String> out = new ArrayList<>();
            for (String f : v.split(",")) {
                String t = f.trim();
                if (t.isEmpty()) {
                    continue;
                }
                String probe = t.replace("{client_id}", "x").replace("{username}", "x");
                if (!Topics.isValidFilter(probe)) {
                    throw invalid(key, t, "MQTT topic filters, comma-separated, with {client_id}/{username} placeholders");
                }
                out.add(t);
            }
            return out;
        }

        IllegalArgumentException invalid(String key, String value, String allowed) {
            return new IllegalArgumentException(key + "=" + value + " is invalid: allowed " + allowed);
        }

        static Duration parseDuration(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            char unit = s.charAt(s.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(s));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1).trim());
            switch (unit) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    throw new IllegalArgumentException("unknown unit " + unit);
            }
        }
    }
}
