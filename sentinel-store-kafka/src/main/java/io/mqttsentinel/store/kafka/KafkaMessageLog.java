package io.mqttsentinel.store.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
import io.mqttsentinel.api.Ticker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 * <p><b>Settings:</b> a {@link KafkaLogConfig} ({@link KafkaLogConfig#settings()} lists the environment keys);
 * {@link Builder#build()} takes an immutable snapshot of them, so a log never shares state with its builder.
 *
 * <p>Thread-safe; appends complete on the Kafka producer's I/O thread.
 */
public final class KafkaMessageLog implements MessageLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessageLog.class);
    static final String HEADER_TOPIC = "sentinel.topic";
    static final String HEADER_CLIENT = "sentinel.client";
    static final String HEADER_QOS = "sentinel.qos";
    static final String HEADER_TIMESTAMP = "sentinel.ts";

    private final KafkaLogConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int partitions;
    private final MeterRegistry registry;
    private final Ticker ticker;
    private final Counter ok;
    private final Counter failed;
    private final Timer latency;
    private volatile boolean closed;

    private KafkaMessageLog(KafkaLogConfig config, MeterRegistry registry, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        try (Admin admin = Admin.create(config.adminProperties())) {
            this.partitions = TopicSetup.ensure(admin, config, ticker);
        }
        this.producer = new KafkaProducer<>(config.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        this.registry = registry;
        this.ok = Counter.builder("sentinel.store.kafka.appends").tag("topic", config.topic()).tag("result", "ok")
                .description("appends acknowledged by all in-sync replicas").register(registry);
        this.failed = Counter.builder("sentinel.store.kafka.appends").tag("topic", config.topic()).tag("result", "failed")
                .description("appends the cluster refused; not stored").register(registry);
        this.latency = Timer.builder("sentinel.store.kafka.append.latency").tag("topic", config.topic())
                .description("from append to acknowledgement by the in-sync replicas").register(registry);
        LOG.info("Kafka message log on {} topic {} ({} partitions)", config.requireBootstrapServers(), config.topic(),
                partitions);
    }

    /**
     * @param bootstrapServers the cluster's bootstrap servers, {@code host:port[,host:port...]}
     * @return a builder with the defaults of {@link KafkaLogConfig#ofDefaults()}
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(KafkaLogConfig.builder().bootstrapServers(bootstrapServers));
    }

    /**
     * @param config the log's settings, with bootstrap servers
     * @return a builder holding them
     * @throws IllegalArgumentException when the configuration has no bootstrap servers
     */
    public static Builder builder(KafkaLogConfig config) {
        config.requireBootstrapServers();
        return new Builder(config.toBuilder());
    }

    /** Environment variable: the cluster's bootstrap servers; when unset there is no Kafka log. */
    public static final String ENV_BOOTSTRAP = KafkaLogConfig.BOOTSTRAP;
    /** Environment variable: the log's topic ({@link Builder#topic}). */
    public static final String ENV_TOPIC = KafkaLogConfig.TOPIC;
    /** Environment variable: partitions of a topic the log creates ({@link Builder#partitions}). */
    public static final String ENV_PARTITIONS = KafkaLogConfig.PARTITIONS;
    /** Environment variable: replication factor ({@link Builder#replicationFactor}). */
    public static final String ENV_REPLICATION = KafkaLogConfig.REPLICATION;
    /** Environment variable: {@code min.insync.replicas} ({@link Builder#minInsyncReplicas}). */
    public static final String ENV_MIN_INSYNC = KafkaLogConfig.MIN_INSYNC;

    /**
     * A builder from the {@code SENTINEL_STORE_KAFKA_*} variables of {@link KafkaLogConfig#settings()}, read by
     * {@link KafkaLogConfig#fromEnvironment(Map)}. Retention, size limit and meters are the caller's to add.
     *
     * @param env the variables
     * @return the builder, or empty when {@value #ENV_BOOTSTRAP} is unset
     * @throws IllegalArgumentException naming the key, the value and what is allowed, for an invalid value (a
     *                                  blank {@value #ENV_BOOTSTRAP} included)
     */
    public static Optional<Builder> fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String servers = env.get(ENV_BOOTSTRAP);
        if (servers == null) {
            return Optional.empty();
        }
        if (servers.isBlank()) {
            throw new IllegalArgumentException(ENV_BOOTSTRAP + "='" + servers
                    + "' is invalid: bootstrapServers must be host:port[,host:port...]");
        }
        return Optional.of(builder(KafkaLogConfig.fromEnvironment(env)));
    }

    @Override
    public CompletionStage<LogPosition> append(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        CompletableFuture<LogPosition> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new MessageLogException("the Kafka message log on topic " + config.topic() + " is closed"));
            return future;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER_TOPIC, entry.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_CLIENT, entry.clientId().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_QOS, new byte[] {(byte) entry.qos()});
        headers.add(HEADER_TIMESTAMP, ByteBuffer.allocate(8).putLong(0, entry.timestampMillis()).array());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.topic(), null, null,
                entry.orderingKey().getBytes(StandardCharsets.UTF_8), entry.payload(), headers);
        long start = ticker.nanoTime();
        try {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    failed.increment();
                    future.completeExceptionally(new MessageLogException("Kafka did not store the append to topic "
                            + config.topic() + " (not stored, do not acknowledge): " + e, e));
                } else {
                    ok.increment();
                    latency.record(ticker.nanoTime() - start, TimeUnit.NANOSECONDS);
                    future.complete(new LogPosition(metadata.partition(), metadata.offset()));
                }
            });
        } catch (RuntimeException e) {
            failed.increment();
            future.completeExceptionally(new MessageLogException("Kafka did not take the append to topic " + config.topic()
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
            throw new MessageLogException("the Kafka message log on topic " + config.topic() + " is closed");
        }
        return new KafkaLogReader(config, group);
    }

    /** @return the topic */
    public String topic() {
        return config.topic();
    }

    /** @return the settings the log was built with */
    public KafkaLogConfig config() {
        return config;
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
        producer.close(config.requestTimeout());
        registry.remove(ok);
        registry.remove(failed);
        registry.remove(latency);
    }

    /**
     * Configures a {@link KafkaMessageLog}: the settings of a {@link KafkaLogConfig.Builder} (each checked when it
     * is set) and where the metrics go. {@link #build()} takes a snapshot of the settings, connects, creates or
     * verifies the topic and starts the producer; the log keeps no reference to this builder, so one builder can
     * build any number of independent logs.
     */
    public static final class Builder {
        private final KafkaLogConfig.Builder config;
        private MeterRegistry meterRegistry;
        private Ticker ticker = Ticker.system();

        Builder(KafkaLogConfig.Builder config) {
            this.config = config;
        }

        /**
         * @param topic the topic holding the log, a legal Kafka topic name; default {@code sentinel-messages}
         * @return this builder
         * @see KafkaLogConfig.Builder#topic(String)
         */
        public Builder topic(String topic) {
            config.topic(topic);
            return this;
        }

        /**
         * @param partitions partitions of a topic this log creates, 1 to 10000; default 12
         * @return this builder
         */
        public Builder partitions(int partitions) {
            config.partitions(partitions);
            return this;
        }

        /**
         * @param replicationFactor replicas per partition, 1 to 7; default 3
         * @return this builder
         */
        public Builder replicationFactor(int replicationFactor) {
            config.replicationFactor(replicationFactor);
            return this;
        }

        /**
         * @param minInsyncReplicas replicas that must have a record before it is acknowledged, 1 to the
         *                          replication factor; default the smaller of 2 and the replication factor
         * @return this builder
         */
        public Builder minInsyncReplicas(int minInsyncReplicas) {
            config.minInsyncReplicas(minInsyncReplicas);
            return this;
        }

        /**
         * @param retention the topic's {@code retention.ms}, 1m to 3650d; default 72h
         * @return this builder
         */
        public Builder retention(Duration retention) {
            config.retention(retention);
            return this;
        }

        /**
         * @param maxTotalBytes the most bytes kept over all partitions (divided evenly into the topic's
         *                      {@code retention.bytes}), at least 1 MiB; default unlimited
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            config.maxTotalBytes(maxTotalBytes);
            return this;
        }

        /**
         * @param groupPrefix prefix of the Kafka consumer group of each reader group, may be empty; default
         *                    {@code sentinel-}
         * @return this builder
         */
        public Builder groupPrefix(String groupPrefix) {
            config.groupPrefix(groupPrefix);
            return this;
        }

        /**
         * @param requestTimeout how long an append may take, retries included, before it fails, and the
         *                       limit of start-up calls, 1s to 10m; default 30s
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            config.requestTimeout(requestTimeout);
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
            config.clientProperty(name, value);
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

        /** @return the settings as they are now, as an immutable snapshot (what {@link #build()} uses) */
        KafkaLogConfig snapshot() {
            return config.build();
        }

        /**
         * @param ticker measures the append latency and the topic set-up's deadlines (default {@link Ticker#system()})
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
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
            return new KafkaMessageLog(snapshot(), meterRegistry == null ? new CompositeMeterRegistry() : meterRegistry,
                    ticker);
        }
    }
}
