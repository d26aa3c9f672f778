package io.mqttsentinel.store.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of a {@link KafkaMessageLog}: the cluster, the topic and its durability, retention, the readers'
 * group prefix, the request timeout and extra Kafka client properties.
 *
 * <p>{@link #settings()} lists the {@code SENTINEL_STORE_KAFKA_*} environment keys with their defaults and
 * ranges; {@link #fromEnvironment(Map)} reads them. Retention and the size limit are not among them: the
 * launcher takes them from the file log's {@code SENTINEL_STORE_RETENTION} and {@code SENTINEL_STORE_MAX_BYTES}
 * and sets them with {@link Builder#retention(Duration)} and {@link Builder#maxTotalBytes(long)}.
 *
 * <p>Immutable; the {@link Builder} checks each value when it is set ({@code <parameter> must be <range>, was
 * <value>}). {@link #toString()} shows the names of the client properties, never their values (they may hold
 * credentials).
 */
public final class KafkaLogConfig {
    /** Environment key of the cluster's bootstrap servers; when unset there is no Kafka log. */
    public static final String BOOTSTRAP = "SENTINEL_STORE_KAFKA_BOOTSTRAP";
    /** Environment key of the log's topic. */
    public static final String TOPIC = "SENTINEL_STORE_KAFKA_TOPIC";
    /** Environment key of the partitions of a topic the log creates. */
    public static final String PARTITIONS = "SENTINEL_STORE_KAFKA_PARTITIONS";
    /** Environment key of the replication factor. */
    public static final String REPLICATION = "SENTINEL_STORE_KAFKA_REPLICATION";
    /** Environment key of {@code min.insync.replicas}. */
    public static final String MIN_INSYNC = "SENTINEL_STORE_KAFKA_MIN_INSYNC";

    /** Retention, or size limit, that never deletes. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private static final String DEFAULT_TOPIC = "sentinel-messages";
    private static final int DEFAULT_PARTITIONS = 12;
    private static final int MAX_PARTITIONS = 10_000;
    private static final int DEFAULT_REPLICATION = 3;
    private static final int MAX_REPLICATION = 7;
    private static final int DEFAULT_MIN_INSYNC = 2;
    private static final Duration DEFAULT_RETENTION = Duration.ofHours(72);
    private static final Duration MIN_RETENTION = Duration.ofMinutes(1);
    private static final Duration MAX_RETENTION = Duration.ofDays(3650);
    private static final long MIN_MAX_BYTES = 1L << 20;
    private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    private static final String BOOTSTRAP_FORM = "host:port[,host:port...]";
    private static final String TOPIC_FORM = "1 to 249 of [a-zA-Z0-9._-]";

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.text(BOOTSTRAP, "bootstrapServers", "", BOOTSTRAP_FORM, "Keep the broker's message log on this "
                    + "Apache Kafka cluster instead of the file log (SENTINEL_STORE_RETENTION and _MAX_BYTES apply)",
                    Builder::bootstrapServers),
            Setting.text(TOPIC, "topic", DEFAULT_TOPIC, TOPIC_FORM, "Topic of the log", Builder::topic),
            Setting.integer(PARTITIONS, "partitions", 1, MAX_PARTITIONS, DEFAULT_PARTITIONS,
                    "Partitions of a topic the broker creates", Builder::partitions),
            Setting.integer(REPLICATION, "replicationFactor", 1, MAX_REPLICATION, DEFAULT_REPLICATION,
                    "Replication factor (an existing topic with less is refused)", Builder::replicationFactor),
            Setting.integer(MIN_INSYNC, "minInsyncReplicas", 1, MAX_REPLICATION, DEFAULT_MIN_INSYNC,
                    "min.insync.replicas: replicas that must have a record before the PUBACK, at most " + REPLICATION
                            + " (unset: 2, or 1 when " + REPLICATION + " is 1)", Builder::minInsyncReplicas));

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final int replicationFactor;
    private final int minInsyncReplicas;
    private final Duration retention;
    private final long maxTotalBytes;
    private final String groupPrefix;
    private final Duration requestTimeout;
    private final Map<String, Object> clientProperties;

    private KafkaLogConfig(Builder b, int minInsyncReplicas) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.minInsyncReplicas = minInsyncReplicas;
        this.retention = b.retention;
        this.maxTotalBytes = b.maxTotalBytes;
        this.groupPrefix = b.groupPrefix;
        this.requestTimeout = b.requestTimeout;
        this.clientProperties = Map.copyOf(b.clientProperties);
    }

    /** @return every default; no bootstrap servers (a {@link KafkaMessageLog} needs them) */
    public static KafkaLogConfig ofDefaults() {
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
     * Every {@code SENTINEL_STORE_KAFKA_*} key, its builder parameter, default and range: the one place they are
     * written. {@link #fromEnvironment(Map)} applies them in this order.
     *
     * @return the settings, unmodifiable
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key takes its default (a missing
     * {@value #BOOTSTRAP} leaves {@link #bootstrapServers()} empty).
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key, the value and what is allowed when a value is invalid, or
     *                                  the keys when {@value #MIN_INSYNC} exceeds {@value #REPLICATION}
     */
    public static KafkaLogConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    /** @return the cluster's bootstrap servers, {@code host:port[,host:port...]}; empty in {@link #ofDefaults()} */
    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    /** @return the topic holding the log */
    public String topic() {
        return topic;
    }

    /** @return partitions of a topic the log creates */
    public int partitions() {
        return partitions;
    }

    /** @return replicas per partition */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** @return replicas that must have a record before it is acknowledged */
    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    /** @return the topic's {@code retention.ms} */
    public Duration retention() {
        return retention;
    }

    /** @return the most bytes kept over all partitions, {@link #UNLIMITED} when none */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    /** @return prefix of the Kafka consumer group of each reader group */
    public String groupPrefix() {
        return groupPrefix;
    }

    /** @return how long an append may take, retries included, and the limit of start-up calls */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return the extra Kafka client properties, unmodifiable */
    public Map<String, Object> clientProperties() {
        return clientProperties;
    }

    String requireBootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalArgumentException("bootstrapServers must be " + BOOTSTRAP_FORM + " (" + BOOTSTRAP
                    + "), was unset");
        }
        return bootstrapServers;
    }

    long retentionBytesPerPartition() {
        return maxTotalBytes == UNLIMITED ? -1 : Math.max(MIN_MAX_BYTES, maxTotalBytes / partitions);
    }

    Map<String, Object> common() {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, requireBootstrapServers());
        return p;
    }

    Map<String, Object> adminProperties() {
        Map<String, Object> p = common();
        p.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        return p;
    }

    Map<String, Object> producerProperties() {
        Map<String, Object> p = common();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        int timeout = (int) requestTimeout.toMillis();
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeout, 30_000));
        long linger = Long.parseLong(String.valueOf(p.get(ProducerConfig.LINGER_MS_CONFIG)));
        long request = Long.parseLong(String.valueOf(p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout, linger + request));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KafkaLogConfig)) {
            return false;
        }
        KafkaLogConfig c = (KafkaLogConfig) o;
        return Objects.equals(bootstrapServers, c.bootstrapServers) && topic.equals(c.topic) && partitions == c.partitions
                && replicationFactor == c.replicationFactor && minInsyncReplicas == c.minInsyncReplicas
                && retention.equals(c.retention) && maxTotalBytes == c.maxTotalBytes && groupPrefix.equals(c.groupPrefix)
                && requestTimeout.equals(c.requestTimeout) && clientProperties.equals(c.clientProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, topic, partitions, replicationFactor, minInsyncReplicas, retention,
                maxTotalBytes, groupPrefix, requestTimeout, clientProperties);
    }

    @Override
    public String toString() {
        return "KafkaLogConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + ", minInsyncReplicas=" + minInsyncReplicas
                + ", retention=" + Values.format(retention) + ", maxTotalBytes="
                + (maxTotalBytes == UNLIMITED ? "unlimited" : Long.toString(maxTotalBytes)) + ", groupPrefix=" + groupPrefix
                + ", requestTimeout=" + Values.format(requestTimeout) + ", clientProperties="
                + new TreeSet<>(clientProperties.keySet()) + "]";
    }

    /**
     * Checks each value when it is set; {@link #build()} checks that {@code min.insync.replicas} does not exceed
     * the replication factor and copies the values into a new {@link KafkaLogConfig}, so one builder can build
     * any number of independent configurations. Not thread-safe.
     */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private int partitions = DEFAULT_PARTITIONS;
        private int replicationFactor = DEFAULT_REPLICATION;
        /** {@code null}: the smaller of 2 and the replication factor. */
        private Integer minInsyncReplicas;
        private Duration retention = DEFAULT_RETENTION;
        private long maxTotalBytes = UNLIMITED;
        private String groupPrefix = "sentinel-";
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private final Map<String, Object> clientProperties = new HashMap<>();

        Builder() {
        }

        Builder(KafkaLogConfig c) {
            bootstrapServers = c.bootstrapServers;
            topic = c.topic;
            partitions = c.partitions;
            replicationFactor = c.replicationFactor;
            minInsyncReplicas = c.minInsyncReplicas;
            retention = c.retention;
            maxTotalBytes = c.maxTotalBytes;
            groupPrefix = c.groupPrefix;
            requestTimeout = c.requestTimeout;
            clientProperties.putAll(c.clientProperties);
        }

        /**
         * @param bootstrapServers the cluster's bootstrap servers, {@code host:port[,host:port...]}
         * @return this builder
         */
        public Builder bootstrapServers(String bootstrapServers) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must be " + BOOTSTRAP_FORM + ", was '"
                        + bootstrapServers + "'");
            }
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /**
         * @param topic the topic holding the log, a legal Kafka topic name; default {@code sentinel-messages}
         * @return this builder
         */
        public Builder topic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("topic must be " + TOPIC_FORM + ", was '" + topic + "'");
            }
            this.topic = topic;
            return this;
        }

        /**
         * @param partitions partitions of a topic this log creates, 1 to 10000; default 12
         * @return this builder
         */
        public Builder partitions(int partitions) {
            this.partitions = Values.checkRange("partitions", partitions, 1, MAX_PARTITIONS);
            return this;
        }

        /**
         * @param replicationFactor replicas per partition, 1 to 7; default 3
         * @return this builder
         */
        public Builder replicationFactor(int replicationFactor) {
            this.replicationFactor = Values.checkRange("replicationFactor", replicationFactor, 1, MAX_REPLICATION);
            return this;
        }

        /**
         * @param minInsyncReplicas replicas that must have a record before it is acknowledged, 1 to the
         *                          replication factor; default the smaller of 2 and the replication factor
         * @return this builder
         */
        public Builder minInsyncReplicas(int minInsyncReplicas) {
            this.minInsyncReplicas = Values.checkRange("minInsyncReplicas", minInsyncReplicas, 1, MAX_REPLICATION);
            return this;
        }

        /**
         * @param retention the topic's {@code retention.ms}, 1m to 3650d; default 72h
         * @return this builder
         */
        public Builder retention(Duration retention) {
            this.retention = Values.checkRange("retention", retention, MIN_RETENTION, MAX_RETENTION);
            return this;
        }

        /**
         * @param maxTotalBytes the most bytes kept over all partitions (divided evenly into the topic's
         *                      {@code retention.bytes}), at least 1 MiB, or {@link #UNLIMITED} (the default)
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            if (maxTotalBytes < MIN_MAX_BYTES) {
                throw new IllegalArgumentException("maxTotalBytes must be " + Values.formatSize(MIN_MAX_BYTES)
                        + " or more, or unlimited, was " + maxTotalBytes);
            }
            this.maxTotalBytes = maxTotalBytes;
            return this;
        }

        /**
         * @param groupPrefix prefix of the Kafka consumer group of each reader group, may be empty; default
         *                    {@code sentinel-}
         * @return this builder
         */
        public Builder groupPrefix(String groupPrefix) {
            this.groupPrefix = Objects.requireNonNull(groupPrefix, "groupPrefix");
            return this;
        }

        /**
         * @param requestTimeout how long an append may take, retries included, before it fails, and the
         *                       limit of start-up calls, 1s to 10m; default 30s
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Values.checkRange("requestTimeout", requestTimeout, MIN_REQUEST_TIMEOUT,
                    MAX_REQUEST_TIMEOUT);
            return this;
        }

        /**
         * Adds a Kafka client property for the producer, consumers and admin client, e.g. security settings.
         * Properties that the log's guarantees rest on ({@code acks}, idempotence, serializers, auto-commit,
         * offset reset) cannot be overridden.
         *
         * @param name  the Kafka property name
         * @param value its value
         * @return this builder
         */
        public Builder clientProperty(String name, Object value) {
            clientProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming {@value #MIN_INSYNC} and {@value #REPLICATION} when the
         *                                  {@code min.insync.replicas} exceeds the replication factor
         */
        public KafkaLogConfig build() {
            int minInsync = minInsyncReplicas == null ? Math.min(DEFAULT_MIN_INSYNC, replicationFactor) : minInsyncReplicas;
            if (minInsync > replicationFactor) {
                throw new IllegalArgumentException(MIN_INSYNC + " (minInsyncReplicas) must be 1 to " + REPLICATION
                        + " (replicationFactor, " + replicationFactor + "), was " + minInsync);
            }
            return new KafkaLogConfig(this, minInsync);
        }
    }
}
