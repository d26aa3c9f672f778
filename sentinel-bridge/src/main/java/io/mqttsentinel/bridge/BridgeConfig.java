package io.mqttsentinel.bridge;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mqttsentinel.bridge.internal.TrustMaterial;

/**
 * The bridge's settings: where the core broker and the origin are, how to authenticate and trust the
 * origin, what to subscribe to, how to rewrite topics, how to back off and how much may be in flight.
 *
 * <p>Immutable; every value is validated when it is set, and a bad value raises an
 * {@link IllegalArgumentException} naming the setting (or environment key), the value and what is allowed.
 * {@link #toString()} never shows a password.
 *
 * <p>Environment keys read by {@link #fromEnvironment(Map)} (defaults in brackets):
 * <ul>
 *   <li>{@value #ORIGIN_URL} — required: {@code ws://host[:port]/path} or {@code wss://...}; port 1–65535,
 *       default 80 for ws and 443 for wss; no user info or fragment</li>
 *   <li>{@value #CORE} [{@code 127.0.0.1:1884}] — the core broker, {@code host:port}, plain MQTT 3.1.1</li>
 *   <li>{@value #CORE_USERNAME} / {@value #CORE_PASSWORD} [none] — credentials for the core broker</li>
 *   <li>{@value #CORE_TLS_CERT} / {@value #CORE_TLS_KEY} with {@value #CORE_CA} [none: plain MQTT] — mutual TLS to
 *       the core: the bridge's client certificate of the core CA, its PKCS#8 key, and that CA (PEM files)</li>
 *   <li>{@value #CLIENT_ID} [{@code sentinel-bridge}] — 1–128 characters from {@code [A-Za-z0-9._:-]}; the
 *       stable MQTT client id on both sides (persistent sessions, clean session false)</li>
 *   <li>{@value #ORIGIN_USERNAME} / {@value #ORIGIN_PASSWORD} [none] — credentials for the origin (secret)</li>
 *   <li>{@value #ORIGIN_CA} [the JVM's trust store] — CA certificates trusted for {@code wss}: a PEM file, or a
 *       PKCS#12 / JKS trust store; {@value #ORIGIN_CA_PASSWORD} [none] — the trust store's password (secret)</li>
 *   <li>{@value #ORIGIN_VERIFY_HOSTNAME} [{@code true}] — check the origin certificate's name against the URL host</li>
 *   <li>{@value #SUBSCRIPTIONS} [{@code clients/+/telemetry,clients/+/events}] — comma list of core topic filters</li>
 *   <li>{@value #ORIGIN_SUBSCRIPTIONS} [{@code sentinel/alerts/#}] — comma list of origin topic filters (inbound)</li>
 *   <li>{@value #OUTBOUND_RULES} [{@code clients/# -> sentinel/clients/#}] — comma list of
 *       {@code pattern -> template} rules, core to origin (see {@link TopicRewriter})</li>
 *   <li>{@value #INBOUND_RULES} [{@code sentinel/alerts/{client_id} -> clients/{client_id}/alerts}] — origin to core</li>
 *   <li>{@value #BACKOFF_INITIAL} [{@code 500ms}] — 1ms–1h; {@value #BACKOFF_MAX} [{@code 30s}] — initial–1h;
 *       {@value #BACKOFF_JITTER} [{@code 0.2}] — 0.0–1.0</li>
 *   <li>{@value #MAX_INFLIGHT} [{@code 1000}] — 1–65535 publishes to the origin awaiting PUBACK</li>
 *   <li>{@value #ORIGIN_MAX_PACKET} [{@code 268435460}, MQTT's largest] — 64–268435460 bytes: the origin's
 *       largest packet (Mosquitto's {@code max_packet_size}); larger messages are not sent</li>
 *   <li>{@value #KEEP_ALIVE} [{@code 30s}] — 1s–65535s MQTT keep alive on both sides</li>
 *   <li>{@value #LEASE} [{@code off}] — {@code off}/{@code 0}, or 1s–5m: run as one of several instances that share
 *       the client id, the active one holding a lease on the core ({@link BridgeLease})</li>
 * </ul>
 * Durations are {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}).
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

    private static final Pattern CLIENT_ID_CHARS = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private final URI originUri;
    private final String coreHost;
    private final int corePort;
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

    private BridgeConfig(Builder b) {
        this.originUri = b.originUri;
        this.coreHost = b.coreHost;
        this.corePort = b.corePort;
        this.coreUsername = b.coreUsername;
        this.corePassword = b.corePassword;
        this.clientId = b.clientId;
        this.originUsername = b.originUsername;
        this.originPassword = b.originPassword;
        this.originCa = b.originCa;
        this.coreTlsCert = b.coreTlsCert;
        this.coreTlsKey = b.coreTlsKey;
        this.coreCa = b.coreCa;
        this.originCaPassword = b.originCaPassword;
        this.verifyHostname = b.verifyHostname;
        this.subscriptions = List.copyOf(b.subscriptions);
        this.originSubscriptions = List.copyOf(b.originSubscriptions);
        this.topicRewriter = b.topicRewriter;
        this.backoff = b.backoff;
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
     * Reads the {@code SENTINEL_BRIDGE_*} keys listed in the class comment; absent or blank keys keep their
     * defaults.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException when {@value #ORIGIN_URL} is missing or any value is invalid; the
     *                                  message names the key, the value (never a password) and what is allowed
     */
    public static BridgeConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Builder b = builder();
        String url = get(env, ORIGIN_URL);
        if (url == null) {
            throw new IllegalArgumentException(ORIGIN_URL + " is required: a ws:// or wss:// URL of the origin");
        }
        keyed(ORIGIN_URL, url, () -> b.originUrl(url));
        String core = get(env, CORE);
        if (core != null) {
            keyed(CORE, core, () -> b.core(core));
        }
        String clientId = get(env, CLIENT_ID);
        if (clientId != null) {
            keyed(CLIENT_ID, clientId, () -> b.clientId(clientId));
        }
        String coreUser = get(env, CORE_USERNAME);
        if (coreUser != null) {
            b.coreCredentials(coreUser, env.getOrDefault(CORE_PASSWORD, ""));
        } else if (get(env, CORE_PASSWORD) != null) {
            throw new IllegalArgumentException(CORE_PASSWORD + " is set but " + CORE_USERNAME
                    + " is not: MQTT 3.1.1 sends a password only with a user name");
        }
        String coreCert = get(env, CORE_TLS_CERT);
        String coreKey = get(env, CORE_TLS_KEY);
        String coreCaFile = get(env, CORE_CA);
        if (coreCert != null || coreKey != null || coreCaFile != null) {
            if (coreCert == null || coreKey == null || coreCaFile == null) {
                throw new IllegalArgumentException(CORE_TLS_CERT + ", " + CORE_TLS_KEY + " and " + CORE_CA
                        + " must be set together (cert=" + coreCert + ", key=" + coreKey + ", core CA=" + coreCaFile + ")");
            }
            keyed(CORE_TLS_CERT, coreCert, () -> b.coreTls(toPath(coreCert), toPath(coreKey), toPath(coreCaFile)));
        }
        String originUser = get(env, ORIGIN_USERNAME);
        if (originUser != null) {
            b.originCredentials(originUser, env.getOrDefault(ORIGIN_PASSWORD, ""));
        } else if (get(env, ORIGIN_PASSWORD) != null) {
            throw new IllegalArgumentException(ORIGIN_PASSWORD + " is set but " + ORIGIN_USERNAME
                    + " is not: MQTT 3.1.1 sends a password only with a user name");
        }
        String ca = get(env, ORIGIN_CA);
        if (ca != null) {
            String caPassword = env.get(ORIGIN_CA_PASSWORD);
            keyed(ORIGIN_CA, ca, () -> b.originCa(toPath(ca), caPassword == null || caPassword.isEmpty() ? null : caPassword));
        }
        String verify = get(env, ORIGIN_VERIFY_HOSTNAME);
        if (verify != null) {
            keyed(ORIGIN_VERIFY_HOSTNAME, verify, () -> b.verifyHostname(parseBoolean(verify)));
        }
        String subs = get(env, SUBSCRIPTIONS);
        if (subs != null) {
            keyed(SUBSCRIPTIONS, subs, () -> b.subscriptions(splitList(subs)));
        }
        String originSubs = get(env, ORIGIN_SUBSCRIPTIONS);
        if (originSubs != null) {
            keyed(ORIGIN_SUBSCRIPTIONS, originSubs, () -> b.originSubscriptions(splitList(originSubs)));
        }
        String out = get(env, OUTBOUND_RULES);
        String in = get(env, INBOUND_RULES);
        if (out != null || in != null) {
            TopicRewriter.Builder rw = TopicRewriter.builder();
            keyed(OUTBOUND_RULES, out, () -> splitList(out == null ? TopicRewriter.DEFAULT_OUTBOUND_RULE : out)
                    .forEach(rw::outboundRule));
            keyed(INBOUND_RULES, in, () -> splitList(in == null ? TopicRewriter.DEFAULT_INBOUND_RULE : in)
                    .forEach(rw::inboundRule));
            b.topicRewriter(rw.build());
        }
        String initial = get(env, BACKOFF_INITIAL);
        String max = get(env, BACKOFF_MAX);
        String jitter = get(env, BACKOFF_JITTER);
        if (initial != null || max != null || jitter != null) {
            Backoff d = Backoff.ofDefaults();
            Duration i = initial == null ? d.initial() : keyedValue(BACKOFF_INITIAL, initial, () -> parseDuration(initial));
            Duration m = max == null ? d.max() : keyedValue(BACKOFF_MAX, max, () -> parseDuration(max));
            double j = jitter == null ? d.jitter() : keyedValue(BACKOFF_JITTER, jitter, () -> parseDouble(jitter));
            String which = max != null ? BACKOFF_MAX : initial != null ? BACKOFF_INITIAL : BACKOFF_JITTER;
            String value = max != null ? max : initial != null ? initial : jitter;
            keyed(which, value, () -> b.backoff(Backoff.exponential(i, m, j)));
        }
        String inflight = get(env, MAX_INFLIGHT);
        if (inflight != null) {
            keyed(MAX_INFLIGHT, inflight, () -> b.maxInFlight(parseInt(inflight)));
        }
        String maxPacket = get(env, ORIGIN_MAX_PACKET);
        if (maxPacket != null) {
            keyed(ORIGIN_MAX_PACKET, maxPacket, () -> b.originMaxPacket(parseInt(maxPacket)));
        }
        String keepAlive = get(env, KEEP_ALIVE);
        if (keepAlive != null) {
            keyed(KEEP_ALIVE, keepAlive, () -> b.keepAlive(parseDuration(keepAlive)));
        }
        String lease = get(env, LEASE);
        if (lease != null) {
            keyed(LEASE, lease, () -> b.lease(lease.equalsIgnoreCase("off") || lease.equals("0") ? Duration.ZERO
                    : parseDuration(lease)));
        }
        return b.build();
    }

    private static String get(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static void keyed(String key, String value, Runnable r) {
        keyedValue(key, value, () -> {
            r.run();
            return null;
        });
    }

    private static <T> T keyedValue(String key, String value, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is invalid: " + e.getMessage(), e);
        }
    }

    private static Path toPath(String s) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a file path: " + e.getMessage(), e);
        }
    }

    private static boolean parseBoolean(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "1":
                return true;
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw new IllegalArgumentException("allowed: true or false");
        }
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer", e);
        }
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number (allowed 0.0 to 1.0)", e);
        }
    }

    /**
     * @param s {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S})
     * @return the duration
     * @throws IllegalArgumentException when the text is neither form
     */
    public static Duration parseDuration(String s) {
        Objects.requireNonNull(s, "duration");
        String t = s.strip().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                default:
                    return Duration.ofHours(n);
            }
        }
        try {
            return Duration.parse(s.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (allowed: 250ms, 30s, 5m, 1h or ISO-8601 like PT30S)", e);
        }
    }

    private static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** @return the origin URL ({@code ws} or {@code wss}), empty in {@link #ofDefaults()} */
    public Optional<URI> originUri() {
        return Optional.ofNullable(originUri);
    }

    /** @return the core broker host */
    public String coreHost() {
        return coreHost;
    }

    /** @return the core broker port */
    public int corePort() {
        return corePort;
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
        return "BridgeConfig[originUrl=" + originUri + ", core=" + coreHost + ":" + corePort
                + ", coreUsername=" + coreUsername + ", corePassword=" + (corePassword == null ? "none" : "***")
                + ", clientId=" + clientId + ", originUsername=" + originUsername
                + ", originPassword=" + (originPassword == null ? "none" : "***") + ", originCa=" + originCa
                + ", coreTls=" + (coreTlsCert == null ? "off" : coreTlsCert) + ", originCaPassword=" + (originCaPassword == null ? "none" : "***")
                + ", verifyHostname=" + verifyHostname + ", subscriptions=" + subscriptions
                + ", originSubscriptions=" + originSubscriptions + ", topicRewriter=" + topicRewriter
                + ", backoff=" + backoff + ", maxInFlight=" + maxInFlight + ", originMaxPacket=" + originMaxPacket
                + ", keepAlive=" + keepAlive + ", lease=" + (lease.isZero() ? "off" : lease) + "]";
    }

    /** Validates each value as it is set. Not thread-safe. */
    public static final class Builder {
        private URI originUri;
        private String coreHost = DEFAULT_CORE_HOST;
        private int corePort = DEFAULT_CORE_PORT;
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
        private Backoff backoff = Backoff.ofDefaults();
        private int maxInFlight = DEFAULT_MAX_INFLIGHT;
        private int originMaxPacket = MQTT_MAX_PACKET;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private Duration lease = Duration.ZERO;

        Builder() {
        }

        Builder(BridgeConfig c) {
            originUri = c.originUri;
            coreHost = c.coreHost;
            corePort = c.corePort;
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
            backoff = c.backoff;
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
                throw new IllegalArgumentException("origin URL '" + url + "' is not a URL: " + e.getMessage(), e);
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
         * @param hostPort {@code host:port} of the core broker (port 1–65535)
         * @return this builder
         */
        public Builder core(String hostPort) {
            Objects.requireNonNull(hostPort, "core");
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException("core address '" + hostPort + "' must be host:port");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("core address '" + hostPort + "' has a port that is not a number (allowed 1-65535)", e);
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return core(host, port);
        }

        /**
         * @param host the core broker host
         * @param port the core broker port, 1–65535
         * @return this builder
         */
        public Builder core(String host, int port) {
            Objects.requireNonNull(host, "coreHost");
            if (host.isBlank()) {
                throw new IllegalArgumentException("core host must not be empty");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("core port must be 1-65535, was " + port);
            }
            this.coreHost = host;
            this.corePort = port;
            return this;
        }

        /**
         * @param username the core broker user name
         * @param password the core broker password (may be empty)
         * @return this builder
         */
        public Builder coreCredentials(String username, String password) {
            this.coreUsername = Objects.requireNonNull(username, "coreUsername");
            this.corePassword = Objects.requireNonNull(password, "corePassword");
            return this;
        }

        /**
         * @param id 1–128 characters from {@code [A-Za-z0-9._:-]}
         * @return this builder
         */
        public Builder clientId(String id) {
            Objects.requireNonNull(id, "clientId");
            if (!CLIENT_ID_CHARS.matcher(id).matches()) {
                throw new IllegalArgumentException("client id '" + id + "' must be 1-128 characters from [A-Za-z0-9._:-]");
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
            this.originUsername = Objects.requireNonNull(username, "originUsername");
            this.originPassword = Objects.requireNonNull(password, "originPassword");
            return this;
        }

        /**
         * @param file a PEM file of CA certificates (or a password-less PKCS#12 / JKS trust store) trusted for
         *             {@code wss}, or {@code null} for the JVM's trust store
         * @return this builder
         * @throws IllegalArgumentException when the file cannot be read as certificates
         */
        public Builder originCa(Path file) {
            return originCa(file, null);
        }

        /**
         * @param file     a PEM file of CA certificates, or a PKCS#12 / JKS trust store, or {@code null} for the
         *                 JVM's trust store
         * @param password the trust store's password, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException when the file cannot be read as certificates with that password
         */
        public Builder originCa(Path file, String password) {
            if (file != null) {
                if (!Files.isReadable(file)) {
                    throw new IllegalArgumentException("origin CA file '" + file + "' must be a readable PEM file or trust store");
                }
                // read now, so that a bad file stops the start rather than every connection attempt
                TrustMaterial.trustManagerFactory(file, password == null ? null : password.toCharArray());
            }
            this.originCa = file;
            this.originCaPassword = file == null ? null : password;
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
            Objects.requireNonNull(coreCaPem, "coreCaPem");
            // read now, so that a bad file stops the start rather than every connection attempt
            TrustMaterial.keyManagerFactory(certPem, keyPem);
            TrustMaterial.trustManagerFactory(coreCaPem, null);
            this.coreTlsCert = certPem;
            this.coreTlsKey = keyPem;
            this.coreCa = coreCaPem;
            return this;
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
         * @param backoff the reconnect and retry backoff
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * @param max 1–65535 publishes to the origin awaiting PUBACK
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            if (max < 1 || max > MAX_MAX_INFLIGHT) {
                throw new IllegalArgumentException("maxInFlight must be 1-" + MAX_MAX_INFLIGHT + ", was " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        /**
         * @param bytes 64–{@value #MQTT_MAX_PACKET}: the largest MQTT packet the origin accepts (Mosquitto's
         *              {@code max_packet_size}); default {@value #MQTT_MAX_PACKET}, MQTT's own limit
         * @return this builder
         */
        public Builder originMaxPacket(int bytes) {
            if (bytes < 64 || bytes > MQTT_MAX_PACKET) {
                throw new IllegalArgumentException("originMaxPacket must be 64-" + MQTT_MAX_PACKET + " bytes, was " + bytes);
            }
            this.originMaxPacket = bytes;
            return this;
        }

        /**
         * @param keepAlive 1 s to 65535 s, whole seconds
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            Objects.requireNonNull(keepAlive, "keepAlive");
            if (keepAlive.compareTo(Duration.ofSeconds(1)) < 0 || keepAlive.compareTo(Duration.ofSeconds(65_535)) > 0) {
                throw new IllegalArgumentException("keepAlive must be 1s-65535s, was " + keepAlive);
            }
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * @param lease {@link Duration#ZERO} for a bridge that runs alone (default), or 1 s to 5 min: how long the
         *              standby instances wait for a silent active one before one of them takes over
         * @return this builder
         */
        public Builder lease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (!lease.isZero() && (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(5)) > 0)) {
                throw new IllegalArgumentException("lease must be off (0) or 1s-5m, was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** @return the configuration */
        public BridgeConfig build() {
            return new BridgeConfig(this);
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
            throw new IllegalArgumentException("origin URL '" + uri + "' port must be 1-65535, was " + port);
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
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException(name + ": topic filter '" + filter + "' may use '#' only as its whole last level");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException(name + ": topic filter '" + filter + "' may use '+' only as a whole level");
            }
        }
    }
}
