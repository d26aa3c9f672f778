package io.mqttsentinel.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;

/**
 * The settings of a {@link QuarantineStore}: how long quarantined messages are kept, how many the store indexes
 * in memory, and the Kafka topic of the quarantine log when the message log is on Kafka. Read from
 * {@code SENTINEL_QUARANTINE_*} by {@link #fromEnvironment(Map)} (keys, defaults and ranges in {@link #settings()},
 * the only place they are written) or built in code.
 *
 * <pre>{@code
 * QuarantineConfig config = QuarantineConfig.fromEnvironment(System.getenv());
 * QuarantineConfig shorter = config.toBuilder().retention(Duration.ofDays(2)).build();
 * }</pre>
 *
 * <p>Immutable. The builder checks each value when it is set ({@code <parameter> must be <range>, was <value>}).
 */
public final class QuarantineConfig {
    /** Environment key of {@link #retention()}. */
    public static final String ENV_RETENTION = "SENTINEL_QUARANTINE_RETENTION";
    /** Environment key of {@link #maxEntries()}. */
    public static final String ENV_MAX_ENTRIES = "SENTINEL_QUARANTINE_MAX_ENTRIES";
    /** Environment key of {@link #kafkaTopic()}. */
    public static final String ENV_KAFKA_TOPIC = "SENTINEL_QUARANTINE_KAFKA_TOPIC";

    /** Default retention: 7 days, a working week for someone to look at what was held back. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** Default bound of the in-memory index. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** Default Kafka topic of the quarantine log. */
    public static final String DEFAULT_KAFKA_TOPIC = "sentinel-quarantine";

    private static final Duration MIN_RETENTION = Duration.ofMinutes(1);
    private static final Duration MAX_RETENTION = Duration.ofDays(3650);
    private static final int MIN_ENTRIES = 100;
    private static final int MAX_ENTRIES = 10_000_000;
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final String KAFKA_TOPIC_RANGE = "1 to 249 of a-z A-Z 0-9 . _ -";

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.<Builder>duration(ENV_RETENTION, "retention", MIN_RETENTION, MAX_RETENTION, DEFAULT_RETENTION,
                    "Quarantined messages older than this are deleted (the quarantine log's own retention, apart from "
                            + "SENTINEL_STORE_RETENTION)", Builder::retention).defaultText("7d"),
            Setting.integer(ENV_MAX_ENTRIES, "maxEntries", MIN_ENTRIES, MAX_ENTRIES, DEFAULT_MAX_ENTRIES,
                    "Most quarantined messages listed (the index is in memory, a few hundred bytes each; the oldest "
                            + "leave the index first, counted in sentinel_quarantine_evicted_total)", Builder::maxEntries),
            Setting.text(ENV_KAFKA_TOPIC, "kafkaTopic", DEFAULT_KAFKA_TOPIC, KAFKA_TOPIC_RANGE,
                    "Kafka topic of the quarantine log when the message log is on Kafka (SENTINEL_STORE_KAFKA_BOOTSTRAP)",
                    Builder::kafkaTopic));

    private final Duration retention;
    private final int maxEntries;
    private final String kafkaTopic;

    private QuarantineConfig(Builder b) {
        this.retention = b.retention;
        this.maxEntries = b.maxEntries;
        this.kafkaTopic = b.kafkaTopic;
    }

    /** @return 7 days, 100,000 entries, topic {@value #DEFAULT_KAFKA_TOPIC} */
    public static QuarantineConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder().retention(retention).maxEntries(maxEntries).kafkaTopic(kafkaTopic);
    }

    /**
     * Every {@code SENTINEL_QUARANTINE_*} key, its builder parameter, default and range.
     *
     * @return the settings, unmodifiable
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key takes its default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key, the value and what is allowed when a value is invalid
     */
    public static QuarantineConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    /** @return how long a quarantined message is kept */
    public Duration retention() {
        return retention;
    }

    /** @return the most entries the in-memory index holds */
    public int maxEntries() {
        return maxEntries;
    }

    /** @return the Kafka topic of the quarantine log */
    public String kafkaTopic() {
        return kafkaTopic;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuarantineConfig c && retention.equals(c.retention) && maxEntries == c.maxEntries
                && kafkaTopic.equals(c.kafkaTopic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retention, maxEntries, kafkaTopic);
    }

    @Override
    public String toString() {
        return "QuarantineConfig[retention=" + Values.format(retention) + ", maxEntries=" + maxEntries + ", kafkaTopic="
                + kafkaTopic + "]";
    }

    /** Checks each value when it is set; {@link #build()} copies them. Not thread-safe. */
    public static final class Builder {
        private Duration retention = DEFAULT_RETENTION;
        private int maxEntries = DEFAULT_MAX_ENTRIES;
        private String kafkaTopic = DEFAULT_KAFKA_TOPIC;

        Builder() {
        }

        /**
         * @param retention how long quarantined messages are kept, 1m to 3650d; default 7d
         * @return this builder
         */
        public Builder retention(Duration retention) {
            this.retention = Values.checkRange("retention", Objects.requireNonNull(retention, "retention"),
                    MIN_RETENTION, MAX_RETENTION);
            return this;
        }

        /**
         * @param maxEntries the most entries indexed in memory, 100 to 10,000,000; default 100,000
         * @return this builder
         */
        public Builder maxEntries(int maxEntries) {
            this.maxEntries = Values.checkRange("maxEntries", maxEntries, MIN_ENTRIES, MAX_ENTRIES);
            return this;
        }

        /**
         * @param topic the Kafka topic of the quarantine log, 1 to 249 of {@code a-z A-Z 0-9 . _ -}
         * @return this builder
         */
        public Builder kafkaTopic(String topic) {
            Objects.requireNonNull(topic, "kafkaTopic");
            if (!KAFKA_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
                throw new IllegalArgumentException("kafkaTopic must be " + KAFKA_TOPIC_RANGE + ", was '" + topic + "'");
            }
            this.kafkaTopic = topic;
            return this;
        }

        /** @return the configuration */
        public QuarantineConfig build() {
            return new QuarantineConfig(this);
        }
    }
}
