package io.mqttsentinel.inspect;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable settings of the inspector. Every value is checked when built; an error names the parameter
 * (or environment key), the value and the allowed range.
 *
 * <table>
 * <caption>Settings, environment keys, defaults and ranges</caption>
 * <tr><th>setting</th><th>environment key</th><th>default</th><th>range</th></tr>
 * <tr><td>{@link #maxPayloadBytes()}</td><td>{@code SENTINEL_INSPECT_MAX_PAYLOAD}</td><td>10240</td><td>1 .. 268435456</td></tr>
 * <tr><td>{@link #entropyThreshold()}</td><td>{@code SENTINEL_INSPECT_ENTROPY_THRESHOLD}</td><td>7.5</td><td>(0, 8]</td></tr>
 * <tr><td>{@link #entropyMinBytes()}</td><td>{@code SENTINEL_INSPECT_ENTROPY_MIN_BYTES}</td><td>1024</td><td>256 .. 268435456</td></tr>
 * <tr><td>{@link #rateLimit()}</td><td>{@code SENTINEL_INSPECT_RATE_LIMIT}</td><td>100</td><td>1 .. 1000000 (messages/s per client)</td></tr>
 * <tr><td>{@link #connectionRateLimit()}</td><td>{@code SENTINEL_INSPECT_CONNECTION_RATE_LIMIT}</td><td>100</td><td>1 .. 1000000 (connections/s per source)</td></tr>
 * <tr><td>{@link #rateExemptClients()}</td><td>{@code SENTINEL_INSPECT_RATE_EXEMPT}</td><td>none</td><td>comma-separated client ids</td></tr>
 * <tr><td>{@link #rateTrackedKeys()}</td><td>{@code SENTINEL_INSPECT_RATE_TRACKED_KEYS}</td><td>100000</td><td>1 .. 10000000</td></tr>
 * <tr><td>{@link #rulesFile()}</td><td>{@code SENTINEL_INSPECT_RULES_FILE}</td><td>none</td><td>a readable rule file</td></tr>
 * <tr><td>{@link #decodeRounds()}</td><td>{@code SENTINEL_INSPECT_DECODE_ROUNDS}</td><td>3</td><td>1 .. 8</td></tr>
 * <tr><td>{@link #maxJsonDepth()}</td><td>{@code SENTINEL_INSPECT_MAX_JSON_DEPTH}</td><td>64</td><td>1 .. 4096</td></tr>
 * </table>
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

    private static final int MAX_BYTES = 256 * 1024 * 1024;
    private static final InspectorConfig DEFAULTS = builder().build();

    private final int maxPayloadBytes;
    private final double entropyThreshold;
    private final int entropyMinBytes;
    private final int rateLimit;
    private final int connectionRateLimit;
    private final int rateTrackedKeys;
    private final java.util.Set<String> rateExemptClients;
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
        rateExemptClients = java.util.Set.copyOf(b.rateExemptClients);
        rulesFile = b.rulesFile;
        decodeRounds = b.decodeRounds;
        maxJsonDepth = b.maxJsonDepth;
    }

    /** @return the defaults of the seed: 10 KB, 7.5 bits/byte, 100 msg/s, 100 conn/s */
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
        b.rateExemptClients = new java.util.LinkedHashSet<>(rateExemptClients);
        b.rulesFile = rulesFile;
        b.decodeRounds = decodeRounds;
        b.maxJsonDepth = maxJsonDepth;
        return b;
    }

    /**
     * Reads the {@code SENTINEL_INSPECT_*} keys; absent keys keep their defaults, other keys are ignored.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key, the value and the allowed range when a value is invalid
     */
    public static InspectorConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Builder b = builder();
        String v;
        if ((v = env.get(ENV_MAX_PAYLOAD)) != null) {
            b.maxPayloadBytes(parseInt(ENV_MAX_PAYLOAD, v, 1, MAX_BYTES));
        }
        if ((v = env.get(ENV_ENTROPY_THRESHOLD)) != null) {
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ENV_ENTROPY_THRESHOLD + " must be a number in (0, 8] bits per byte, was \"" + v + "\"");
            }
            checkEntropy(ENV_ENTROPY_THRESHOLD, d);
            b.entropyThreshold(d);
        }
        if ((v = env.get(ENV_ENTROPY_MIN_BYTES)) != null) {
            b.entropyMinBytes(parseInt(ENV_ENTROPY_MIN_BYTES, v, 256, MAX_BYTES));
        }
        if ((v = env.get(ENV_RATE_LIMIT)) != null) {
            b.rateLimit(parseInt(ENV_RATE_LIMIT, v, 1, 1_000_000));
        }
        if ((v = env.get(ENV_CONNECTION_RATE_LIMIT)) != null) {
            b.connectionRateLimit(parseInt(ENV_CONNECTION_RATE_LIMIT, v, 1, 1_000_000));
        }
        if ((v = env.get(ENV_RATE_EXEMPT)) != null) {
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            for (String id : v.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.trim());
                }
            }
            b.rateExemptClients(ids);
        }
        if ((v = env.get(ENV_RATE_TRACKED_KEYS)) != null) {
            b.rateTrackedKeys(parseInt(ENV_RATE_TRACKED_KEYS, v, 1, 10_000_000));
        }
        if ((v = env.get(ENV_RULES_FILE)) != null && !v.isBlank()) {
            b.rulesFile(Path.of(v.trim()));
        }
        if ((v = env.get(ENV_DECODE_ROUNDS)) != null) {
            b.decodeRounds(parseInt(ENV_DECODE_ROUNDS, v, 1, 8));
        }
        if ((v = env.get(ENV_MAX_JSON_DEPTH)) != null) {
            b.maxJsonDepth(parseInt(ENV_MAX_JSON_DEPTH, v, 1, 4096));
        }
        return b.build();
    }

    private static int parseInt(String key, String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], was \"" + value + "\"");
        }
        return check(key, parsed, min, max);
    }

    private static int check(String name, long value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
        return (int) value;
    }

    private static void checkEntropy(String name, double value) {
        if (!(value > 0.0 && value <= 8.0)) {
            throw new IllegalArgumentException(name + " must be in (0, 8] bits per byte, was " + value);
        }
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
    public java.util.Set<String> rateExemptClients() {
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
    public String toString() {
        return "InspectorConfig{maxPayloadBytes=" + maxPayloadBytes + ", entropyThreshold=" + entropyThreshold
                + ", entropyMinBytes=" + entropyMinBytes + ", rateLimit=" + rateLimit + "/s, rateExemptClients=" + rateExemptClients + ", connectionRateLimit="
                + connectionRateLimit + "/s, rateTrackedKeys=" + rateTrackedKeys + ", rulesFile="
                + (rulesFile == null ? "none" : rulesFile) + ", decodeRounds=" + decodeRounds + ", maxJsonDepth="
                + maxJsonDepth + "}";
    }

    /** Builds an {@link InspectorConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private int maxPayloadBytes = 10_240;
        private double entropyThreshold = 7.5;
        private int entropyMinBytes = 1024;
        private int rateLimit = 100;
        private java.util.Set<String> rateExemptClients = new java.util.LinkedHashSet<>();
        private int connectionRateLimit = 100;
        private int rateTrackedKeys = 100_000;
        private Path rulesFile;
        private int decodeRounds = 3;
        private int maxJsonDepth = 64;

        Builder() {
        }

        /**
         * @param bytes payload size above which a message is quarantined, 1 .. 268435456
         * @return this builder
         */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = check("maxPayloadBytes", bytes, 1, MAX_BYTES);
            return this;
        }

        /**
         * @param bitsPerByte entropy above which a payload is flagged, in (0, 8]
         * @return this builder
         */
        public Builder entropyThreshold(double bitsPerByte) {
            checkEntropy("entropyThreshold", bitsPerByte);
            this.entropyThreshold = bitsPerByte;
            return this;
        }

        /**
         * @param bytes smallest payload whose entropy is measured, 256 .. 268435456
         * @return this builder
         */
        public Builder entropyMinBytes(int bytes) {
            this.entropyMinBytes = check("entropyMinBytes", bytes, 256, MAX_BYTES);
            return this;
        }

        /**
         * @param clientIds client ids exempt from the message-rate anomaly (see {@link InspectorConfig#rateExemptClients()})
         * @return this builder
         */
        public Builder rateExemptClients(java.util.Collection<String> clientIds) {
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
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
         * @param perSecond messages per second per client, 1 .. 1000000
         * @return this builder
         */
        public Builder rateLimit(int perSecond) {
            this.rateLimit = check("rateLimit", perSecond, 1, 1_000_000);
            return this;
        }

        /**
         * @param perSecond connections per second per source address, 1 .. 1000000
         * @return this builder
         */
        public Builder connectionRateLimit(int perSecond) {
            this.connectionRateLimit = check("connectionRateLimit", perSecond, 1, 1_000_000);
            return this;
        }

        /**
         * @param keys clients or sources tracked at most, 1 .. 10000000
         * @return this builder
         */
        public Builder rateTrackedKeys(int keys) {
            this.rateTrackedKeys = check("rateTrackedKeys", keys, 1, 10_000_000);
            return this;
        }

        /**
         * @param file an operator's rule file, or {@code null} for none
         * @return this builder
         */
        public Builder rulesFile(Path file) {
            this.rulesFile = file;
            return this;
        }

        /**
         * @param rounds decoding rounds, 1 .. 8
         * @return this builder
         */
        public Builder decodeRounds(int rounds) {
            this.decodeRounds = check("decodeRounds", rounds, 1, 8);
            return this;
        }

        /**
         * @param depth deepest JSON nesting parsed as JSON, 1 .. 4096
         * @return this builder
         */
        public Builder maxJsonDepth(int depth) {
            this.maxJsonDepth = check("maxJsonDepth", depth, 1, 4096);
            return this;
        }

        /** @return the configuration */
        public InspectorConfig build() {
            return new InspectorConfig(this);
        }
    }
}
