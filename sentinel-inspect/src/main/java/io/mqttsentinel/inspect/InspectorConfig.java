package io.mqttsentinel.inspect;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable settings of the inspector. Every builder setter checks its argument at once and names the
 * parameter and its range; {@link #settings()} lists the {@code SENTINEL_INSPECT_*} environment keys with their
 * defaults and ranges (the only place they are written).
 *
 * <pre>{@code
 * InspectorConfig config = InspectorConfig.fromEnvironment(System.getenv());
 * InspectorConfig strict = config.toBuilder().maxPayloadBytes(4096).build();
 * }</pre>
 */
public final class InspectorConfig {

    /** Environment key of {@link #maxPayloadBytes()}. */
    public static final String ENV_MAX_PAYLOAD = "SENTINEL_INSPECT_MAX_PAYLOAD";
    /** Environment key of {@link #entropyThreshold()}. */
    public static final String ENV_ENTROPY_THRESHOLD = "SENTINEL_INSPECT_ENTROPY_THRESHOLD";
    /** Environment key of {@link #entropyMinBytes()}. */
    public static final String ENV_ENTROPY_MIN_BYTES = "SENTINEL_INSPECT_ENTROPY_MIN_BYTES";
    /** Environment key of {@link #rateLimit()}. */
    public static final String ENV_RATE_LIMIT = "SENTINEL_INSPECT_RATE_LIMIT";
    /** Environment key of {@link #connectionRateLimit()}. */
    public static final String ENV_CONNECTION_RATE_LIMIT = "SENTINEL_INSPECT_CONNECTION_RATE_LIMIT";
    /** Environment key of {@link #rateExemptClients()}. */
    public static final String ENV_RATE_EXEMPT = "SENTINEL_INSPECT_RATE_EXEMPT";
    /** Environment key of {@link #rateTrackedKeys()}. */
    public static final String ENV_RATE_TRACKED_KEYS = "SENTINEL_INSPECT_RATE_TRACKED_KEYS";
    /** Environment key of {@link #rulesFile()}. */
    public static final String ENV_RULES_FILE = "SENTINEL_INSPECT_RULES_FILE";
    /** Environment key of {@link #decodeRounds()}. */
    public static final String ENV_DECODE_ROUNDS = "SENTINEL_INSPECT_DECODE_ROUNDS";
    /** Environment key of {@link #maxJsonDepth()}. */
    public static final String ENV_MAX_JSON_DEPTH = "SENTINEL_INSPECT_MAX_JSON_DEPTH";

    /** The highest {@link #rateLimit()} and {@link #connectionRateLimit()}, per second (the lowest is 1). */
    public static final int MAX_RATE = 1_000_000;

    private static final int MAX_BYTES = 256 * 1024 * 1024;
    private static final int MIN_ENTROPY_BYTES = 256;
    private static final double MAX_ENTROPY = 8.0;
    private static final int MAX_TRACKED_KEYS = 10_000_000;
    private static final int MAX_DECODE_ROUNDS = 8;
    private static final int MAX_JSON_DEPTH = 4096;

    private static final int DEFAULT_MAX_PAYLOAD = 10_240;
    private static final double DEFAULT_ENTROPY_THRESHOLD = 7.5;
    private static final int DEFAULT_ENTROPY_MIN_BYTES = 1024;
    private static final int DEFAULT_RATE = 100;
    private static final int DEFAULT_TRACKED_KEYS = 100_000;
    private static final int DEFAULT_DECODE_ROUNDS = 3;
    private static final int DEFAULT_JSON_DEPTH = 64;

    private static final String ENTROPY_RANGE = "above 0 and at most " + MAX_ENTROPY + " bits per byte";

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.size(ENV_MAX_PAYLOAD, "maxPayloadBytes", 1, MAX_BYTES, DEFAULT_MAX_PAYLOAD,
                    "Larger payloads are quarantined and reported (size anomaly)",
                    (b, n) -> b.maxPayloadBytes((int) n)),
            // a decimal with an exclusive lower bound, which Setting.decimal cannot say: the builder checks it
            Setting.text(ENV_ENTROPY_THRESHOLD, "entropyThreshold", Double.toString(DEFAULT_ENTROPY_THRESHOLD),
                    ENTROPY_RANGE, "Shannon entropy above which a payload is reported (entropy anomaly)",
                    (b, v) -> b.entropyThreshold(Values.decimal(v))),
            Setting.size(ENV_ENTROPY_MIN_BYTES, "entropyMinBytes", MIN_ENTROPY_BYTES, MAX_BYTES,
                    DEFAULT_ENTROPY_MIN_BYTES, "Smallest payload whose entropy is judged",
                    (b, n) -> b.entropyMinBytes((int) n)),
            Setting.integer(ENV_RATE_LIMIT, "rateLimit", 1, MAX_RATE, DEFAULT_RATE,
                    "Per-client message rate (messages/s) above which the excess messages are rate limited (blocked) "
                            + "and reported (rate anomaly)", Builder::rateLimit),
            Setting.text(ENV_RATE_EXEMPT, "rateExemptClients", "", "comma-separated client ids",
                    "Client ids the message-rate anomaly skips (size, entropy and signatures still apply); "
                            + "the launcher exempts the bridge's client id unless this is set",
                    (b, v) -> b.rateExemptClients(Values.list(v))),
            Setting.integer(ENV_CONNECTION_RATE_LIMIT, "connectionRateLimit", 1, MAX_RATE, DEFAULT_RATE,
                    "Per-source connection rate (connections/s) above which the proxy refuses and reports connections",
                    Builder::connectionRateLimit),
            Setting.integer(ENV_RATE_TRACKED_KEYS, "rateTrackedKeys", 1, MAX_TRACKED_KEYS, DEFAULT_TRACKED_KEYS,
                    "Clients and sources tracked by the rate anomaly at most", Builder::rateTrackedKeys),
            Setting.text(ENV_RULES_FILE, "rulesFile", "", "a rule file (JSON)",
                    "Operator rules applied over the built-in ones; an invalid file stops the start",
                    (b, v) -> b.rulesFile(Path.of(v))),
            Setting.integer(ENV_DECODE_ROUNDS, "decodeRounds", 1, MAX_DECODE_ROUNDS, DEFAULT_DECODE_ROUNDS,
                    "Rounds of URL/percent, HTML-entity and backslash-escape decoding before matching",
                    Builder::decodeRounds),
            Setting.integer(ENV_MAX_JSON_DEPTH, "maxJsonDepth", 1, MAX_JSON_DEPTH, DEFAULT_JSON_DEPTH,
                    "Deepest JSON nesting inspected as JSON; deeper documents are inspected as text",
                    Builder::maxJsonDepth));

    private static final InspectorConfig DEFAULTS = builder().build();

    private final int maxPayloadBytes;
    private final double entropyThreshold;
    private final int entropyMinBytes;
    private final int rateLimit;
    private final int connectionRateLimit;
    private final int rateTrackedKeys;
    private final Set<String> rateExemptClients;
    private final Path rulesFile;
    private final int decodeRounds;
    private final int maxJsonDepth;

    private InspectorConfig(Builder b) {
        maxPayloadBytes = b.maxPayloadBytes;
        entropyThreshold = b.entropyThreshold;
        entropyMinBytes = b.entropyMinBytes;
        rateLimit = b.rateLimit;
        connectionRateLimit = b.connectionRateLimit;
        rateTrackedKeys = b.rateTrackedKeys;
        rateExemptClients = Set.copyOf(b.rateExemptClients);
        rulesFile = b.rulesFile;
        decodeRounds = b.decodeRounds;
        maxJsonDepth = b.maxJsonDepth;
    }

    /**
     * Every environment key of the inspector, with its YAML path, builder parameter, type, default, range and
     * documentation. This list is the only place they are written; the launcher and the configuration
     * reference read it.
     *
     * @return the settings, in the order {@link #fromEnvironment} applies them
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /** @return the defaults: 10 KiB payloads, 7.5 bits/byte, 100 msg/s per client, 100 connections/s per source */
    public static InspectorConfig ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxPayloadBytes = maxPayloadBytes;
        b.entropyThreshold = entropyThreshold;
        b.entropyMinBytes = entropyMinBytes;
        b.rateLimit = rateLimit;
        b.connectionRateLimit = connectionRateLimit;
        b.rateTrackedKeys = rateTrackedKeys;
        b.rateExemptClients = new LinkedHashSet<>(rateExemptClients);
        b.rulesFile = rulesFile;
        b.decodeRounds = decodeRounds;
        b.maxJsonDepth = maxJsonDepth;
        return b;
    }

    /**
     * Reads the keys of {@link #settings()}; absent or blank keys keep their defaults, other keys are ignored.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws InvalidSettingException naming the key, the value and the allowed range when a value is invalid
     */
    public static InspectorConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, Objects.requireNonNull(env, "env"), builder()).build();
    }

    /**
     * Reads the keys of {@link #settings()} as {@link #fromEnvironment(Map)} does, with other clients exempt from the
     * message-rate anomaly unless {@value #ENV_RATE_EXEMPT} is set (even to an empty list): the process of a core
     * broker exempts its bridge this way, which publishes every device's alerts under one client id.
     *
     * @param env               the environment, e.g. {@code System.getenv()}
     * @param rateExemptClients the exempt client ids when {@value #ENV_RATE_EXEMPT} is unset
     * @return the configuration
     * @throws InvalidSettingException naming the key, the value and the allowed range when a value is invalid
     * @throws IllegalArgumentException when a given client id is empty
     */
    public static InspectorConfig fromEnvironment(Map<String, String> env, Collection<String> rateExemptClients) {
        Objects.requireNonNull(rateExemptClients, "rateExemptClients");
        InspectorConfig parsed = fromEnvironment(env);
        return env.get(ENV_RATE_EXEMPT) != null ? parsed : parsed.toBuilder().rateExemptClients(rateExemptClients).build();
    }

    /** @return payloads larger than this many bytes are quarantined and flagged */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** @return payloads whose Shannon entropy exceeds this many bits per byte are flagged */
    public double entropyThreshold() {
        return entropyThreshold;
    }

    /** @return entropy is measured only on payloads of at least this many bytes (below, it means little) */
    public int entropyMinBytes() {
        return entropyMinBytes;
    }

    /** @return messages per second per client above which messages are rate limited and flagged */
    public int rateLimit() {
        return rateLimit;
    }

    /**
     * Client ids the message-rate anomaly does not apply to: trusted internal clients that carry many devices'
     * messages under one id, such as the bridge publishing every device's alerts. Size, entropy and
     * signatures still apply to them.
     *
     * @return the exempt client ids, empty by default
     */
    public Set<String> rateExemptClients() {
        return rateExemptClients;
    }

    /** @return connections per second per source address above which connections are flagged */
    public int connectionRateLimit() {
        return connectionRateLimit;
    }

    /** @return how many clients (and sources) the rate detector tracks at most */
    public int rateTrackedKeys() {
        return rateTrackedKeys;
    }

    /** @return an operator's rule file applied over the built-in rules, if any */
    public Optional<Path> rulesFile() {
        return Optional.ofNullable(rulesFile);
    }

    /** @return how many percent/entity/backslash decoding rounds a value goes through at most */
    public int decodeRounds() {
        return decodeRounds;
    }

    /** @return JSON nested deeper than this is inspected as plain text */
    public int maxJsonDepth() {
        return maxJsonDepth;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InspectorConfig c && maxPayloadBytes == c.maxPayloadBytes
                && Double.compare(entropyThreshold, c.entropyThreshold) == 0 && entropyMinBytes == c.entropyMinBytes
                && rateLimit == c.rateLimit && connectionRateLimit == c.connectionRateLimit
                && rateTrackedKeys == c.rateTrackedKeys && rateExemptClients.equals(c.rateExemptClients)
                && Objects.equals(rulesFile, c.rulesFile) && decodeRounds == c.decodeRounds
                && maxJsonDepth == c.maxJsonDepth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxPayloadBytes, entropyThreshold, entropyMinBytes, rateLimit, connectionRateLimit,
                rateTrackedKeys, rateExemptClients, rulesFile, decodeRounds, maxJsonDepth);
    }

    @Override
    public String toString() {
        return "InspectorConfig{maxPayloadBytes=" + maxPayloadBytes + ", entropyThreshold=" + entropyThreshold
                + ", entropyMinBytes=" + entropyMinBytes + ", rateLimit=" + rateLimit + "/s, rateExemptClients=" + rateExemptClients + ", connectionRateLimit="
                + connectionRateLimit + "/s, rateTrackedKeys=" + rateTrackedKeys + ", rulesFile="
                + (rulesFile == null ? "none" : rulesFile) + ", decodeRounds=" + decodeRounds + ", maxJsonDepth="
                + maxJsonDepth + "}";
    }

    /**
     * Builds an {@link InspectorConfig}; each setter checks its argument at once ({@code "<parameter> must be
     * <min> to <max>, was <value>"}). Building twice gives two independent configurations.
     */
    public static final class Builder {
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD;
        private double entropyThreshold = DEFAULT_ENTROPY_THRESHOLD;
        private int entropyMinBytes = DEFAULT_ENTROPY_MIN_BYTES;
        private int rateLimit = DEFAULT_RATE;
        private Set<String> rateExemptClients = new LinkedHashSet<>();
        private int connectionRateLimit = DEFAULT_RATE;
        private int rateTrackedKeys = DEFAULT_TRACKED_KEYS;
        private Path rulesFile;
        private int decodeRounds = DEFAULT_DECODE_ROUNDS;
        private int maxJsonDepth = DEFAULT_JSON_DEPTH;

        Builder() {
        }

        /**
         * @param bytes payload size above which a message is quarantined, 1 to 268435456; default 10240
         * @return this builder
         */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = Values.checkRange("maxPayloadBytes", bytes, 1, MAX_BYTES);
            return this;
        }

        /**
         * @param bitsPerByte entropy above which a payload is flagged, above 0 and at most 8; default 7.5
         * @return this builder
         */
        public Builder entropyThreshold(double bitsPerByte) {
            if (!(bitsPerByte > 0.0 && bitsPerByte <= MAX_ENTROPY)) {
                throw new IllegalArgumentException("entropyThreshold must be " + ENTROPY_RANGE + ", was " + bitsPerByte);
            }
            this.entropyThreshold = bitsPerByte;
            return this;
        }

        /**
         * @param bytes smallest payload whose entropy is measured, 256 to 268435456; default 1024
         * @return this builder
         */
        public Builder entropyMinBytes(int bytes) {
            this.entropyMinBytes = Values.checkRange("entropyMinBytes", bytes, MIN_ENTROPY_BYTES, MAX_BYTES);
            return this;
        }

        /**
         * @param clientIds client ids exempt from the message-rate anomaly (see {@link InspectorConfig#rateExemptClients()});
         *                  default none
         * @return this builder
         */
        public Builder rateExemptClients(Collection<String> clientIds) {
            Set<String> ids = new LinkedHashSet<>();
            for (String id : Objects.requireNonNull(clientIds, "clientIds")) {
                if (id == null || id.isEmpty()) {
                    throw new IllegalArgumentException("rateExemptClients must not contain an empty client id");
                }
                ids.add(id);
            }
            this.rateExemptClients = ids;
            return this;
        }

        /**
         * @param perSecond messages per second per client, 1 to {@value InspectorConfig#MAX_RATE}; default 100
         * @return this builder
         */
        public Builder rateLimit(int perSecond) {
            this.rateLimit = Values.checkRange("rateLimit", perSecond, 1, MAX_RATE);
            return this;
        }

        /**
         * @param perSecond connections per second per source address, 1 to {@value InspectorConfig#MAX_RATE};
         *                  default 100
         * @return this builder
         */
        public Builder connectionRateLimit(int perSecond) {
            this.connectionRateLimit = Values.checkRange("connectionRateLimit", perSecond, 1, MAX_RATE);
            return this;
        }

        /**
         * @param keys clients or sources tracked at most, 1 to 10000000; default 100000
         * @return this builder
         */
        public Builder rateTrackedKeys(int keys) {
            this.rateTrackedKeys = Values.checkRange("rateTrackedKeys", keys, 1, MAX_TRACKED_KEYS);
            return this;
        }

        /**
         * @param file an operator's rule file, or {@code null} for none (the default); it is read by
         *             {@link Inspectors#standard}
         * @return this builder
         */
        public Builder rulesFile(Path file) {
            this.rulesFile = file;
            return this;
        }

        /**
         * @param rounds decoding rounds, 1 to 8; default 3
         * @return this builder
         */
        public Builder decodeRounds(int rounds) {
            this.decodeRounds = Values.checkRange("decodeRounds", rounds, 1, MAX_DECODE_ROUNDS);
            return this;
        }

        /**
         * @param depth deepest JSON nesting parsed as JSON, 1 to 4096; default 64
         * @return this builder
         */
        public Builder maxJsonDepth(int depth) {
            this.maxJsonDepth = Values.checkRange("maxJsonDepth", depth, 1, MAX_JSON_DEPTH);
            return this;
        }

        /** @return the configuration, independent of this builder */
        public InspectorConfig build() {
            return new InspectorConfig(this);
        }
    }
}
