package io.mqttsentinel.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.api.Topics;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.FileAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

/**
 * The proxy's configuration: listeners, upstream broker nodes, TLS files, the auth callout it describes, limits and
 * the default ACL. Immutable; {@link SentinelProxy#builder(ProxyConfig)} takes it.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.builder()
 *         .tlsPort(8883)
 *         .tls(Path.of("cert.pem"), Path.of("key.pem"))
 *         .upstreams(List.of(InetSocketAddress.createUnresolved("core-1", 1884)))
 *         .authUrl(URI.create("https://auth.example/check"))
 *         .build();
 * ProxyConfig fromEnv = ProxyConfig.fromEnvironment(System.getenv());
 * }</pre>
 *
 * <p>Every builder setter checks its value at once and names the parameter and its range; {@link Builder#build()}
 * checks the settings that go together. {@link #settings()} lists every environment variable with its default and
 * range; {@link #fromEnvironment(Map)} reads them.
 */
public final class ProxyConfig {
    /** The default MQTTS port. */
    public static final int DEFAULT_TLS_PORT = 8883;
    /** The default port of the core broker. */
    public static final int DEFAULT_UPSTREAM_PORT = 1884;
    /** The default of {@link Builder#upstreamRetry(Duration)}. */
    public static final Duration DEFAULT_UPSTREAM_RETRY = Duration.ofSeconds(2);
    /** The most broker nodes {@link Builder#upstreams(List)} may name. */
    public static final int MAX_UPSTREAMS = 64;
    /** Environment key of the proxy's client certificate for the core (mutual TLS). */
    public static final String UPSTREAM_TLS_CERT = "SENTINEL_PROXY_UPSTREAM_TLS_CERT";
    /** Environment key of that certificate's private key. */
    public static final String UPSTREAM_TLS_KEY = "SENTINEL_PROXY_UPSTREAM_TLS_KEY";
    /** Environment key of the core's CA (shared with the bridge). */
    public static final String CORE_CA = "SENTINEL_CORE_CA";
    /** The default credentials file. */
    public static final String DEFAULT_AUTH_FILE = "sentinel-devices.txt";
    /** The default of {@link Builder#handshakesPerIp(long)}. */
    public static final long DEFAULT_HANDSHAKES_PER_IP = 100;
    /** The default of {@link Builder#handshakeBurstPerIp(int)}. */
    public static final int DEFAULT_HANDSHAKE_BURST_PER_IP = 200;

    // keys named by the checks of settings that go together
    private static final String TLS_CERT = "SENTINEL_TLS_CERT";
    private static final String TLS_KEY = "SENTINEL_TLS_KEY";
    private static final String TLS_CLIENT_AUTH = "SENTINEL_TLS_CLIENT_AUTH";
    private static final String TLS_CLIENT_CA = "SENTINEL_TLS_CLIENT_CA";
    private static final String AUTH_CACHE_TTL = "SENTINEL_AUTH_CACHE_TTL";
    private static final String AUTH_DENY_CACHE_TTL = "SENTINEL_AUTH_DENY_CACHE_TTL";
    private static final String PROXY_PROTOCOL = "SENTINEL_PROXY_PROXY_PROTOCOL";
    private static final String TRUSTED_PROXIES = "SENTINEL_PROXY_TRUSTED_PROXIES";

    // ranges: each written once, used by the setters and by settings()
    private static final int MAX_PORT = 65_535;
    private static final Duration MIN_UPSTREAM_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_UPSTREAM_RETRY = Duration.ofMinutes(5);
    private static final Duration MIN_TLS_RELOAD = Duration.ofMillis(100);
    private static final Duration MAX_TLS_RELOAD = Duration.ofDays(1);
    private static final Duration MAX_AUTH_CACHE_TTL = Duration.ofDays(1);
    private static final long MAX_AUTH_CACHE_SIZE = 100_000_000;
    private static final Duration MIN_AUTH_TIMEOUT = Duration.ofMillis(10);
    private static final Duration MAX_AUTH_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_AUTH_CONCURRENT = 100_000;
    private static final int MAX_AUTH_QUEUE_SIZE = 1_000_000;
    private static final Duration MIN_AUTH_QUEUE_TIMEOUT = Duration.ofMillis(10);
    private static final Duration MAX_AUTH_QUEUE_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_AUTH_BREAKER_FAILURES = 1_000;
    private static final Duration MIN_AUTH_BREAKER_DELAY = Duration.ofMillis(10);
    private static final Duration MAX_AUTH_BREAKER_DELAY = Duration.ofMinutes(10);
    private static final int MAX_HANDSHAKES_PER_IP = 1_000_000;
    private static final int MAX_WORKER_THREADS = 1_024;
    /** The deny TTL when none is given: this, or the allow TTL when that is shorter. */
    private static final Duration DEFAULT_DENY_CACHE_TTL = Duration.ofSeconds(5);

    private static final String UPSTREAMS_ALLOWED = "comma-separated host:port (1 to " + MAX_UPSTREAMS
            + " broker nodes), port 1 to " + MAX_PORT;
    private static final String FILTERS_ALLOWED = "comma-separated MQTT topic filters with {client_id} and {username} "
            + "placeholders";
    private static final String BALANCERS_ALLOWED = "comma-separated IP addresses or CIDR networks (no host names)";

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
    private final TlsEngine tlsEngine;
    private final URI authUrl;
    private final Path authFile;
    private final Path authCa;
    private final String authToken;
    private final Duration authCacheTtl;
    private final Duration authDenyCacheTtl;
    /** The deny TTL as given, {@code null} when it follows the allow TTL (for {@link #toBuilder()}). */
    private final Duration authDenyCacheTtlGiven;
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
    private final CoreHop coreHop;
    private final int workerThreads;
    private final long handshakesPerIp;
    private final int handshakeBurstPerIp;
    private final boolean proxyProtocol;
    private final List<String> trustedProxies;

    private ProxyConfig(Builder b) {
        tlsPort = b.tlsPort;
        plainPort = b.plainPort;
        bindAddress = b.bindAddress;
        upstreams = b.upstreams;
        upstreamRetry = b.upstreamRetry;
        upstreamTlsCert = b.upstreamTlsCert;
        upstreamTlsKey = b.upstreamTlsKey;
        coreCa = b.coreCa;
        tlsCert = b.tlsCert;
        tlsKey = b.tlsKey;
        clientAuth = b.clientAuth;
        tlsClientCa = b.clientCa;
        tlsReloadInterval = b.tlsReloadInterval;
        tlsEngine = b.tlsEngine;
        authUrl = b.authUrl;
        authFile = b.authFile;
        authCa = b.authCa;
        authToken = b.authToken;
        authCacheTtl = b.authCacheTtl;
        authDenyCacheTtlGiven = b.authDenyCacheTtl;
        authDenyCacheTtl = b.authDenyCacheTtl != null ? b.authDenyCacheTtl
                : authCacheTtl.compareTo(DEFAULT_DENY_CACHE_TTL) < 0 ? authCacheTtl : DEFAULT_DENY_CACHE_TTL;
        authCacheSize = b.authCacheSize;
        authTimeout = b.authTimeout;
        authMaxConcurrent = b.authMaxConcurrent;
        authQueueSize = b.authQueueSize;
        authQueueTimeout = b.authQueueTimeout;
        authBreakerFailures = b.authBreakerFailures;
        authBreakerDelay = b.authBreakerDelay;
        limits = b.limits;
        defaultPermissions = b.defaultPermissions;
        forwardUsername = b.forwardUsername;
        coreHop = b.coreHop;
        workerThreads = b.workerThreads;
        handshakesPerIp = b.handshakesPerIp;
        handshakeBurstPerIp = b.handshakeBurstPerIp;
        proxyProtocol = b.proxyProtocol;
        trustedProxies = b.proxyProtocol ? b.trustedProxies : List.of();
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the configuration with every default */
    public static ProxyConfig ofDefaults() {
        return builder().build();
    }

    /**
     * Reads the variables of {@link #settings()} over the defaults; a variable that is missing or blank keeps its
     * default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the validated configuration
     * @throws io.mqttsentinel.config.InvalidSettingException naming the key, the value and the allowed range of the
     *                                                        first bad value
     * @throws IllegalArgumentException                       naming the keys of settings that must go together
     */
    public static ProxyConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(settings(), Objects.requireNonNull(env, "env"), builder()).build();
    }

