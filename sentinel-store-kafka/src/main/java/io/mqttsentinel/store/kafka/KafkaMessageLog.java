package io.mqttsentinel.store.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageLog} on an Apache Kafka cluster, for when one machine is not enough: the same contract
 * as the file log, with the cluster's replication behind it.
 *
 * <pre>{@code
 * KafkaMessageLog log = KafkaMessageLog.builder("kafka-1:9092,kafka-2:9092,kafka-3:9092")
 *         .topic("sentinel-messages")
 *         .retention(Duration.ofHours(72))
 *         .meterRegistry(registry)
 *         .build();
 * }</pre>
 *
 * <p><b>Durability:</b> at start the topic is created, or checked, with replication factor 3,
 * {@code min.insync.replicas=2}, unclean leader election off, {@code retention.ms} of the retention and
 * broker-side timestamps; an existing topic with less durability is refused. The producer is idempotent
 * with {@code acks=all}, so an append completes only once every in-sync replica (at least two) has the
 * record, and retries never duplicate or reorder it.
 *
 * <p><b>Order:</b> the record key is the entry's {@linkplain LogEntry#orderingKey() ordering key}, so every
 * record of a key lands in one partition, in the order its appends were called.
 *
 * <p><b>Readers:</b> each consumer group {@code g} is the Kafka group {@code <groupPrefix>g}; its reader is
 * assigned every partition (one cursor per group, like the file log) until it is
 * {@linkplain LogReader#assign(Map) assigned} a subset, and commits explicitly. A reader whose position
 * retention has deleted gets {@link io.mqttsentinel.api.LogTruncatedException}.
 *
 * <p><b>Metrics:</b> {@code sentinel.store.kafka.appends} (counter, tag {@code result=ok|failed}) and
 * {@code sentinel.store.kafka.append.latency} (timer), tagged with the topic.
 *
 * <p>Thread-safe; appends complete on the Kafka producer's I/O thread.
 */
public final class KafkaMessageLog implements MessageLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessageLog.class);
    static final String HEADER_TOPIC = "sentinel.topic";
    static final String HEADER_CLIENT = "sentinel.client";
    static final String HEADER_QOS = "sentinel.qos";
    static final String HEADER_TIMESTAMP = "sentinel.ts";

    private final Builder config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int partitions;
    private final MeterRegistry registry;
    private final Counter ok;
    private final Counter failed;
    private final Timer latency;
    private volatile boolean closed;

    private KafkaMessageLog(Builder b) {
        this.config = b;
        try (Admin admin = Admin.create(b.adminProperties())) {
            this.partitions = TopicSetup.ensure(admin, b);
        }
        this.producer = new KafkaProducer<>(b.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        this.registry = b.meterRegistry;
        this.ok = Counter.builder("sentinel.store.kafka.appends").tag("topic", b.topic).tag("result", "ok")
                .description("appends acknowledged by all in-sync replicas").register(registry);
        this.failed = Counter.builder("sentinel.store.kafka.appends").tag("topic", b.topic).tag("result", "failed")
                .description("appends the cluster refused; not stored").register(registry);
        this.latency = Timer.builder("sentinel.store.kafka.append.latency").tag("topic", b.topic)
                .description("from append to acknowledgement by the in-sync replicas").register(registry);
        LOG.info("Kafka message log on {} topic {} ({} partitions)", b.bootstrapServers, b.topic, partitions);
    }

    /**
     * @param bootstrapServers the cluster's bootstrap servers, {@code host:port[,host:port...]}
     * @return a builder with the defaults named on each setter
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Environment variable: the cluster's bootstrap servers; when unset there is no Kafka log. */
    public static final String ENV_BOOTSTRAP = "SENTINEL_STORE_KAFKA_BOOTSTRAP";
    /** Environment variable: the log's topic ({@link Builder#topic}). */
    public static final String ENV_TOPIC = "SENTINEL_STORE_KAFKA_TOPIC";
    /** Environment variable: partitions of a topic the log creates ({@link Builder#partitions}). */
    public static final String ENV_PARTITIONS = "SENTINEL_STORE_KAFKA_PARTITIONS";
    /** Environment variable: replication factor ({@link Builder#replicationFactor}). */
    public static final String ENV_REPLICATION = "SENTINEL_STORE_KAFKA_REPLICATION";
    /** Environment variable: {@code min.insync.replicas} ({@link Builder#minInsyncReplicas}). */
    public static final String ENV_MIN_INSYNC = "SENTINEL_STORE_KAFKA_MIN_INSYNC";

    /**
     * A builder from the {@code SENTINEL_STORE_KAFKA_*} variables: {@value #ENV_BOOTSTRAP} (required for a Kafka
     * log), {@value #ENV_TOPIC} (default {@code sentinel-messages}), {@value #ENV_PARTITIONS} (1 to 10,000,
     * default 12), {@value #ENV_REPLICATION} (1 to 7, default 3) and {@value #ENV_MIN_INSYNC} (1 to the
     * replication factor, default the smaller of 2 and the replication factor). Retention, size limit and
     * meters are the caller's to add.
     *
     * @param env the variables
     * @return the builder, or empty when {@value #ENV_BOOTSTRAP} is unset
     * @throws IllegalArgumentException naming the key, the value and what is allowed, for an invalid value
     */
    public static java.util.Optional<Builder> fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String servers = env.get(ENV_BOOTSTRAP);
        if (servers == null) {
            return java.util.Optional.empty();
        }
        if (servers.isBlank()) {
            throw new IllegalArgumentException(ENV_BOOTSTRAP + "='" + servers + "' is invalid: use host:port[,host:port...]");
        }
        Builder b = builder(servers.strip());
        String topic = env.get(ENV_TOPIC);
        if (topic != null) {
            try {
                b.topic(topic.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV_TOPIC + "='" + topic + "' is invalid: " + e.getMessage(), e);
            }
        }
        int replication = intIn(env, ENV_REPLICATION, 3, 1, 7);
        b.replicationFactor(replication);
        b.minInsyncReplicas(intIn(env, ENV_MIN_INSYNC, Math.min(2, replication), 1, replication));
        b.partitions(intIn(env, ENV_PARTITIONS, 12, 1, 10_000));
        return java.util.Optional.of(b);
    }

    private static int intIn(Map<String, String> env, String key, int defaultValue, int min, int max) {
        String v = env.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw new IllegalArgumentException(key + "='" + v + "' is invalid: use an integer in [" + min + ", " + max + "]");
    }

    @Override
    public CompletionStage<LogPosition> append(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        CompletableFuture<LogPosition> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new MessageLogException("the Kafka message log on topic " + config.topic + " is closed"));
            return future;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER_TOPIC, entry.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_CLIENT, entry.clientId().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_QOS, new byte[] {(byte) entry.qos()});
        headers.add(HEADER_TIMESTAMP, ByteBuffer.allocate(8).putLong(0, entry.timestampMillis()).array());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.topic, null, null,
                entry.orderingKey().getBytes(StandardCharsets.UTF_8), entry.payload(), headers);
        long start = System.nanoTime();
        try {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    failed.increment();
                    future.completeExceptionally(new MessageLogException("Kafka did not store the append to topic "
                            + config.topic + " (not stored, do not acknowledge): " + e, e));
                } else {
                    ok.increment();
                    latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    future.complete(new LogPosition(metadata.partition(), metadata.offset()));
                }
            });
        } catch (RuntimeException e) {
            failed.increment();
            future.completeExceptionally(new MessageLogException("Kafka did not take the append to topic " + config.topic
                    + " (not stored, do not acknowledge): " + e, e));
        }
        return future;
    }

    @Override
    public LogReader openReader(String group) {
        Objects.requireNonNull(group, "group");
        if (group.isEmpty() || group.length() > 200) {
            throw new IllegalArgumentException("group must have 1 to 200 characters, was '" + group + "'");
        }
        if (closed) {
            throw new MessageLogException("the Kafka message log on topic " + config.topic + " is closed");
        }
        return new KafkaLogReader(config, group);
    }

    /** @return the topic */
    public String topic() {
        return config.topic;
    }

    /** @return the topic's number of partitions */
    public int partitions() {
        return partitions;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(config.requestTimeout);
        registry.remove(ok);
        registry.remove(failed);
        registry.remove(latency);
    }

    /**
     * Configures a {@link KafkaMessageLog}. Setters validate eagerly; {@link #build()} connects, creates or
     * verifies the topic and starts the producer.
     */
    public static final class Builder {
        final String bootstrapServers;
        String topic = "sentinel-messages";
        int partitions = 12;
        short replicationFactor = 3;
        int minInsyncReplicas = 2;
        Duration retention = Duration.ofHours(72);
        long maxTotalBytes = Long.MAX_VALUE;
        String groupPrefix = "sentinel-";
        Duration requestTimeout = Duration.ofSeconds(30);
        MeterRegistry meterRegistry;
        final Map<String, Object> clientProperties = new HashMap<>();

        Builder(String bootstrapServers) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must not be blank");
            }
            this.bootstrapServers = bootstrapServers;
        }

        /**
         * @param topic the topic holding the log, a legal Kafka topic name; default {@code sentinel-messages}
         * @return this builder
         */
        public Builder topic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("topic must be 1 to 249 of [a-zA-Z0-9._-], was '" + topic + "'");
            }
            this.topic = topic;
            return this;
        }

        /**
         * @param partitions partitions of a topic this log creates, 1 to 10,000; default 12
         * @return this builder
         */
        public Builder partitions(int partitions) {
            if (partitions < 1 || partitions > 10_000) {
                throw new IllegalArgumentException("partitions must be between 1 and 10000, was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * @param replicationFactor replicas per partition, 1 to 7; default 3
         * @return this builder
         */
        public Builder replicationFactor(int replicationFactor) {
            if (replicationFactor < 1 || replicationFactor > 7) {
                throw new IllegalArgumentException("replicationFactor must be between 1 and 7, was " + replicationFactor);
            }
            this.replicationFactor = (short) replicationFactor;
            return this;
        }

        /**
         * @param minInsyncReplicas replicas that must have a record before it is acknowledged, 1 to the
         *                          replication factor; default 2
         * @return this builder
         */
        public Builder minInsyncReplicas(int minInsyncReplicas) {
            if (minInsyncReplicas < 1 || minInsyncReplicas > 7) {
                throw new IllegalArgumentException("minInsyncReplicas must be between 1 and 7, was " + minInsyncReplicas);
            }
            this.minInsyncReplicas = minInsyncReplicas;
            return this;
        }

        /**
         * @param retention the topic's {@code retention.ms}, 1 minute to 3650 days; default 72 hours
         * @return this builder
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            if (retention.compareTo(Duration.ofMinutes(1)) < 0 || retention.compareTo(Duration.ofDays(3650)) > 0) {
                throw new IllegalArgumentException("retention must be between 1 minute and 3650 days, was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * @param maxTotalBytes the most bytes kept over all partitions (divided evenly into the topic's
         *                      {@code retention.bytes}), at least 1 MiB; default unlimited
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            if (maxTotalBytes < (1 << 20)) {
                throw new IllegalArgumentException("maxTotalBytes must be at least 1048576, was " + maxTotalBytes);
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
         *                       limit of start-up calls, 1 second to 10 minutes; default 30 seconds
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (requestTimeout.compareTo(Duration.ofSeconds(1)) < 0 || requestTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("requestTimeout must be between 1 s and 10 min, was " + requestTimeout);
            }
            this.requestTimeout = requestTimeout;
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
         * @param meterRegistry where the log's metrics go; default none
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * Connects, creates or verifies the topic, and starts the producer.
         *
         * @return the log
         * @throws MessageLogException when the cluster cannot be reached or the topic lacks the durability asked
         * @throws IllegalArgumentException when {@code minInsyncReplicas} exceeds the replication factor
         */
        public KafkaMessageLog build() {
            if (minInsyncReplicas > replicationFactor) {
                throw new IllegalArgumentException("minInsyncReplicas (" + minInsyncReplicas
                        + ") must not exceed replicationFactor (" + replicationFactor + ")");
            }
            Builder c = new Builder(bootstrapServers);
            c.topic = topic;
            c.partitions = partitions;
            c.replicationFactor = replicationFactor;
            c.minInsyncReplicas = minInsyncReplicas;
            c.retention = retention;
            c.maxTotalBytes = maxTotalBytes;
            c.groupPrefix = groupPrefix;
            c.requestTimeout = requestTimeout;
            c.meterRegistry = meterRegistry == null ? new CompositeMeterRegistry() : meterRegistry;
            c.clientProperties.putAll(clientProperties);
            return new KafkaMessageLog(c);
        }

        long retentionBytesPerPartition() {
            return maxTotalBytes == Long.MAX_VALUE ? -1 : Math.max(1 << 20, maxTotalBytes / partitions);
        }

        Map<String, Object> common() {
            Map<String, Object> p = new HashMap<>(clientProperties);
            p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
    }
}
