package io.mqttsentinel.bridge;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import io.mqttsentinel.api.Topics;
import io.mqttsentinel.bridge.internal.TrustMaterial;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;

/**
 * The bridge's settings: where the core broker and the origin are, how to authenticate and trust the
 * origin, what to subscribe to, how to rewrite topics, how to back off and how much may be in flight.
 *
 * <p>Immutable; the {@link Builder} checks every value when it is set and {@link Builder#build()} checks the
 * values that go together, so that a bad value raises an {@link IllegalArgumentException} naming the
 * parameter (or environment key), the value and what is allowed. {@link #toString()} never shows a password.
 *
 * <p>{@link #settings()} lists every environment key with its default and range; {@link #fromEnvironment(Map)}
 * reads them.
 */
public final class BridgeConfig {
    /** Environment key of the origin URL. */
    public static final String ORIGIN_URL = "SENTINEL_BRIDGE_ORIGIN_URL";
    /** Environment key of the core broker address. */
    public static final String CORE = "SENTINEL_BRIDGE_CORE";
    /** Environment key of the core broker user name. */
    public static final String CORE_USERNAME = "SENTINEL_BRIDGE_CORE_USERNAME";
    /** Environment key of the core broker password. */
    public static final String CORE_PASSWORD = "SENTINEL_BRIDGE_CORE_PASSWORD";
    /** Environment key of the bridge's client certificate for the core (mutual TLS, PEM). */
    public static final String CORE_TLS_CERT = "SENTINEL_BRIDGE_CORE_TLS_CERT";
    /** Environment key of that certificate's private key (PKCS#8 PEM). */
    public static final String CORE_TLS_KEY = "SENTINEL_BRIDGE_CORE_TLS_KEY";
    /** Environment key of the core's CA (PEM), shared with the proxy. */
    public static final String CORE_CA = "SENTINEL_CORE_CA";
    /** Environment key of the MQTT client id. */
    public static final String CLIENT_ID = "SENTINEL_BRIDGE_CLIENT_ID";
    /** Environment key of the origin user name. */
    public static final String ORIGIN_USERNAME = "SENTINEL_BRIDGE_ORIGIN_USERNAME";
    /** Environment key of the origin password. */
    public static final String ORIGIN_PASSWORD = "SENTINEL_BRIDGE_ORIGIN_PASSWORD";
    /** Environment key of the origin CA PEM file. */
    public static final String ORIGIN_CA = "SENTINEL_BRIDGE_ORIGIN_CA";
    /** Environment key of the origin trust store password. */
    public static final String ORIGIN_CA_PASSWORD = "SENTINEL_BRIDGE_ORIGIN_CA_PASSWORD";
    /** Environment key of the origin hostname verification switch. */
    public static final String ORIGIN_VERIFY_HOSTNAME = "SENTINEL_BRIDGE_ORIGIN_VERIFY_HOSTNAME";
    /** Environment key of the core subscriptions. */
    public static final String SUBSCRIPTIONS = "SENTINEL_BRIDGE_SUBSCRIPTIONS";
    /** Environment key of the origin (inbound) subscriptions. */
    public static final String ORIGIN_SUBSCRIPTIONS = "SENTINEL_BRIDGE_ORIGIN_SUBSCRIPTIONS";
    /** Environment key of the outbound topic rules. */
    public static final String OUTBOUND_RULES = "SENTINEL_BRIDGE_OUTBOUND_RULES";
    /** Environment key of the inbound topic rules. */
    public static final String INBOUND_RULES = "SENTINEL_BRIDGE_INBOUND_RULES";
    /** Environment key of the initial backoff. */
    public static final String BACKOFF_INITIAL = "SENTINEL_BRIDGE_BACKOFF_INITIAL";
    /** Environment key of the largest backoff. */
    public static final String BACKOFF_MAX = "SENTINEL_BRIDGE_BACKOFF_MAX";
    /** Environment key of the backoff jitter. */
    public static final String BACKOFF_JITTER = "SENTINEL_BRIDGE_BACKOFF_JITTER";
    /** Environment key of the in-flight bound. */
    public static final String MAX_INFLIGHT = "SENTINEL_BRIDGE_MAX_INFLIGHT";
    /** Environment variable: the largest MQTT packet the origin accepts, in bytes. */
    public static final String ORIGIN_MAX_PACKET = "SENTINEL_BRIDGE_ORIGIN_MAX_PACKET";
    /** The largest MQTT 3.1.1 packet: a remaining length of 268,435,455 and a five-byte fixed header. */
    public static final int MQTT_MAX_PACKET = 268_435_460;
    /** Environment key of the MQTT keep alive. */
    public static final String KEEP_ALIVE = "SENTINEL_BRIDGE_KEEP_ALIVE";
    /** Key: the lease of one active bridge among several instances ({@code off} = a single instance). */
    public static final String LEASE = "SENTINEL_BRIDGE_LEASE";