    /**
     * Every environment variable of the proxy: its key, builder parameter, default, range and documentation. The
     * only place where they are written.
     *
     * @return the settings, in the order they are read
     */
    public static List<Setting<Builder>> settings() {
        return Catalogue.SETTINGS;
    }

    /** The settings list, built on first use (after the class's constants). */
    private static final class Catalogue {
        static final List<Setting<Builder>> SETTINGS = build();

        private static List<Setting<Builder>> build() {
            ProxyConfig d = ofDefaults();
            ProxyLimits l = d.limits();
            List<Setting<Builder>> s = new ArrayList<>();
            s.add(Setting.integer("SENTINEL_PROXY_TLS_PORT", "tlsPort", 0, MAX_PORT, d.tlsPort(),
                    "MQTTS listener of the edge proxy (0 = ephemeral)", Builder::tlsPort));
            s.add(Setting.<Builder>text("SENTINEL_PROXY_PLAIN_PORT", "plainPort", "0",
                    "1 to " + MAX_PORT + ", or 0 (none, off) = no plain listener",
                    "Plain-TCP MQTT listener, for devices behind a TLS-terminating load balancer",
                    (b, v) -> b.plainPort(envPlainPort(v))));
            s.add(Setting.text("SENTINEL_PROXY_BIND", "bindAddress", d.bindAddress(), "a local host name or address",
                    "Address the proxy's listeners bind", Builder::bindAddress));
            s.add(Setting.text("SENTINEL_PROXY_UPSTREAM", "upstreams", hostPorts(d.upstreams()), UPSTREAMS_ALLOWED,
                    "Core broker nodes; each device goes to the healthy node its client id ranks first",
                    Builder::upstreams));
            s.add(Setting.duration("SENTINEL_PROXY_UPSTREAM_RETRY", "upstreamRetry", MIN_UPSTREAM_RETRY,
                    MAX_UPSTREAM_RETRY, d.upstreamRetry(), "How long a failed broker node is skipped",
                    Builder::upstreamRetry));
            s.add(Setting.<Builder>text(UPSTREAM_TLS_CERT, "upstreamTlsCert", "",
                    "a PEM certificate (chain) of the core CA; set with " + UPSTREAM_TLS_KEY + " and " + CORE_CA,
                    "Proxy's client certificate for mutual TLS to the core; unset: plain MQTT to the core",
                    (b, v) -> b.upstreamTlsCert(Path.of(v))));
            s.add(Setting.<Builder>text(UPSTREAM_TLS_KEY, "upstreamTlsKey", "", "a PEM (PKCS#8) private key file",
                    "Private key of " + UPSTREAM_TLS_CERT, (b, v) -> b.upstreamTlsKey(Path.of(v))));
            s.add(Setting.<Builder>text(CORE_CA, "coreCa", "", "a PEM file of CA certificates",
                    "CA of the core's mutual TLS: the only trust for the broker's certificate",
                    (b, v) -> b.coreCa(Path.of(v))));
            s.add(Setting.<Builder>text(TLS_CERT, "tlsCert", "", "a PEM certificate chain file; set with " + TLS_KEY,
                    "Proxy certificate for devices; the launcher generates a self-signed one when unset",
                    (b, v) -> b.tlsCert(Path.of(v))));
            s.add(Setting.<Builder>text(TLS_KEY, "tlsKey", "", "a PEM (PKCS#8) private key file", "Proxy private key",
                    (b, v) -> b.tlsKey(Path.of(v))));
            s.add(Setting.<Builder>text(TLS_CLIENT_AUTH, "clientAuth", word(d.clientAuth()),
                    "one of none, optional, require", "Ask devices for a client certificate",
                    (b, v) -> b.clientAuth(envClientAuth(v))));
            s.add(Setting.<Builder>text(TLS_CLIENT_CA, "clientCa", "",
                    "a PEM file of CA certificates; required unless client auth is none",
                    "CAs that verify device certificates", (b, v) -> b.clientCa(Path.of(v))));
            s.add(Setting.duration("SENTINEL_TLS_RELOAD_INTERVAL", "tlsReloadInterval", MIN_TLS_RELOAD, MAX_TLS_RELOAD,
                    d.tlsReloadInterval(), "How often the certificate and key files are checked for changes",
                    Builder::tlsReloadInterval));
            s.add(Setting.choice("SENTINEL_TLS_ENGINE", "tlsEngine", TlsEngine.class, d.tlsEngine(),
                    "TLS implementation (openssl falls back to jdk where BoringSSL is unavailable)",
                    Builder::tlsEngine));
            s.add(Setting.<Builder>text("SENTINEL_AUTH_URL", "authUrl", "", "an absolute http:// or https:// URL",
                    "Customer auth endpoint (HTTP POST per CONNECT); unset: the credentials file SENTINEL_AUTH_FILE",
                    (b, v) -> b.authUrl(envUri(v))));
            s.add(Setting.<Builder>text("SENTINEL_AUTH_FILE", "authFile", d.authFile().toString(), "a file path",
                    "Embedded credentials file used when SENTINEL_AUTH_URL is unset",
                    (b, v) -> b.authFile(Path.of(v))));
            s.add(Setting.<Builder>text("SENTINEL_AUTH_CA", "authCa", "", "a PEM bundle of CA certificates",
                    "CAs that verify an https:// auth endpoint; unset: the JDK's trust store",
                    (b, v) -> b.authCa(Path.of(v))));
            s.add(Setting.text("SENTINEL_AUTH_TOKEN", "authToken", "", "text",
                    "Sent as 'Authorization: Bearer <token>' to the auth endpoint", Builder::authToken).secret());
            s.add(Setting.duration(AUTH_CACHE_TTL, "authCacheTtl", Duration.ZERO, MAX_AUTH_CACHE_TTL,
                    d.authCacheTtl(), "How long an allow verdict is cached (0 = no caching)", Builder::authCacheTtl));
            s.add(Setting.duration(AUTH_DENY_CACHE_TTL, "authDenyCacheTtl", Duration.ZERO, MAX_AUTH_CACHE_TTL,
                    d.authDenyCacheTtl(), "How long a deny verdict is cached; at most " + AUTH_CACHE_TTL
                            + " (default: 5s, or " + AUTH_CACHE_TTL + " when shorter)", Builder::authDenyCacheTtl));
            s.add(Setting.longInteger("SENTINEL_AUTH_CACHE_SIZE", "authCacheSize", 1, MAX_AUTH_CACHE_SIZE,
                    d.authCacheSize(), "Most verdicts cached", Builder::authCacheSize));
            s.add(Setting.duration("SENTINEL_AUTH_TIMEOUT", "authTimeout", MIN_AUTH_TIMEOUT, MAX_AUTH_TIMEOUT,
                    d.authTimeout(), "Timeout of one HTTP auth call from the moment it is made, queueing "
                            + "not included (then: an outage, CONNACK 0x05, counted towards the circuit breaker)",
                    Builder::authTimeout));
            s.add(Setting.integer("SENTINEL_AUTH_MAX_CONCURRENT", "authMaxConcurrent", 1, MAX_AUTH_CONCURRENT,
                    d.authMaxConcurrent(), "Most HTTP auth calls in flight; more wait in the queue",
                    Builder::authMaxConcurrent));
            s.add(Setting.integer("SENTINEL_AUTH_QUEUE_SIZE", "authQueueSize", 0, MAX_AUTH_QUEUE_SIZE,
                    d.authQueueSize(), "Most CONNECTs waiting for an auth call slot (0 = none wait); beyond it a "
                            + "CONNECT is refused with 0x03 as busy, not as an auth outage",
                    Builder::authQueueSize));
            s.add(Setting.duration("SENTINEL_AUTH_QUEUE_TIMEOUT", "authQueueTimeout", MIN_AUTH_QUEUE_TIMEOUT,
                    MAX_AUTH_QUEUE_TIMEOUT, d.authQueueTimeout(), "Longest wait for an auth call slot: the CONNECT is "
                            + "held meanwhile, then refused with 0x03 as queue_timeout, not as an auth outage",
                    Builder::authQueueTimeout));
            s.add(Setting.integer("SENTINEL_AUTH_BREAKER_FAILURES", "authBreakerFailures", 1, MAX_AUTH_BREAKER_FAILURES,
                    d.authBreakerFailures(), "Consecutive auth outages that open the circuit breaker",
                    Builder::authBreakerFailures));
            s.add(Setting.duration("SENTINEL_AUTH_BREAKER_DELAY", "authBreakerDelay", MIN_AUTH_BREAKER_DELAY,
                    MAX_AUTH_BREAKER_DELAY, d.authBreakerDelay(), "Open-breaker delay before a trial call",
                    Builder::authBreakerDelay));
            s.add(Setting.integer("SENTINEL_PROXY_MAX_CONNECTIONS", "maxConnections", 1, ProxyLimits.MAX_CONNECTIONS,
                    l.maxConnections(), "Most device connections held", Builder::maxConnections));
            s.add(Setting.integer("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", "maxConnectionsPerIp", 1,
                    ProxyLimits.MAX_CONNECTIONS, l.maxConnectionsPerIp(), "Most connections per source address",
                    Builder::maxConnectionsPerIp));
            s.add(Setting.<Builder>text("SENTINEL_PROXY_BANDWIDTH_PER_IP", "bandwidthPerIp",
                    Values.formatSize(l.bandwidthPerIp()), "0 (unlimited) or " + Values.formatSize(ProxyLimits.MIN_BANDWIDTH)
                            + " to " + Values.formatSize(ProxyLimits.MAX_BANDWIDTH) + " bytes per second (a size)",
                    "Bytes per second read from one source address, all its connections together",
                    (b, v) -> b.bandwidthPerIp(Values.size(v))));
            s.add(Setting.<Builder>size("SENTINEL_PROXY_MAX_PACKET_SIZE", "maxPacketSize", ProxyLimits.MIN_PACKET_SIZE,
                    MqttLimits.MQTT_MAX_REMAINING_LENGTH, l.maxPacketSize(), "Largest MQTT packet accepted",
                    (b, v) -> b.maxPacketSize((int) v)));
            s.add(Setting.<Builder>size("SENTINEL_PROXY_MAX_PENDING_BYTES", "maxPendingBytes",
                    ProxyLimits.MIN_PENDING_BYTES, ProxyLimits.MAX_PENDING_BYTES, l.maxPendingBytes(),
                    "Bytes held per connection while its CONNECT is authenticated and the upstream connected",
                    (b, v) -> b.maxPendingBytes((int) v)));
            s.add(Setting.duration("SENTINEL_PROXY_TLS_HANDSHAKE_TIMEOUT", "tlsHandshakeTimeout",
                    ProxyLimits.MIN_DEVICE_TIMEOUT, ProxyLimits.MAX_TIMEOUT, l.tlsHandshakeTimeout(),
                    "TLS handshake deadline", Builder::tlsHandshakeTimeout));
            s.add(Setting.duration("SENTINEL_PROXY_CONNECT_TIMEOUT", "connectTimeout", ProxyLimits.MIN_DEVICE_TIMEOUT,
                    ProxyLimits.MAX_TIMEOUT, l.connectTimeout(), "Deadline for the first packet (CONNECT)",
                    Builder::connectTimeout));
            s.add(Setting.duration("SENTINEL_PROXY_AUTH_TIMEOUT", "authVerdictTimeout", ProxyLimits.MIN_INTERNAL_TIMEOUT,
                    ProxyLimits.MAX_TIMEOUT, l.authTimeout(), "Deadline for the auth verdict, cache included, on top of "
                            + "the wait for an auth call slot (SENTINEL_AUTH_QUEUE_TIMEOUT)",
                    Builder::authVerdictTimeout));
            s.add(Setting.duration("SENTINEL_PROXY_UPSTREAM_CONNECT_TIMEOUT", "upstreamConnectTimeout",
                    ProxyLimits.MIN_INTERNAL_TIMEOUT, ProxyLimits.MAX_TIMEOUT, l.upstreamConnectTimeout(),
                    "Deadline to connect to the core broker and receive its CONNACK", Builder::upstreamConnectTimeout));
            s.add(Setting.<Builder>text("SENTINEL_PROXY_ACL_PUBLISH", "aclPublish",
                    String.join(",", d.defaultPermissions().publish()), FILTERS_ALLOWED,
                    "Where a device may publish when its auth verdict names no topics",
                    (b, v) -> b.aclPublish(Values.list(v))));
            s.add(Setting.<Builder>text("SENTINEL_PROXY_ACL_SUBSCRIBE", "aclSubscribe",
                    String.join(",", d.defaultPermissions().subscribe()), FILTERS_ALLOWED,
                    "What a device may subscribe to when its auth verdict names no topics",
                    (b, v) -> b.aclSubscribe(Values.list(v))));
            s.add(Setting.choice("SENTINEL_PROXY_CORE_HOP", "coreHop", CoreHop.class, d.coreHop(),
                    "How devices reach the core: multiplexed links per node, or one connection per device",
                    Builder::coreHop));
            s.add(Setting.bool("SENTINEL_PROXY_FORWARD_USERNAME", "forwardUsername", d.forwardUsername(),
                    "Forward the device's user name to the broker (the password never is)", Builder::forwardUsername));
            s.add(Setting.integer("SENTINEL_PROXY_WORKER_THREADS", "workerThreads", 0, MAX_WORKER_THREADS,
                    d.workerThreads(), "Proxy I/O threads (0 = twice the cores)", Builder::workerThreads));
            s.add(Setting.longInteger("SENTINEL_PROXY_HANDSHAKES_PER_IP", "handshakesPerIp", 0, MAX_HANDSHAKES_PER_IP,
                    d.handshakesPerIp(), "TLS handshakes per second per source address (0 = unlimited)",
                    Builder::handshakesPerIp));
            s.add(Setting.integer("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "handshakeBurstPerIp", 1,
                    MAX_HANDSHAKES_PER_IP, d.handshakeBurstPerIp(), "TLS handshakes a source address may start at once",
                    Builder::handshakeBurstPerIp));
            s.add(Setting.bool(PROXY_PROTOCOL, "proxyProtocol", d.proxyProtocol(),
                    "Expect a PROXY protocol (v1 or v2) header from the load balancers of " + TRUSTED_PROXIES,
                    Builder::proxyProtocol));
            s.add(Setting.<Builder>text(TRUSTED_PROXIES, "trustedProxies", "", BALANCERS_ALLOWED
                            + "; required when " + PROXY_PROTOCOL + " is on",
                    "Load balancers whose PROXY header is believed; a header from anyone else is refused",
                    (b, v) -> b.trustedProxies(Values.list(v))));
            return List.copyOf(s);
        }
    }