    /** Default core subscriptions. */
    public static final List<String> DEFAULT_SUBSCRIPTIONS = List.of("clients/+/telemetry", "clients/+/events");
    /** Default origin subscriptions. */
    public static final List<String> DEFAULT_ORIGIN_SUBSCRIPTIONS = List.of("sentinel/alerts/#");
    /** Default MQTT client id. */
    public static final String DEFAULT_CLIENT_ID = "sentinel-bridge";
    /** Default core broker host. */
    public static final String DEFAULT_CORE_HOST = "127.0.0.1";
    /** Default core broker port. */
    public static final int DEFAULT_CORE_PORT = 1884;
    /** Default bound of publishes awaiting the origin's PUBACK. */
    public static final int DEFAULT_MAX_INFLIGHT = 1000;
    /** Largest bound of publishes awaiting the origin's PUBACK. */
    public static final int MAX_MAX_INFLIGHT = 65_535;
    /** Default MQTT keep alive. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);

    private static final int MIN_ORIGIN_MAX_PACKET = 64;
    private static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(1);
    private static final Duration MAX_KEEP_ALIVE = Duration.ofSeconds(65_535);
    private static final Duration MIN_LEASE = Duration.ofSeconds(1);
    private static final Duration MAX_LEASE = Duration.ofMinutes(5);
    private static final String LEASE_RANGE = "off (0), or " + Values.format(MIN_LEASE) + " to " + Values.format(MAX_LEASE);
    /** The most core broker nodes {@link Builder#cores(List)} may name. */
    public static final int MAX_CORES = 64;
    private static final String CORES_ALLOWED = "comma-separated host:port (1 to " + MAX_CORES
            + " nodes), port 1 to 65535";
    private static final String CLIENT_ID_RANGE = "1 to 128 characters from [A-Za-z0-9._:-]";
    private static final Pattern CLIENT_ID_CHARS = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.text(ORIGIN_URL, "originUrl", "",
                    "a ws:// or wss:// URL with a host, port 1 to 65535, no user info or fragment",
                    "The origin broker's MQTT-over-WebSocket endpoint (required)", Builder::originUrl),
            Setting.text(CORE, "core", DEFAULT_CORE_HOST + ":" + DEFAULT_CORE_PORT, CORES_ALLOWED,
                    "The core broker, or several nodes of one core: the bridge moves to the next when it loses one"
                            + " (plain MQTT 3.1.1, or mutual TLS with the core TLS keys)", Builder::core),
            Setting.text(CORE_USERNAME, "coreUsername", "", "any text",
                    "User name for the core broker", Builder::coreUsername),
            Setting.<Builder>text(CORE_PASSWORD, "corePassword", "", "any text, with " + CORE_USERNAME,
                    "Password for the core broker", Builder::corePassword).secret(),
            Setting.text(CORE_TLS_CERT, "coreTlsCert", "", "a readable PEM certificate file, with " + CORE_TLS_KEY
                    + " and " + CORE_CA, "The bridge's client certificate (chain) of the core CA: mutual TLS to the core",
                    (b, v) -> b.coreTlsCert(toPath(v))),
            Setting.text(CORE_TLS_KEY, "coreTlsKey", "", "a readable PKCS#8 PEM key file",
                    "Private key of the core TLS certificate", (b, v) -> b.coreTlsKey(toPath(v))),
            Setting.text(CORE_CA, "coreCa", "", "a readable PEM file of CA certificates",
                    "The core's private CA: the only issuer of core broker certificates the bridge trusts",
                    (b, v) -> b.coreCa(toPath(v))),
            Setting.text(CLIENT_ID, "clientId", DEFAULT_CLIENT_ID, CLIENT_ID_RANGE,
                    "The stable MQTT client id on both sides (persistent sessions)", Builder::clientId),
            Setting.text(ORIGIN_USERNAME, "originUsername", "", "any text",
                    "User name for the origin", Builder::originUsername),
            Setting.<Builder>text(ORIGIN_PASSWORD, "originPassword", "", "any text, with " + ORIGIN_USERNAME,
                    "Password for the origin", Builder::originPassword).secret(),
            Setting.text(ORIGIN_CA, "originCa", "", "a readable PEM file, or a PKCS#12 / JKS trust store",
                    "CA certificates trusted for wss (default: the JVM's trust store)", (b, v) -> b.originCa(toPath(v))),
            Setting.<Builder>text(ORIGIN_CA_PASSWORD, "originCaPassword", "", "any text",
                    "Password of a PKCS#12 / JKS origin trust store", Builder::originCaPassword).secret(),
            Setting.bool(ORIGIN_VERIFY_HOSTNAME, "verifyHostname", true,
                    "Check the origin certificate's name against the URL host", Builder::verifyHostname),
            Setting.text(SUBSCRIPTIONS, "subscriptions", String.join(",", DEFAULT_SUBSCRIPTIONS),
                    "comma-separated MQTT topic filters, at least one",
                    "Core topic filters the bridge subscribes to (QoS 1), outbound",
                    (b, v) -> b.subscriptions(Values.list(v))),
            Setting.text(ORIGIN_SUBSCRIPTIONS, "originSubscriptions", String.join(",", DEFAULT_ORIGIN_SUBSCRIPTIONS),
                    "comma-separated MQTT topic filters", "Origin topic filters the bridge subscribes to (QoS 1), inbound",
                    (b, v) -> b.originSubscriptions(Values.list(v))),
            Setting.text(OUTBOUND_RULES, "outboundRules", TopicRewriter.DEFAULT_OUTBOUND_RULE,
                    "comma-separated 'pattern -> template' rules", "Topic rules from the core to the origin",
                    (b, v) -> b.outboundRules(Values.list(v))),
            Setting.text(INBOUND_RULES, "inboundRules", TopicRewriter.DEFAULT_INBOUND_RULE,
                    "comma-separated 'pattern -> template' rules", "Topic rules from the origin to the core",
                    (b, v) -> b.inboundRules(Values.list(v))),
            Setting.duration(BACKOFF_INITIAL, "backoffInitial", Backoff.MIN_DELAY, Backoff.MAX_DELAY,
                    Backoff.ofDefaults().initial(), "First reconnect and retry delay", Builder::backoffInitial),
            Setting.duration(BACKOFF_MAX, "backoffMax", Backoff.MIN_DELAY, Backoff.MAX_DELAY,
                    Backoff.ofDefaults().max(), "Largest reconnect and retry delay (at least " + BACKOFF_INITIAL + ")",
                    Builder::backoffMax),
            Setting.decimal(BACKOFF_JITTER, "backoffJitter", 0.0, 1.0, Backoff.ofDefaults().jitter(),
                    "Random share of each delay", Builder::backoffJitter),
            Setting.integer(MAX_INFLIGHT, "maxInFlight", 1, MAX_MAX_INFLIGHT, DEFAULT_MAX_INFLIGHT,
                    "Publishes to the origin awaiting PUBACK", Builder::maxInFlight),
            Setting.size(ORIGIN_MAX_PACKET, "originMaxPacket", MIN_ORIGIN_MAX_PACKET, MQTT_MAX_PACKET, MQTT_MAX_PACKET,
                    "Largest MQTT packet the origin accepts (Mosquitto's max_packet_size); larger messages are not sent",
                    (b, n) -> b.originMaxPacket((int) n)),
            Setting.duration(KEEP_ALIVE, "keepAlive", MIN_KEEP_ALIVE, MAX_KEEP_ALIVE, DEFAULT_KEEP_ALIVE,
                    "MQTT keep alive on both sides", Builder::keepAlive),
            Setting.text(LEASE, "lease", "off", LEASE_RANGE, "Run as one of several instances sharing the client "
                    + "id, the active one holding a lease on the core for this long (off: a single instance)",
                    (b, v) -> b.lease(v.equalsIgnoreCase("off") ? Duration.ZERO : Values.duration(v, ChronoUnit.SECONDS))));

    private final URI originUri;
    private final List<InetSocketAddress> cores;
    private final String coreUsername;
    private final String corePassword;
    private final String clientId;
    private final String originUsername;
    private final String originPassword;
    private final Path originCa;
    private final Path coreTlsCert;
    private final Path coreTlsKey;
    private final Path coreCa;
    private final String originCaPassword;
    private final boolean verifyHostname;
    private final List<String> subscriptions;
    private final List<String> originSubscriptions;
    private final TopicRewriter topicRewriter;
    private final Backoff backoff;
    private final int maxInFlight;
    private final int originMaxPacket;
    private final Duration keepAlive;
    private final Duration lease;

    private BridgeConfig(Builder b, Backoff backoff) {
        this.originUri = b.originUri;
        this.cores = b.cores;
        this.coreUsername = b.coreUsername;
        this.corePassword = b.coreUsername != null && b.corePassword == null ? "" : b.corePassword;
        this.clientId = b.clientId;
        this.originUsername = b.originUsername;
        this.originPassword = b.originUsername != null && b.originPassword == null ? "" : b.originPassword;
        this.originCa = b.originCa;
        this.coreTlsCert = b.coreTlsCert;
        this.coreTlsKey = b.coreTlsKey;
        this.coreCa = b.coreCa;
        this.originCaPassword = b.originCa == null ? null : b.originCaPassword;
        this.verifyHostname = b.verifyHostname;
        this.subscriptions = List.copyOf(b.subscriptions);
        this.originSubscriptions = List.copyOf(b.originSubscriptions);
        this.topicRewriter = b.topicRewriter;
        this.backoff = backoff;
        this.maxInFlight = b.maxInFlight;
        this.originMaxPacket = b.originMaxPacket;
        this.keepAlive = b.keepAlive;
        this.lease = b.lease;
    }

    /** @return every default; no origin URL (a {@link Bridge} needs one) */
    public static BridgeConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Every environment key of the bridge, its builder parameter, default and range: the one place they are
     * written. {@link #fromEnvironment(Map)} applies them in this order.
     *
     * @return the settings, unmodifiable
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; absent or blank keys keep their defaults.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException when {@value #ORIGIN_URL} is missing or any value is invalid; the
     *                                  message names the key, the value (never a password) and what is allowed
     */
    public static BridgeConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String url = env.get(ORIGIN_URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(ORIGIN_URL + " is required: a ws:// or wss:// URL of the origin");
        }
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    private static Path toPath(String s) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a file path: " + e.getMessage(), e);
        }
    }

    /** @return the origin URL ({@code ws} or {@code wss}), empty in {@link #ofDefaults()} */
    public Optional<URI> originUri() {
        return Optional.ofNullable(originUri);
    }

    /** @return the first core broker node's host */
    public String coreHost() {
        return cores.get(0).getHostString();
    }

    /** @return the first core broker node's port */
    public int corePort() {
        return cores.get(0).getPort();
    }

    /**
     * @return the core broker nodes, the first tried first; after losing one the bridge connects to the next
     *         (unresolved addresses, resolved at each connect)
     */
    public List<InetSocketAddress> cores() {
        return cores;
    }

    /** @return the core broker user name, if any */
    public Optional<String> coreUsername() {
        return Optional.ofNullable(coreUsername);
    }

    /** @return the core broker password, if any */
    public Optional<String> corePassword() {
        return Optional.ofNullable(corePassword);
    }

    /** @return the stable MQTT client id */
    public String clientId() {
        return clientId;
    }

    /** @return the origin user name, if any */
    public Optional<String> originUsername() {
        return Optional.ofNullable(originUsername);
    }

    /** @return the origin password, if any */
    public Optional<String> originPassword() {
        return Optional.ofNullable(originPassword);
    }

    /** @return the bridge's client certificate for the core, if the link to the core is mutual TLS */
    public Optional<Path> coreTlsCert() {
        return Optional.ofNullable(coreTlsCert);
    }

    /** @return the private key of {@link #coreTlsCert()}, if set */
    public Optional<Path> coreTlsKey() {
        return Optional.ofNullable(coreTlsKey);
    }

    /** @return the core's CA, if the link to the core is mutual TLS */
    public Optional<Path> coreCa() {
        return Optional.ofNullable(coreCa);
    }

    /**
     * @return the CA certificates trusted for {@code wss} (PEM, PKCS#12 or JKS); empty means the JVM's trust
     *         store
     */
    public Optional<Path> originCa() {
        return Optional.ofNullable(originCa);
    }

    /** @return the password of the {@link #originCa()} trust store, if any */
    public Optional<String> originCaPassword() {
        return Optional.ofNullable(originCaPassword);
    }

    /** @return whether the origin certificate's name is checked against the URL host */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** @return the core topic filters the bridge subscribes to (QoS 1) */
    public List<String> subscriptions() {
        return subscriptions;
    }

    /** @return the origin topic filters the bridge subscribes to (QoS 1, inbound) */
    public List<String> originSubscriptions() {
        return originSubscriptions;
    }

    /** @return the topic rules */
    public TopicRewriter topicRewriter() {
        return topicRewriter;
    }

    /** @return the reconnect and retry backoff */
    public Backoff backoff() {
        return backoff;
    }

    /** @return the largest number of publishes to the origin awaiting PUBACK */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * @return the largest MQTT packet the origin accepts, in bytes: a PUBLISH that would be larger is not sent
     *         (an origin that closes the connection on it would otherwise see it again after every reconnect)
     */
    public int originMaxPacket() {
        return originMaxPacket;
    }

    /** @return the MQTT keep alive on both sides */
    public Duration keepAlive() {
        return keepAlive;
    }

    /**
     * @return the lease of the active instance among several ({@link BridgeLease}), or {@link Duration#ZERO} when
     *         this bridge runs alone (the default)
     */
    public Duration lease() {
        return lease;
    }

    @Override
    public String toString() {
        return "BridgeConfig[originUrl=" + originUri + ", core=" + Values.formatHostPorts(cores)
                + ", coreUsername=" + coreUsername + ", corePassword=" + (corePassword == null ? "none" : "***")
                + ", clientId=" + clientId + ", originUsername=" + originUsername
                + ", originPassword=" + (originPassword == null ? "none" : "***") + ", originCa=" + originCa
                + ", coreTls=" + (coreTlsCert == null ? "off" : coreTlsCert) + ", originCaPassword=" + (originCaPassword == null ? "none" : "***")
                + ", verifyHostname=" + verifyHostname + ", subscriptions=" + subscriptions
                + ", originSubscriptions=" + originSubscriptions + ", topicRewriter=" + topicRewriter
                + ", backoff=" + backoff + ", maxInFlight=" + maxInFlight + ", originMaxPacket=" + originMaxPacket
                + ", keepAlive=" + keepAlive + ", lease=" + (lease.isZero() ? "off" : lease) + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BridgeConfig)) {
            return false;
        }
        BridgeConfig c = (BridgeConfig) o;
        return Objects.equals(originUri, c.originUri) && cores.equals(c.cores)
                && Objects.equals(coreUsername, c.coreUsername) && Objects.equals(corePassword, c.corePassword)
                && clientId.equals(c.clientId) && Objects.equals(originUsername, c.originUsername)
                && Objects.equals(originPassword, c.originPassword) && Objects.equals(originCa, c.originCa)
                && Objects.equals(originCaPassword, c.originCaPassword) && Objects.equals(coreTlsCert, c.coreTlsCert)
                && Objects.equals(coreTlsKey, c.coreTlsKey) && Objects.equals(coreCa, c.coreCa)
                && verifyHostname == c.verifyHostname && subscriptions.equals(c.subscriptions)
                && originSubscriptions.equals(c.originSubscriptions) && topicRewriter.equals(c.topicRewriter)
                && backoff.equals(c.backoff) && maxInFlight == c.maxInFlight && originMaxPacket == c.originMaxPacket
                && keepAlive.equals(c.keepAlive) && lease.equals(c.lease);
    }

    @Override
    public int hashCode() {
        return Objects.hash(originUri, cores, coreUsername, corePassword, clientId, originUsername,
                originPassword, originCa, originCaPassword, coreTlsCert, coreTlsKey, coreCa, verifyHostname,
                subscriptions, originSubscriptions, topicRewriter, backoff, maxInFlight, originMaxPacket, keepAlive, lease);
    }

    /**
     * Checks each value as it is set ({@code <parameter> must be <range>, was <value>}); {@link #build()} checks
     * the values that go together and copies them into a new {@link BridgeConfig}, so one builder can build
     * any number of independent configurations. Not thread-safe.
     */
    public static final class Builder {
        private URI originUri;
        private List<InetSocketAddress> cores = List.of(InetSocketAddress.createUnresolved(DEFAULT_CORE_HOST,
                DEFAULT_CORE_PORT));
        private String coreUsername;
        private String corePassword;
        private String clientId = DEFAULT_CLIENT_ID;
        private String originUsername;
        private String originPassword;
        private Path originCa;
        private String originCaPassword;
        private Path coreTlsCert;
        private Path coreTlsKey;
        private Path coreCa;
        private boolean verifyHostname = true;
        private List<String> subscriptions = DEFAULT_SUBSCRIPTIONS;
        private List<String> originSubscriptions = DEFAULT_ORIGIN_SUBSCRIPTIONS;
        private TopicRewriter topicRewriter = TopicRewriter.ofDefaults();
        private Duration backoffInitial = Backoff.ofDefaults().initial();
        private Duration backoffMax = Backoff.ofDefaults().max();
        private double backoffJitter = Backoff.ofDefaults().jitter();
        private int maxInFlight = DEFAULT_MAX_INFLIGHT;
        private int originMaxPacket = MQTT_MAX_PACKET;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private Duration lease = Duration.ZERO;

        Builder() {
        }

        Builder(BridgeConfig c) {
            originUri = c.originUri;
            cores = c.cores;
            coreUsername = c.coreUsername;
            corePassword = c.corePassword;
            clientId = c.clientId;
            originUsername = c.originUsername;
            originPassword = c.originPassword;
            originCa = c.originCa;
            originCaPassword = c.originCaPassword;
            coreTlsCert = c.coreTlsCert;
            coreTlsKey = c.coreTlsKey;
            coreCa = c.coreCa;
            verifyHostname = c.verifyHostname;
            subscriptions = c.subscriptions;
            originSubscriptions = c.originSubscriptions;
            topicRewriter = c.topicRewriter;
            backoff(c.backoff);
            maxInFlight = c.maxInFlight;
            originMaxPacket = c.originMaxPacket;
            keepAlive = c.keepAlive;
            lease = c.lease;
        }

        /**
         * @param url {@code ws://host[:port]/path} or {@code wss://...}
         * @return this builder
         * @throws IllegalArgumentException when the scheme, host or port is invalid
         */
        public Builder originUrl(String url) {
            Objects.requireNonNull(url, "originUrl");
            try {
                return originUri(new URI(url.strip()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("originUrl '" + url + "' is not a URL: " + e.getMessage(), e);
            }
        }

        /**
         * @param uri {@code ws://host[:port]/path} or {@code wss://...}
         * @return this builder
         * @throws IllegalArgumentException when the scheme, host or port is invalid
         */
        public Builder originUri(URI uri) {
            this.originUri = validateOrigin(Objects.requireNonNull(uri, "originUri"));
            return this;
        }

        /**
         * @param hostPorts {@code host:port} of the core broker, or of several nodes of one core separated by
         *                  commas (port 1 to 65535; an IPv6 host in brackets)
         * @return this builder
         * @throws IllegalArgumentException when it is not such a list
         * @see #cores(List)
         */
        public Builder core(String hostPorts) {
            Objects.requireNonNull(hostPorts, "core");
            try {
                return cores(Values.hostPorts(hostPorts));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("core must be " + CORES_ALLOWED + ", was '" + hostPorts + "'", e);
            }
        }

        /**
         * @param host the core broker host
         * @param port the core broker port, 1 to 65535
         * @return this builder
         */
        public Builder core(String host, int port) {
            Objects.requireNonNull(host, "coreHost");
            return cores(List.of(InetSocketAddress.createUnresolved(host, port)));
        }

        /**
         * Several nodes of one core (docs/cluster.md): the bridge connects to the first and, each time it loses the
         * connection, tries the next in turn, so that its session (which every node can resume) continues on a
         * node that is alive.
         *
         * @param nodes the core broker nodes, 1 to {@value #MAX_CORES}; duplicates are dropped
         * @return this builder
         */
        public Builder cores(List<InetSocketAddress> nodes) {
            Objects.requireNonNull(nodes, "cores");
            List<InetSocketAddress> distinct = new ArrayList<>();
            for (InetSocketAddress n : nodes) {
                Objects.requireNonNull(n, "core node");
                if (n.getHostString().isBlank()) {
                    throw new IllegalArgumentException("coreHost must be a host name or address, was '"
                            + n.getHostString() + "'");
                }
                Values.checkRange("corePort", n.getPort(), 1, 65_535);
                if (!distinct.contains(n)) {
                    distinct.add(n);
                }
            }
            Values.checkRange("cores", distinct.size(), 1, MAX_CORES);
            this.cores = List.copyOf(distinct);
            return this;
        }

        /**
         * @param username the core broker user name
         * @param password the core broker password (may be empty)
         * @return this builder
         */
        public Builder coreCredentials(String username, String password) {
            return coreUsername(username).corePassword(password);
        }

        /**
         * @param username the core broker user name
         * @return this builder
         */
        public Builder coreUsername(String username) {
            this.coreUsername = Objects.requireNonNull(username, "coreUsername");
            return this;
        }

        /**
         * @param password the core broker password (may be empty); {@link #build()} refuses it without a
         *                 {@linkplain #coreUsername(String) user name}
         * @return this builder
         */
        public Builder corePassword(String password) {
            this.corePassword = Objects.requireNonNull(password, "corePassword");
            return this;
        }

        /**
         * @param id 1 to 128 characters from {@code [A-Za-z0-9._:-]}
         * @return this builder
         */
        public Builder clientId(String id) {
            Objects.requireNonNull(id, "clientId");
            if (!CLIENT_ID_CHARS.matcher(id).matches()) {
                throw new IllegalArgumentException("clientId must be " + CLIENT_ID_RANGE + ", was '" + id + "'");
            }
            this.clientId = id;
            return this;
        }

        /**
         * @param username the origin user name
         * @param password the origin password (may be empty)
         * @return this builder
         */
        public Builder originCredentials(String username, String password) {
            return originUsername(username).originPassword(password);
        }

        /**
         * @param username the origin user name
         * @return this builder
         */
        public Builder originUsername(String username) {
            this.originUsername = Objects.requireNonNull(username, "originUsername");
            return this;
        }

        /**
         * @param password the origin password (may be empty); {@link #build()} refuses it without a
         *                 {@linkplain #originUsername(String) user name}
         * @return this builder
         */
        public Builder originPassword(String password) {
            this.originPassword = Objects.requireNonNull(password, "originPassword");
            return this;
        }

        /**
         * @param file a PEM file of CA certificates, or a PKCS#12 / JKS trust store (with its
         *             {@linkplain #originCaPassword(String) password}), trusted for {@code wss}; {@code null} for the
         *             JVM's trust store. {@link #build()} reads it with the password.
         * @return this builder
         * @throws IllegalArgumentException when the file is not readable
         */
        public Builder originCa(Path file) {
            if (file != null && (!Files.isReadable(file) || Files.isDirectory(file))) {
                throw new IllegalArgumentException("originCa must be a readable PEM file or trust store, was '" + file + "'");
            }
            this.originCa = file;
            return this;
        }

        /**
         * @param file     a PEM file of CA certificates, or a PKCS#12 / JKS trust store, or {@code null} for the
         *                 JVM's trust store
         * @param password the trust store's password, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException when the file cannot be read as certificates with that password
         */
        public Builder originCa(Path file, String password) {
            originCa(file);
            if (file != null) {
                // read now, so that a bad file stops the start rather than every connection attempt
                TrustMaterial.trustManagerFactory(file, password == null ? null : password.toCharArray());
            }
            this.originCaPassword = password;
            return this;
        }

        /**
         * @param password the password of a PKCS#12 / JKS {@linkplain #originCa(Path) origin trust store}, or
         *                 {@code null}
         * @return this builder
         */
        public Builder originCaPassword(String password) {
            this.originCaPassword = password;
            return this;
        }

        /**
         * Connects to the core over mutual TLS: the bridge presents {@code certPem} and trusts only broker
         * certificates issued by {@code coreCaPem}; the broker's host name is not checked, as the CA is private
         * to the core link (see docs/operations.md, "Trust between layers").
         *
         * @param certPem   the bridge's client certificate (chain), PEM
         * @param keyPem    its private key, PKCS#8 PEM
         * @param coreCaPem the core's CA, PEM
         * @return this builder
         * @throws IllegalArgumentException when a file cannot be read as such
         */
        public Builder coreTls(Path certPem, Path keyPem, Path coreCaPem) {
            Objects.requireNonNull(certPem, "certPem");
            Objects.requireNonNull(keyPem, "keyPem");
            coreTlsCert(certPem).coreTlsKey(keyPem).coreCa(Objects.requireNonNull(coreCaPem, "coreCaPem"));
            // read now, so that a bad file stops the start rather than every connection attempt
            TrustMaterial.keyManagerFactory(certPem, keyPem);
            return this;
        }

        /**
         * @param certPem the bridge's client certificate (chain) of the core CA, PEM; set with
         *                {@link #coreTlsKey(Path)} and {@link #coreCa(Path)} ({@link #build()} checks the three)
         * @return this builder
         * @throws IllegalArgumentException when the file is not readable
         */
        public Builder coreTlsCert(Path certPem) {
            this.coreTlsCert = readable("coreTlsCert", "a readable PEM certificate file", certPem);
            return this;
        }

        /**
         * @param keyPem the private key of {@link #coreTlsCert(Path)}, PKCS#8 PEM
         * @return this builder
         * @throws IllegalArgumentException when the file is not readable
         */
        public Builder coreTlsKey(Path keyPem) {
            this.coreTlsKey = readable("coreTlsKey", "a readable PKCS#8 PEM key file", keyPem);
            return this;
        }

        /**
         * @param coreCaPem the core's CA, PEM: the only issuer of core broker certificates the bridge trusts
         * @return this builder
         * @throws IllegalArgumentException when the file cannot be read as certificates
         */
        public Builder coreCa(Path coreCaPem) {
            readable("coreCa", "a readable PEM file of CA certificates", coreCaPem);
            TrustMaterial.trustManagerFactory(coreCaPem, null);
            this.coreCa = coreCaPem;
            return this;
        }

        private static Path readable(String parameter, String allowed, Path file) {
            Objects.requireNonNull(file, parameter);
            if (!Files.isReadable(file) || Files.isDirectory(file)) {
                throw new IllegalArgumentException(parameter + " must be " + allowed + ", was '" + file + "'");
            }
            return file;
        }

        /**
         * @param verify whether the origin certificate's name is checked against the URL host (default true)
         * @return this builder
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /**
         * @param filters core topic filters, at least one
         * @return this builder
         */
        public Builder subscriptions(List<String> filters) {
            this.subscriptions = validateFilters("subscriptions", filters);
            return this;
        }

        /**
         * @param filters origin topic filters (may be empty: no inbound traffic)
         * @return this builder
         */
        public Builder originSubscriptions(List<String> filters) {
            Objects.requireNonNull(filters, "originSubscriptions");
            this.originSubscriptions = filters.isEmpty() ? List.of() : validateFilters("originSubscriptions", filters);
            return this;
        }

        /**
         * @param rewriter the topic rules
         * @return this builder
         */
        public Builder topicRewriter(TopicRewriter rewriter) {
            this.topicRewriter = Objects.requireNonNull(rewriter, "topicRewriter");
            return this;
        }

        /**
         * Replaces the outbound rules of the {@linkplain #topicRewriter(TopicRewriter) topic rules}, keeping the
         * inbound ones.
         *
         * @param rules {@code pattern -> template} rules, core to origin, in order (see {@link TopicRewriter})
         * @return this builder
         * @throws IllegalArgumentException naming a rule that is invalid
         */
        public Builder outboundRules(List<String> rules) {
            Objects.requireNonNull(rules, "outboundRules");
            TopicRewriter.Builder rw = rewriterLike(topicRewriter);
            rules.forEach(rw::outboundRule);
            topicRewriter.inboundRules().forEach(r -> rw.inbound(r.pattern(), r.template()));
            this.topicRewriter = rw.build();
            return this;
        }

        /**
         * Replaces the inbound rules of the {@linkplain #topicRewriter(TopicRewriter) topic rules}, keeping the
         * outbound ones.
         *
         * @param rules {@code pattern -> template} rules, origin to core, in order (see {@link TopicRewriter})
         * @return this builder
         * @throws IllegalArgumentException naming a rule that is invalid
         */
        public Builder inboundRules(List<String> rules) {
            Objects.requireNonNull(rules, "inboundRules");
            TopicRewriter.Builder rw = rewriterLike(topicRewriter);
            topicRewriter.outboundRules().forEach(r -> rw.outbound(r.pattern(), r.template()));
            rules.forEach(rw::inboundRule);
            this.topicRewriter = rw.build();
            return this;
        }

        private static TopicRewriter.Builder rewriterLike(TopicRewriter r) {
            return TopicRewriter.builder().unmatchedOutbound(r.unmatchedOutbound()).unmatchedInbound(r.unmatchedInbound());
        }

        /**
         * @param backoff the reconnect and retry backoff (sets its initial delay, largest delay and jitter)
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            Objects.requireNonNull(backoff, "backoff");
            this.backoffInitial = backoff.initial();
            this.backoffMax = backoff.max();
            this.backoffJitter = backoff.jitter();
            return this;
        }

        /**
         * @param initial the first reconnect and retry delay, 1ms to 1h
         * @return this builder
         */
        public Builder backoffInitial(Duration initial) {
            this.backoffInitial = Values.checkRange("backoffInitial", initial, Backoff.MIN_DELAY, Backoff.MAX_DELAY);
            return this;
        }

        /**
         * @param max the largest reconnect and retry delay, 1ms to 1h; {@link #build()} checks that it is at least
         *            the {@linkplain #backoffInitial(Duration) initial delay}
         * @return this builder
         */
        public Builder backoffMax(Duration max) {
            this.backoffMax = Values.checkRange("backoffMax", max, Backoff.MIN_DELAY, Backoff.MAX_DELAY);
            return this;
        }

        /**
         * @param jitter the random share of each delay, 0.0 to 1.0
         * @return this builder
         */
        public Builder backoffJitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("backoffJitter must be 0.0 to 1.0, was " + jitter);
            }
            this.backoffJitter = jitter;
            return this;
        }

        /**
         * @param max 1 to 65535 publishes to the origin awaiting PUBACK
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Values.checkRange("maxInFlight", max, 1, MAX_MAX_INFLIGHT);
            return this;
        }

        /**
         * @param bytes 64 to {@value #MQTT_MAX_PACKET}: the largest MQTT packet the origin accepts (Mosquitto's
         *              {@code max_packet_size}); default {@value #MQTT_MAX_PACKET}, MQTT's own limit
         * @return this builder
         */
        public Builder originMaxPacket(int bytes) {
            this.originMaxPacket = Values.checkRange("originMaxPacket", bytes, MIN_ORIGIN_MAX_PACKET, MQTT_MAX_PACKET);
            return this;
        }

        /**
         * @param keepAlive 1s to 65535s
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = Values.checkRange("keepAlive", keepAlive, MIN_KEEP_ALIVE, MAX_KEEP_ALIVE);
            return this;
        }

        /**
         * @param lease {@link Duration#ZERO} for a bridge that runs alone (default), or 1s to 5m: how long the
         *              standby instances wait for a silent active one before one of them takes over
         * @return this builder
         */
        public Builder lease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (!lease.isZero() && (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0)) {
                throw new IllegalArgumentException("lease must be " + LEASE_RANGE + ", was " + Values.format(lease));
            }
            this.lease = lease;
            return this;
        }

        /**
         * Checks the values that go together (a password needs its user name; the core TLS files are set
         * together and the certificate matches its key; the origin trust store opens with its password; the
         * largest backoff is at least the initial one) and copies the values into a new configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming the keys of the values that do not go together
         */
        public BridgeConfig build() {
            if (corePassword != null && coreUsername == null) {
                throw new IllegalArgumentException(CORE_PASSWORD + " is set but " + CORE_USERNAME
                        + " is not: MQTT 3.1.1 sends a password only with a user name");
            }
            if (originPassword != null && originUsername == null) {
                throw new IllegalArgumentException(ORIGIN_PASSWORD + " is set but " + ORIGIN_USERNAME
                        + " is not: MQTT 3.1.1 sends a password only with a user name");
            }
            if (coreTlsCert != null || coreTlsKey != null || coreCa != null) {
                if (coreTlsCert == null || coreTlsKey == null || coreCa == null) {
                    throw new IllegalArgumentException(CORE_TLS_CERT + ", " + CORE_TLS_KEY + " and " + CORE_CA
                            + " must be set together (cert=" + coreTlsCert + ", key=" + coreTlsKey + ", core CA=" + coreCa + ")");
                }
                try {
                    TrustMaterial.keyManagerFactory(coreTlsCert, coreTlsKey);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(CORE_TLS_CERT + "='" + coreTlsCert + "' and " + CORE_TLS_KEY + "='"
                            + coreTlsKey + "' are invalid: " + e.getMessage(), e);
                }
            }
            if (originCa != null) {
                try {
                    TrustMaterial.trustManagerFactory(originCa, originCaPassword == null ? null : originCaPassword.toCharArray());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(ORIGIN_CA + "='" + originCa + "' is invalid"
                            + (originCaPassword == null ? "" : " with " + ORIGIN_CA_PASSWORD) + ": " + e.getMessage(), e);
                }
            }
            if (backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException(BACKOFF_MAX + " (backoffMax) must be " + BACKOFF_INITIAL
                        + " (backoffInitial, " + Values.format(backoffInitial) + ") to " + Values.format(Backoff.MAX_DELAY)
                        + ", was " + Values.format(backoffMax));
            }
            return new BridgeConfig(this, Backoff.exponential(backoffInitial, backoffMax, backoffJitter));
        }
    }

    static URI validateOrigin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("origin URL '" + uri + "' must use scheme ws or wss, was '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("origin URL '" + uri + "' must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("origin URL must not carry user info; use the origin credentials settings");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("origin URL '" + uri + "' must not have a fragment");
        }
        int port = uri.getPort();
        if (port == 0 || port > 65_535) {
            throw new IllegalArgumentException("origin URL '" + uri + "' port must be 1 to 65535, was " + port);
        }
        return uri;
    }

    /**
     * @param uri a validated origin URI
     * @return its port, or the scheme's default (80 for ws, 443 for wss)
     */
    static int portOf(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    static List<String> validateFilters(String name, List<String> filters) {
        Objects.requireNonNull(filters, name);
        if (filters.isEmpty()) {
            throw new IllegalArgumentException(name + " must list at least one topic filter");
        }
        for (String f : filters) {
            validateFilter(name, f);
        }
        return List.copyOf(filters);
    }

    static void validateFilter(String name, String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new IllegalArgumentException(name + ": a topic filter must not be empty");
        }
        if (!Topics.isValidFilter(filter)) {
            throw new IllegalArgumentException(name + ": topic filter '" + filter + "' is not a valid MQTT topic filter ('+' "
                    + "only as a whole level, '#' only as the whole last level, no U+0000, at most 65535 bytes of UTF-8)");
        }
    }
}