    /** {@code SENTINEL_PROXY_PLAIN_PORT}: 0, none, off (or -1) = no plain listener, else 1 to 65535. */
    private static int envPlainPort(String v) {
        String t = v.toLowerCase(Locale.ROOT);
        if (t.equals("0") || t.equals("none") || t.equals("off") || t.equals("-1")) {
            return -1;
        }
        return Values.checkRange("plainPort", Values.integer(v), 1, MAX_PORT);
    }

    private static ClientAuthMode envClientAuth(String v) {
        try {
            return ClientAuthMode.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("clientAuth must be one of none, optional, require", e);
        }
    }

    private static URI envUri(String v) {
        try {
            return new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("authUrl must be an absolute http:// or https:// URL", e);
        }
    }

    private static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** @return {@code host:port,host:port} */
    private static String hostPorts(List<InetSocketAddress> nodes) {
        return Values.formatHostPorts(nodes);
    }

    /**
     * @param text an IP address or a network in CIDR form
     * @return the rule that matches it
     * @throws IllegalArgumentException when it is neither (host names are not resolved)
     */
    static IpSubnetFilterRule subnet(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        String ip = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
        if (bytes == null) {
            throw new IllegalArgumentException("trustedProxies must be " + BALANCERS_ALLOWED + ", was '" + text + "'");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("trustedProxies must be " + BALANCERS_ALLOWED
                        + " with a prefix of 0 to " + max + ", was '" + text + "'");
            }
        }
        return new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT);
    }

    /** @return the MQTTS port, 0 for an ephemeral one */
    public int tlsPort() {
        return tlsPort;
    }

    /** @return the plain-TCP port, 0 for an ephemeral one, -1 when there is no plain listener */
    public int plainPort() {
        return plainPort;
    }

    /** @return the local address the listeners bind */
    public String bindAddress() {
        return bindAddress;
    }

    /** @return the host of the first broker node */
    public String upstreamHost() {
        return upstreams.get(0).getHostString();
    }

    /** @return the port of the first broker node */
    public int upstreamPort() {
        return upstreams.get(0).getPort();
    }

    /** @return every broker node, in the order given (from the environment: unresolved addresses) */
    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** @return how long a failed broker node is skipped */
    public Duration upstreamRetry() {
        return upstreamRetry;
    }

    /** @return the proxy's client certificate for the core, if set (then the key and the core CA are set too) */
    public Optional<Path> upstreamTlsCert() {
        return Optional.ofNullable(upstreamTlsCert);
    }

    /** @return the key of {@link #upstreamTlsCert()}, if set */
    public Optional<Path> upstreamTlsKey() {
        return Optional.ofNullable(upstreamTlsKey);
    }

    /** @return the core's CA, if set */
    public Optional<Path> coreCa() {
        return Optional.ofNullable(coreCa);
    }

    /** @return the certificate chain devices see, if set (then the key is set too) */
    public Optional<Path> tlsCert() {
        return Optional.ofNullable(tlsCert);
    }

    /** @return the key of {@link #tlsCert()}, if set */
    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    /** @return whether client certificates are requested */
    public ClientAuthMode clientAuth() {
        return clientAuth;
    }

    /** @return the CA that verifies client certificates, if set (always set unless client auth is none) */
    public Optional<Path> tlsClientCa() {
        return Optional.ofNullable(tlsClientCa);
    }

    /** @return how often the certificate files are checked for changes */
    public Duration tlsReloadInterval() {
        return tlsReloadInterval;
    }

    /** @return the TLS implementation asked for */
    public TlsEngine tlsEngine() {
        return tlsEngine;
    }

    /** @return whether the OpenSSL engine is asked for ({@link #tlsEngine()} is {@link TlsEngine#OPENSSL}) */
    public boolean preferOpenSsl() {
        return tlsEngine == TlsEngine.OPENSSL;
    }

    /** @return the auth endpoint, if set */
    public Optional<URI> authUrl() {
        return Optional.ofNullable(authUrl);
    }

    /** @return the credentials file (used when no auth URL is set) */
    public Path authFile() {
        return authFile;
    }

    /** @return the CA bundle that verifies an https auth endpoint, if set */
    public Optional<Path> authCa() {
        return Optional.ofNullable(authCa);
    }

    /** @return whether a bearer token for the auth endpoint is set (the token itself is not exposed) */
    public boolean hasAuthToken() {
        return authToken != null;
    }

    /** @return how long an allow verdict is cached, 0 = no cache */
    public Duration authCacheTtl() {
        return authCacheTtl;
    }

    /** @return how long a deny verdict is cached */
    public Duration authDenyCacheTtl() {
        return authDenyCacheTtl;
    }

    /** @return the most verdicts cached */
    public long authCacheSize() {
        return authCacheSize;
    }

    /** @return the timeout of one HTTP auth call */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** @return the most HTTP auth calls in flight */
    public int authMaxConcurrent() {
        return authMaxConcurrent;
    }

    /** @return the most callers waiting for an auth call slot */
    public int authQueueSize() {
        return authQueueSize;
    }

    /** @return the longest wait for an auth call slot */
    public Duration authQueueTimeout() {
        return authQueueTimeout;
    }

    /** @return the consecutive auth outages that open the circuit breaker */
    public int authBreakerFailures() {
        return authBreakerFailures;
    }

    /** @return the open breaker's delay before a trial call */
    public Duration authBreakerDelay() {
        return authBreakerDelay;
    }

    /** @return the L3/L4 and protocol limits */
    public ProxyLimits limits() {
        return limits;
    }

    /** @return the ACL templates for devices whose auth verdict carries none */
    public TopicPermissions defaultPermissions() {
        return defaultPermissions;
    }

    /** @return how devices' connections reach the core broker nodes */
    public CoreHop coreHop() {
        return coreHop;
    }

    /** @return whether the device's user name is forwarded to the core broker */
    public boolean forwardUsername() {
        return forwardUsername;
    }

    /** @return TLS handshakes per second per source address, 0 = unlimited */
    public long handshakesPerIp() {
        return handshakesPerIp;
    }

    /** @return TLS handshakes a source address may start at once */
    public int handshakeBurstPerIp() {
        return handshakeBurstPerIp;
    }

    /** @return whether the listeners expect a PROXY protocol header from {@link #trustedProxies()} */
    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /**
     * @return the load balancers (IP addresses or CIDR networks) whose PROXY header is believed; empty when the
     *         PROXY protocol is off
     */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** @return I/O threads, 0 = Netty's default of twice the cores */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * Builds the auth callout this configuration describes: {@link HttpAuthCallout} on {@link #authUrl()} when
     * set, else {@link FileAuthCallout} on {@link #authFile()}; either behind a {@link CachingAuthCallout} unless
     * the cache TTL is 0.
     *
     * @param registry   where the cache's meters go
     * @param closeLater receives what must be closed with the proxy
     * @return the callout, its cache on {@link Ticker#system()}
     */
    public AuthCallout newAuthCallout(MeterRegistry registry, List<AutoCloseable> closeLater) {
        return newAuthCallout(registry, closeLater, Ticker.system());
    }

    /**
     * {@link #newAuthCallout(MeterRegistry, List)} with the cache's TTLs measured by {@code ticker}.
     *
     * @param registry   where the cache's meters go
     * @param closeLater receives what must be closed with the proxy
     * @param ticker     the time source of the cache's TTLs
     * @return the callout
     */
    public AuthCallout newAuthCallout(MeterRegistry registry, List<AutoCloseable> closeLater, Ticker ticker) {
        Objects.requireNonNull(ticker, "ticker");
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
            FileAuthCallout file = FileAuthCallout.open(authFile, Duration.ofSeconds(1), ticker);
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
                .ticker(ticker)
                .build();
    }

    private List<Object> fields() {
        return Arrays.asList(tlsPort, plainPort, bindAddress, upstreams, upstreamRetry, upstreamTlsCert, upstreamTlsKey,
                coreCa, tlsCert, tlsKey, clientAuth, tlsClientCa, tlsReloadInterval, tlsEngine, authUrl, authFile, authCa,
                authToken, authCacheTtl, authDenyCacheTtl, authCacheSize, authTimeout, authMaxConcurrent, authQueueSize,
                authQueueTimeout, authBreakerFailures, authBreakerDelay, limits, defaultPermissions, forwardUsername,
                coreHop, workerThreads, handshakesPerIp, handshakeBurstPerIp, proxyProtocol, trustedProxies);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyConfig && fields().equals(((ProxyConfig) o).fields());
    }

    @Override
    public int hashCode() {
        return fields().hashCode();
    }

    @Override
    public String toString() {
        return "ProxyConfig[tlsPort=" + tlsPort + ", plainPort=" + plainPort + ", bind=" + bindAddress
                + ", upstream=" + hostPorts(upstreams) + ", upstreamRetry=" + upstreamRetry + ", upstreamTls="
                + (upstreamTlsCert == null ? "off" : upstreamTlsCert) + ", tlsCert=" + tlsCert + ", clientAuth=" + clientAuth
                + ", authUrl=" + authUrl + ", authFile=" + authFile + ", authCacheTtl=" + authCacheTtl
                + ", authDenyCacheTtl=" + authDenyCacheTtl + ", " + limits + ", acl=" + defaultPermissions
                + (proxyProtocol ? ", proxyProtocol from " + trustedProxies : "") + "]";
    }

    /**
     * Builds a {@link ProxyConfig}. Every setter checks its value at once and names the parameter and its range;
     * {@link #build()} checks the settings that go together and copies everything, so that later changes to the
     * builder do not affect a configuration already built. Not thread-safe.
     */
    public static final class Builder {
        private int tlsPort = DEFAULT_TLS_PORT;
        private int plainPort = -1;
        private String bindAddress = "0.0.0.0";
        private List<InetSocketAddress> upstreams =
                List.of(InetSocketAddress.createUnresolved("127.0.0.1", DEFAULT_UPSTREAM_PORT));
        private Duration upstreamRetry = DEFAULT_UPSTREAM_RETRY;
        private Path upstreamTlsCert;
        private Path upstreamTlsKey;
        private Path coreCa;
        private Path tlsCert;
        private Path tlsKey;
        private ClientAuthMode clientAuth = ClientAuthMode.NONE;
        private Path clientCa;
        private Duration tlsReloadInterval = Duration.ofSeconds(30);
        private TlsEngine tlsEngine = TlsEngine.OPENSSL;
        private URI authUrl;
        private Path authFile = Path.of(DEFAULT_AUTH_FILE);
        private Path authCa;
        private String authToken;
        private Duration authCacheTtl = Duration.ofSeconds(60);
        private Duration authDenyCacheTtl;
        private long authCacheSize = 100_000;
        private Duration authTimeout = Duration.ofSeconds(2);
        private int authMaxConcurrent = 256;
        private int authQueueSize = 10_000;
        private Duration authQueueTimeout = Duration.ofSeconds(20);
        private int authBreakerFailures = 5;
        private Duration authBreakerDelay = Duration.ofSeconds(5);
        private ProxyLimits limits = ProxyLimits.ofDefaults();
        private TopicPermissions defaultPermissions = TopicPermissions.DEFAULT;
        private boolean forwardUsername = true;
        private CoreHop coreHop = CoreHop.MULTIPLEXED;
        private int workerThreads;
        private long handshakesPerIp = DEFAULT_HANDSHAKES_PER_IP;
        private int handshakeBurstPerIp = DEFAULT_HANDSHAKE_BURST_PER_IP;
        private boolean proxyProtocol;
        private List<String> trustedProxies = List.of();

        Builder() {
        }

        Builder(ProxyConfig c) {
            tlsPort = c.tlsPort;
            plainPort = c.plainPort;
            bindAddress = c.bindAddress;
            upstreams = c.upstreams;
            upstreamRetry = c.upstreamRetry;
            upstreamTlsCert = c.upstreamTlsCert;
            upstreamTlsKey = c.upstreamTlsKey;
            coreCa = c.coreCa;
            tlsCert = c.tlsCert;
            tlsKey = c.tlsKey;
            clientAuth = c.clientAuth;
            clientCa = c.tlsClientCa;
            tlsReloadInterval = c.tlsReloadInterval;
            tlsEngine = c.tlsEngine;
            authUrl = c.authUrl;
            authFile = c.authFile;
            authCa = c.authCa;
            authToken = c.authToken;
            authCacheTtl = c.authCacheTtl;
            authDenyCacheTtl = c.authDenyCacheTtlGiven;
            authCacheSize = c.authCacheSize;
            authTimeout = c.authTimeout;
            authMaxConcurrent = c.authMaxConcurrent;
            authQueueSize = c.authQueueSize;
            authQueueTimeout = c.authQueueTimeout;
            authBreakerFailures = c.authBreakerFailures;
            authBreakerDelay = c.authBreakerDelay;
            limits = c.limits;
            defaultPermissions = c.defaultPermissions;
            forwardUsername = c.forwardUsername;
            coreHop = c.coreHop;
            workerThreads = c.workerThreads;
            handshakesPerIp = c.handshakesPerIp;
            handshakeBurstPerIp = c.handshakeBurstPerIp;
            proxyProtocol = c.proxyProtocol;
            trustedProxies = c.trustedProxies;
        }

        /**
         * @param port MQTTS port, 0 for an ephemeral one (0 to 65535; default 8883)
         * @return this builder
         */
        public Builder tlsPort(int port) {
            this.tlsPort = Values.checkRange("tlsPort", port, 0, MAX_PORT);
            return this;
        }

        /**
         * @param port plain-TCP MQTT port, 0 for an ephemeral one, -1 for none (-1 to 65535; default -1). In the
         *             environment, 0 means none
         * @return this builder
         */
        public Builder plainPort(int port) {
            this.plainPort = Values.checkRange("plainPort", port, -1, MAX_PORT);
            return this;
        }

        /**
         * @param address the local host name or address the listeners bind (default 0.0.0.0)
         * @return this builder
         */
        public Builder bindAddress(String address) {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("bindAddress must be a local host name or address, was '"
                        + address + "'");
            }
            this.bindAddress = address.strip();
            return this;
        }

        /**
         * One core broker node.
         *
         * @param host its host name or address (default 127.0.0.1)
         * @param port its MQTT port (1 to 65535; default 1884)
         * @return this builder
         */
        public Builder upstream(String host, int port) {
            return upstreams(List.of(node(host, port)));
        }

        /**
         * Several nodes of one core (docs/cluster.md): each device goes to the healthy node its client id ranks
         * first (rendezvous hashing), a device whose node drops it is disconnected so that it reconnects, and a
         * failed node is skipped for {@link #upstreamRetry}. Several addresses also lift the ~28,000-connection
         * limit of one source/destination address pair.
         *
         * @param nodes the core broker nodes, host and MQTT port each (1 to 64; duplicates are dropped; unresolved
         *              addresses are resolved at each connect)
         * @return this builder
         */
        public Builder upstreams(List<InetSocketAddress> nodes) {
            Objects.requireNonNull(nodes, "upstreams");
            List<InetSocketAddress> distinct = new ArrayList<>();
            for (InetSocketAddress n : nodes) {
                Objects.requireNonNull(n, "upstream node");
                node(n.getHostString(), n.getPort());
                if (!distinct.contains(n)) {
                    distinct.add(n);
                }
            }
            if (distinct.isEmpty() || distinct.size() > MAX_UPSTREAMS) {
                throw new IllegalArgumentException("upstreams must name 1 to " + MAX_UPSTREAMS + " broker nodes, was "
                        + distinct.size());
            }
            this.upstreams = List.copyOf(distinct);
            return this;
        }

        /**
         * @param hostPorts the core broker nodes as {@code host:port,host:port} ({@code [::1]:1884} for IPv6), as in
         *                  {@code SENTINEL_PROXY_UPSTREAM}
         * @return this builder
         * @see #upstreams(List)
         */
        public Builder upstreams(String hostPorts) {
            Objects.requireNonNull(hostPorts, "upstreams");
            List<InetSocketAddress> nodes;
            try {
                nodes = Values.hostPorts(hostPorts);
            } catch (IllegalArgumentException e) {
                throw badUpstreams(hostPorts);
            }
            try {
                return upstreams(nodes);
            } catch (IllegalArgumentException e) {
                throw badUpstreams(hostPorts);
            }
        }

        private static IllegalArgumentException badUpstreams(String value) {
            return new IllegalArgumentException("upstreams must be " + UPSTREAMS_ALLOWED + ", was '" + value + "'");
        }

        private static InetSocketAddress node(String host, int port) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("upstream host must be a host name or address, was '" + host + "'");
            }
            Values.checkRange("upstream port", port, 1, MAX_PORT);
            return InetSocketAddress.createUnresolved(host, port);
        }

        /**
         * @param retryAfter how long a broker node that failed a connect (or refused a probe after dropping a
         *                   connection) is skipped (100ms to 5m; default 2s)
         * @return this builder
         */
        public Builder upstreamRetry(Duration retryAfter) {
            this.upstreamRetry = Values.checkRange("upstreamRetry", retryAfter, MIN_UPSTREAM_RETRY, MAX_UPSTREAM_RETRY);
            return this;
        }

        /**
         * Connects to the core over mutual TLS: the proxy presents {@code certPem} (a certificate of the core's
         * CA) and trusts only broker certificates issued by {@code coreCaPem} (host names are not checked: the
         * CA is private to the core link). Without it the upstream connections are plain MQTT, which a core
         * started with {@code SentinelBroker.Builder.tls} refuses. The files are read when the proxy is built.
         *
         * @param certPem   the proxy's client certificate chain, PEM
         * @param keyPem    its PKCS#8 private key, PEM
         * @param coreCaPem the CA that issued the core's certificates, PEM
         * @return this builder
         */
        public Builder upstreamTls(Path certPem, Path keyPem, Path coreCaPem) {
            return upstreamTlsCert(certPem).upstreamTlsKey(keyPem).coreCa(coreCaPem);
        }

        /**
         * @param certPem the proxy's client certificate chain for the core, PEM; set with {@link #upstreamTlsKey}
         *                and {@link #coreCa} (see {@link #upstreamTls})
         * @return this builder
         */
        public Builder upstreamTlsCert(Path certPem) {
            this.upstreamTlsCert = Objects.requireNonNull(certPem, "upstreamTlsCert");
            return this;
        }

        /**
         * @param keyPem the PKCS#8 private key of {@link #upstreamTlsCert}, PEM
         * @return this builder
         */
        public Builder upstreamTlsKey(Path keyPem) {
            this.upstreamTlsKey = Objects.requireNonNull(keyPem, "upstreamTlsKey");
            return this;
        }

        /**
         * @param caPem the CA that issued the core's certificates, PEM: the only trust of the core link
         * @return this builder
         */
        public Builder coreCa(Path caPem) {
            this.coreCa = Objects.requireNonNull(caPem, "coreCa");
            return this;
        }

        /**
         * @param certPem the certificate chain devices see, PEM
         * @param keyPem  its PKCS#8 private key, PEM
         * @return this builder
         */
        public Builder tls(Path certPem, Path keyPem) {
            return tlsCert(certPem).tlsKey(keyPem);
        }

        /**
         * @param certPem the certificate chain devices see, PEM; set with {@link #tlsKey} (see {@link #tls})
         * @return this builder
         */
        public Builder tlsCert(Path certPem) {
            this.tlsCert = Objects.requireNonNull(certPem, "tlsCert");
            return this;
        }

        /**
         * @param keyPem the PKCS#8 private key of {@link #tlsCert}, PEM
         * @return this builder
         */
        public Builder tlsKey(Path keyPem) {
            this.tlsKey = Objects.requireNonNull(keyPem, "tlsKey");
            return this;
        }

        /**
         * @param mode whether client certificates are requested (default {@link ClientAuthMode#NONE}); anything
         *             but none needs {@link #clientCa}
         * @return this builder
         */
        public Builder clientAuth(ClientAuthMode mode) {
            this.clientAuth = Objects.requireNonNull(mode, "clientAuth");
            return this;
        }

        /**
         * @param caPem the CA bundle (PEM) that verifies client certificates; required unless client auth is none
         * @return this builder
         */
        public Builder clientCa(Path caPem) {
            this.clientCa = Objects.requireNonNull(caPem, "clientCa");
            return this;
        }

        /**
         * @param interval how often the certificate files are checked for changes (100ms to 1d; default 30s)
         * @return this builder
         */
        public Builder tlsReloadInterval(Duration interval) {
            this.tlsReloadInterval = Values.checkRange("tlsReloadInterval", interval, MIN_TLS_RELOAD, MAX_TLS_RELOAD);
            return this;
        }

        /**
         * @param engine the TLS implementation (default {@link TlsEngine#OPENSSL}, which falls back to the JDK's
         *               where BoringSSL is unavailable)
         * @return this builder
         */
        public Builder tlsEngine(TlsEngine engine) {
            this.tlsEngine = Objects.requireNonNull(engine, "tlsEngine");
            return this;
        }

        /**
         * @param prefer {@code true} for {@link TlsEngine#OPENSSL} (the default), {@code false} for
         *               {@link TlsEngine#JDK}
         * @return this builder
         */
        public Builder preferOpenSsl(boolean prefer) {
            return tlsEngine(prefer ? TlsEngine.OPENSSL : TlsEngine.JDK);
        }

        /**
         * @param url the customer's auth endpoint, an absolute {@code http://} or {@code https://} URL (default:
         *            none, the credentials file {@link #authFile} decides)
         * @return this builder
         */
        public Builder authUrl(URI url) {
            Objects.requireNonNull(url, "authUrl");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("authUrl must be an absolute http:// or https:// URL, was '" + url + "'");
            }
            this.authUrl = url;
            return this;
        }

        /**
         * @param file the credentials file used when no {@link #authUrl} is set (default
         *             {@value ProxyConfig#DEFAULT_AUTH_FILE})
         * @return this builder
         */
        public Builder authFile(Path file) {
            this.authFile = Objects.requireNonNull(file, "authFile");
            return this;
        }

        /**
         * @param caPem the CA bundle (PEM) that verifies an https auth endpoint (default: the JDK's trust store)
         * @return this builder
         */
        public Builder authCa(Path caPem) {
            this.authCa = Objects.requireNonNull(caPem, "authCa");
            return this;
        }

        /**
         * @param token sent as {@code Authorization: Bearer <token>} to the auth endpoint (default: none)
         * @return this builder
         */
        public Builder authToken(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("authToken must be text");
            }
            this.authToken = token;
            return this;
        }

        /**
         * @param ttl how long an allow verdict is cached (0 to 1d, 0 = no cache; default 60s)
         * @return this builder
         */
        public Builder authCacheTtl(Duration ttl) {
            this.authCacheTtl = Values.checkRange("authCacheTtl", ttl, Duration.ZERO, MAX_AUTH_CACHE_TTL);
            return this;
        }

        /**
         * @param ttl how long a deny verdict is cached (0 to 1d, and at most {@link #authCacheTtl}; default 5s, or
         *            the allow TTL when that is shorter)
         * @return this builder
         */
        public Builder authDenyCacheTtl(Duration ttl) {
            this.authDenyCacheTtl = Values.checkRange("authDenyCacheTtl", ttl, Duration.ZERO, MAX_AUTH_CACHE_TTL);
            return this;
        }

        /**
         * @param entries the most verdicts cached (1 to 100000000; default 100000)
         * @return this builder
         */
        public Builder authCacheSize(long entries) {
            this.authCacheSize = Values.checkRange("authCacheSize", entries, 1, MAX_AUTH_CACHE_SIZE);
            return this;
        }

        /**
         * @param timeout timeout of one HTTP auth call (10ms to 60s; default 2s)
         * @return this builder
         */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = Values.checkRange("authTimeout", timeout, MIN_AUTH_TIMEOUT, MAX_AUTH_TIMEOUT);
            return this;
        }

        /**
         * @param calls the most HTTP auth calls in flight (1 to 100000; default 256)
         * @return this builder
         */
        public Builder authMaxConcurrent(int calls) {
            this.authMaxConcurrent = Values.checkRange("authMaxConcurrent", calls, 1, MAX_AUTH_CONCURRENT);
            return this;
        }

        /**
         * @param waiting the most callers waiting for an auth call slot, which bounds the memory they hold; a CONNECT
         *                beyond it is refused with 0x03, counted as {@code busy}, not as an outage (0 to 1000000,
         *                0 = none wait; default 10000)
         * @return this builder
         */
        public Builder authQueueSize(int waiting) {
            this.authQueueSize = Values.checkRange("authQueueSize", waiting, 0, MAX_AUTH_QUEUE_SIZE);
            return this;
        }

        /**
         * @param timeout the longest wait for an auth call slot, during which the CONNECT is held; then it is refused
         *                with 0x03, counted as {@code queue_timeout}, not as an outage (10ms to 5m; default 20s)
         * @return this builder
         */
        public Builder authQueueTimeout(Duration timeout) {
            this.authQueueTimeout = Values.checkRange("authQueueTimeout", timeout, MIN_AUTH_QUEUE_TIMEOUT,
                    MAX_AUTH_QUEUE_TIMEOUT);
            return this;
        }

        /**
         * @param failures consecutive auth outages that open the circuit breaker (1 to 1000; default 5)
         * @return this builder
         */
        public Builder authBreakerFailures(int failures) {
            this.authBreakerFailures = Values.checkRange("authBreakerFailures", failures, 1, MAX_AUTH_BREAKER_FAILURES);
            return this;
        }

        /**
         * @param delay the open breaker's delay before a trial call (10ms to 10m; default 5s)
         * @return this builder
         */
        public Builder authBreakerDelay(Duration delay) {
            this.authBreakerDelay = Values.checkRange("authBreakerDelay", delay, MIN_AUTH_BREAKER_DELAY,
                    MAX_AUTH_BREAKER_DELAY);
            return this;
        }

        /**
         * @param limits every L3/L4 and protocol limit at once (default {@link ProxyLimits#ofDefaults()}); the
         *               setters below change one each
         * @return this builder
         */
        public Builder limits(ProxyLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param connections the most device connections held (1 to 10000000; default 1000000)
         * @return this builder
         */
        public Builder maxConnections(int connections) {
            Values.checkRange("maxConnections", connections, 1, ProxyLimits.MAX_CONNECTIONS);
            limits = limits.withMaxConnections(connections);
            return this;
        }

        /**
         * @param connections the most connections per source address (1 to 10000000; default 1000)
         * @return this builder
         */
        public Builder maxConnectionsPerIp(int connections) {
            Values.checkRange("maxConnectionsPerIp", connections, 1, ProxyLimits.MAX_CONNECTIONS);
            limits = limits.withMaxConnectionsPerIp(connections);
            return this;
        }

        /**
         * @param bytesPerSecond bytes per second read from one source address, all its connections together
         *                       (0 = unlimited, or 1024 to 10737418240; default 1048576)
         * @return this builder
         */
        public Builder bandwidthPerIp(long bytesPerSecond) {
            ProxyLimits.checkBandwidth("bandwidthPerIp", bytesPerSecond);
            limits = limits.withBandwidthPerIp(bytesPerSecond);
            return this;
        }

        /**
         * @param bytes the largest MQTT remaining length accepted (16 to 268435455; default 262144)
         * @return this builder
         */
        public Builder maxPacketSize(int bytes) {
            Values.checkRange("maxPacketSize", bytes, ProxyLimits.MIN_PACKET_SIZE, MqttLimits.MQTT_MAX_REMAINING_LENGTH);
            limits = limits.withMaxPacketSize(bytes);
            return this;
        }

        /**
         * @param bytes the longest client id, in UTF-8 bytes (23 to 65535; default 256)
         * @return this builder
         */
        public Builder maxClientIdLength(int bytes) {
            Values.checkRange("maxClientIdLength", bytes, ProxyLimits.MIN_CLIENT_ID_LENGTH,
                    ProxyLimits.MAX_CLIENT_ID_LENGTH);
            ProxyLimits l = limits;
            limits = new ProxyLimits(l.maxConnections(), l.maxConnectionsPerIp(), l.bandwidthPerIp(), l.maxPacketSize(),
                    bytes, l.maxPendingBytes(), l.tlsHandshakeTimeout(), l.connectTimeout(), l.authTimeout(),
                    l.upstreamConnectTimeout());
            return this;
        }

        /**
         * @param bytes bytes held per connection while its CONNECT is authenticated and the upstream connected
         *              (1024 to 67108864; default 65536)
         * @return this builder
         */
        public Builder maxPendingBytes(int bytes) {
            Values.checkRange("maxPendingBytes", bytes, ProxyLimits.MIN_PENDING_BYTES, ProxyLimits.MAX_PENDING_BYTES);
            limits = limits.withMaxPendingBytes(bytes);
            return this;
        }

        /**
         * @param timeout how long a TLS handshake may take (100ms to 5m; default 10s)
         * @return this builder
         */
        public Builder tlsHandshakeTimeout(Duration timeout) {
            Values.checkRange("tlsHandshakeTimeout", timeout, ProxyLimits.MIN_DEVICE_TIMEOUT, ProxyLimits.MAX_TIMEOUT);
            limits = limits.withTlsHandshakeTimeout(timeout);
            return this;
        }

        /**
         * @param timeout how long a connection may take to send CONNECT after TCP accept (100ms to 5m; default 10s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            Values.checkRange("connectTimeout", timeout, ProxyLimits.MIN_DEVICE_TIMEOUT, ProxyLimits.MAX_TIMEOUT);
            limits = limits.withConnectTimeout(timeout);
            return this;
        }

        /**
         * @param timeout how long the proxy waits for the auth callout's verdict, cache included, on top of the
         *                callout's own wait for a call slot ({@link #authQueueTimeout}), before it denies (10ms to
         *                5m; default 5s): {@link ProxyLimits#authTimeout()}
         * @return this builder
         */
        public Builder authVerdictTimeout(Duration timeout) {
            Values.checkRange("authVerdictTimeout", timeout, ProxyLimits.MIN_INTERNAL_TIMEOUT, ProxyLimits.MAX_TIMEOUT);
            limits = limits.withAuthTimeout(timeout);
            return this;
        }

        /**
         * @param timeout how long connecting to the core broker and receiving its CONNACK may take (10ms to 5m;
         *                default 5s)
         * @return this builder
         */
        public Builder upstreamConnectTimeout(Duration timeout) {
            Values.checkRange("upstreamConnectTimeout", timeout, ProxyLimits.MIN_INTERNAL_TIMEOUT, ProxyLimits.MAX_TIMEOUT);
            limits = limits.withUpstreamConnectTimeout(timeout);
            return this;
        }

        /**
         * @param permissions the ACL templates for devices whose auth verdict carries none (default
         *                    {@link TopicPermissions#DEFAULT})
         * @return this builder
         */
        public Builder defaultPermissions(TopicPermissions permissions) {
            Objects.requireNonNull(permissions, "defaultPermissions");
            filters("aclPublish", permissions.publish());
            filters("aclSubscribe", permissions.subscribe());
            this.defaultPermissions = permissions;
            return this;
        }

        /**
         * @param filters where a device may publish when its auth verdict names no topics: MQTT topic filters with
         *                {@code {client_id}} and {@code {username}} placeholders (default
         *                {@code clients/{client_id}/#}; empty: nowhere)
         * @return this builder
         */
        public Builder aclPublish(List<String> filters) {
            this.defaultPermissions = new TopicPermissions(filters("aclPublish", filters), defaultPermissions.subscribe());
            return this;
        }

        /**
         * @param filters what a device may subscribe to when its auth verdict names no topics (default
         *                {@code clients/{client_id}/alerts}; empty: nothing)
         * @return this builder
         */
        public Builder aclSubscribe(List<String> filters) {
            this.defaultPermissions = new TopicPermissions(defaultPermissions.publish(), filters("aclSubscribe", filters));
            return this;
        }

        private static List<String> filters(String parameter, List<String> filters) {
            Objects.requireNonNull(filters, parameter);
            for (String f : filters) {
                String probe = f == null ? "" : f.replace("{client_id}", "x").replace("{username}", "x");
                if (!Topics.isValidFilter(probe)) {
                    throw new IllegalArgumentException(parameter + " must be " + FILTERS_ALLOWED + ", was '" + f + "'");
                }
            }
            return List.copyOf(filters);
        }

        /**
         * @param hop how devices' connections reach the core (default {@link CoreHop#MULTIPLEXED})
         * @return this builder
         */
        public Builder coreHop(CoreHop hop) {
            this.coreHop = java.util.Objects.requireNonNull(hop, "coreHop");
            return this;
        }

        /**
         * @param forward whether the device's user name is sent to the core broker (default {@code true}); the
         *                password never is
         * @return this builder
         */
        public Builder forwardUsername(boolean forward) {
            this.forwardUsername = forward;
            return this;
        }

        /**
         * @param threads I/O threads, 0 for Netty's default of twice the cores (0 to 1024; default 0)
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = Values.checkRange("workerThreads", threads, 0, MAX_WORKER_THREADS);
            return this;
        }

        /**
         * @param perSecond TLS handshakes per second per source address, 0 = unlimited (0 to 1000000; default
         *                  {@value ProxyConfig#DEFAULT_HANDSHAKES_PER_IP})
         * @return this builder
         */
        public Builder handshakesPerIp(long perSecond) {
            this.handshakesPerIp = Values.checkRange("handshakesPerIp", perSecond, 0, MAX_HANDSHAKES_PER_IP);
            return this;
        }

        /**
         * @param burst TLS handshakes a source address may start at once (1 to 1000000; default
         *              {@value ProxyConfig#DEFAULT_HANDSHAKE_BURST_PER_IP})
         * @return this builder
         */
        public Builder handshakeBurstPerIp(int burst) {
            this.handshakeBurstPerIp = Values.checkRange("handshakeBurstPerIp", burst, 1, MAX_HANDSHAKES_PER_IP);
            return this;
        }

        /**
         * @param perSecond see {@link #handshakesPerIp}
         * @param burst     see {@link #handshakeBurstPerIp}
         * @return this builder
         */
        public Builder handshakeRatePerIp(long perSecond, int burst) {
            return handshakesPerIp(perSecond).handshakeBurstPerIp(burst);
        }

        /**
         * Turns the PROXY protocol (v1 and v2) on the device listeners on or off (default off). When on, a
         * connection from one of {@link #trustedProxies} must start with a PROXY header, and the device address it
         * carries is what the per-address limits, the handshake rate, the rate tiers, the auth callout and the logs
         * see. A connection from any other address is taken as a direct one, and a PROXY header from it is refused.
         *
         * @param on whether to expect PROXY headers from the trusted load balancers (which must then be given)
         * @return this builder
         */
        public Builder proxyProtocol(boolean on) {
            this.proxyProtocol = on;
            return this;
        }

        /**
         * @param balancers IP addresses ({@code 10.0.0.5}) or CIDR networks ({@code 10.0.0.0/24}, {@code fd00::/8})
         *                  of the load balancers whose PROXY header is believed (no host names)
         * @return this builder
         */
        public Builder trustedProxies(List<String> balancers) {
            Objects.requireNonNull(balancers, "trustedProxies");
            List<String> out = new ArrayList<>();
            for (String t : balancers) {
                subnet(t);
                out.add(t.strip());
            }
            this.trustedProxies = List.copyOf(out);
            return this;
        }

        /**
         * Turns the PROXY protocol on and names the trusted load balancers: {@link #proxyProtocol(boolean)} and
         * {@link #trustedProxies(List)} at once.
         *
         * @param trustedBalancers addresses or networks of the load balancers; at least one
         * @return this builder
         */
        public Builder proxyProtocol(List<String> trustedBalancers) {
            Objects.requireNonNull(trustedBalancers, "trustedProxies");
            if (trustedBalancers.isEmpty()) {
                throw new IllegalArgumentException("trustedProxies must name at least one address or network");
            }
            return trustedProxies(trustedBalancers).proxyProtocol(true);
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the keys (and parameters) of settings that must go together: the
         *                                  upstream TLS files, the TLS certificate and key, the client CA for client
         *                                  auth, the deny TTL within the allow TTL, the load balancers for the PROXY
         *                                  protocol
         */
        public ProxyConfig build() {
            if (!((upstreamTlsCert == null) == (upstreamTlsKey == null) && (upstreamTlsKey == null) == (coreCa == null))) {
                throw new IllegalArgumentException(UPSTREAM_TLS_CERT + ", " + UPSTREAM_TLS_KEY + " and " + CORE_CA
                        + " must be set together (upstreamTlsCert=" + upstreamTlsCert + ", upstreamTlsKey="
                        + upstreamTlsKey + ", coreCa=" + coreCa + ")");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException(TLS_CERT + " and " + TLS_KEY + " must be set together (tlsCert="
                        + tlsCert + ", tlsKey=" + tlsKey + ")");
            }
            if (clientAuth != ClientAuthMode.NONE && clientCa == null) {
                throw new IllegalArgumentException(TLS_CLIENT_CA + " is required when " + TLS_CLIENT_AUTH + " is "
                        + word(clientAuth) + " (clientCa, clientAuth)");
            }
            if (authDenyCacheTtl != null && authDenyCacheTtl.compareTo(authCacheTtl) > 0) {
                throw new IllegalArgumentException(AUTH_DENY_CACHE_TTL + " must be 0s to " + AUTH_CACHE_TTL + " ("
                        + Values.format(authCacheTtl) + "), was " + Values.format(authDenyCacheTtl)
                        + " (authDenyCacheTtl, authCacheTtl)");
            }
            if (proxyProtocol && trustedProxies.isEmpty()) {
                throw new IllegalArgumentException(TRUSTED_PROXIES + " is required when " + PROXY_PROTOCOL + " is on: a "
                        + "PROXY header is accepted only from the load balancers named there (trustedProxies, "
                        + "proxyProtocol)");
            }
            return new ProxyConfig(this);
        }
    }
}
