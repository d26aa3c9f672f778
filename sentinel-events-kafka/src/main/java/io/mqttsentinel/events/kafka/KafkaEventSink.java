package io.mqttsentinel.events.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.inspect.EventSinks;
import io.mqttsentinel.inspect.EventsConfig;
import io.mqttsentinel.inspect.QueuedEventSink;
import io.mqttsentinel.inspect.SecurityEventJson;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces security events to an Apache Kafka topic, for a SIEM or a stream processor that reads Kafka.
 *
 * <p><b>Records.</b> The value is the event's JSON form, {@link SecurityEventJson#toJson(SecurityEvent)},
 * the same object the file, HTTP and MQTT sinks write. The key is the client id (UTF-8), so Kafka's default
 * partitioner puts all events of one device into one partition, where a consumer reads them in the order
 * they were accepted. The producer runs with {@code acks=all} and idempotence on: an event the sink counts
 * as delivered is on every in-sync replica, and a retried batch is neither duplicated nor reordered. The
 * topic is not created by the sink: it must exist, or the brokers must create topics on first use.
 *
 * <p><b>Never blocking the caller.</b> {@link #accept} only offers the event to a bounded queue (default
 * {@value #DEFAULT_QUEUE_CAPACITY} events) and returns; a full queue, or a sink that is closing, drops the
 * event and counts it ({@link #dropped()}). A thread of the sink's own takes events from the queue, up to
 * 256 at a time, and hands them to the producer (the queue, its thread and the counters are those of every
 * sink, {@link QueuedEventSink}). Only that thread waits for Kafka, at most {@code max.block.ms} per event (default
 * here {@value #DEFAULT_MAX_BLOCK_MS} ms, while the topic's metadata is unknown or the producer's buffer is
 * full); an event it cannot hand over in that time, or that Kafka does not acknowledge within
 * {@code delivery.timeout.ms}, is counted undeliverable ({@link #failed()}). While Kafka is unreachable the
 * queue therefore fills, and further events are dropped and counted, never held without bound.
 *
 * <p><b>Closing.</b> {@link #close()} stops accepting, lets the thread hand over what is queued and the
 * producer send what is in flight, all within the close timeout (default 10 s); what is still queued then
 * is counted dropped, what is in flight and unacknowledged undeliverable. Every accepted event thus ends up in exactly one of
 * {@link #delivered()}, {@link #dropped()} or {@link #failed()}.
 *
 * <p><b>Meters</b> (when a registry is given), with the names of the other sinks:
 * {@code sentinel.events.dropped{sink,reason=queue_full}} (full queue, accepted after close, or still queued at close),
 * {@code sentinel.events.dropped{sink,reason=undeliverable}} (not acknowledged by Kafka, or in flight at
 * close) and {@code sentinel.events.delivered{sink}} (acknowledged by all in-sync replicas), each a
 * function counter on the sink's own count, tagged with the sink name (default {@code kafka}).
 *
 * <p>Thread-safe: any number of threads may call {@link #accept}.
 */
public final class KafkaEventSink extends QueuedEventSink {
    /** The topic when the builder is not given one. */
    public static final String DEFAULT_TOPIC = "sentinel-security-events";
    /** Events the queue holds when the builder is not given a capacity. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /** How long the sink's thread waits for metadata or buffer space per event, unless the properties say. */
    public static final long DEFAULT_MAX_BLOCK_MS = 5_000;


    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);

    private final String topic;
    private final Duration closeTimeout;
    private final Producer<byte[], byte[]> producer;
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaEventSink(Builder b) {
        super(b.queueCapacity, "sentinel-events-kafka-" + b.name, BATCH, Duration.ZERO);
        this.topic = b.topic;
        this.closeTimeout = b.closeTimeout;
        this.producer = new KafkaProducer<>(producerConfig(b), new ByteArraySerializer(), new ByteArraySerializer());
        bindMetrics(b.registry, b.name);
        start();
    }

    /**
     * Starts a builder.
     *
     * @param bootstrapServers the Kafka cluster, {@code host:port[,host:port...]}
     * @return a builder with the defaults
     * @throws IllegalArgumentException when {@code bootstrapServers} is null or blank
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /**
     * The sink that the security event settings name ({@link EventsConfig#kafkaBootstrap()},
     * {@link EventsConfig#kafkaTopic()}), with its meters tagged {@code sink=kafka}: an {@link EventSinks.Opener}.
     *
     * <pre>{@code
     * EventSinks sinks = EventSinks.open(EventsConfig.fromEnvironment(env), registry, KafkaEventSink::open);
     * }</pre>
     *
     * @param config   the settings
     * @param registry where the sink registers its meters
     * @return the started sink, or empty when {@code config} names no Kafka cluster
     */
    public static Optional<KafkaEventSink> open(EventsConfig config, MeterRegistry registry) {
        if (config.kafkaBootstrap() == null) {
            return Optional.empty();
        }
        return Optional.of(builder(config.kafkaBootstrap()).topic(config.kafkaTopic()).meterRegistry(registry)
                .name("kafka").build());
    }

    private static Map<String, Object> producerConfig(Builder b) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_MAX_BLOCK_MS);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sentinel-events-" + b.name);
        config.putAll(b.properties);
        // what the sink's guarantees rest on: not overridable by the extra properties
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return config;
    }

    /** @return events acknowledged by all in-sync replicas of the topic */
    public long delivered() {
        return delivered.get();
    }

    /** @return events given up on: not handed over or not acknowledged in time, or still unsent at close */
    public long failed() {
        return failed.get();
    }

    /** @return the topic the events go to */
    public String topic() {
        return topic;
    }

    /** Hands each event of the batch to the producer, in order; its callback counts it delivered or undeliverable. */
    @Override
    protected void handle(List<SecurityEvent> batch) {
        for (SecurityEvent e : batch) {
            send(e);
        }
    }

    private void send(SecurityEvent e) {
        byte[] key = e.clientId().getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, key, SecurityEventJson.toJson(e)), (metadata, error) -> {
                if (error == null) {
                    delivered.incrementAndGet();
                } else {
                    undeliverable(error);
                }
            });
        } catch (RuntimeException error) {
            // not taken by the producer (closed, interrupted, an unserialisable record): no callback follows
            undeliverable(error);
        }
    }

    private void undeliverable(Throwable error) {
        failed.incrementAndGet();
        if (warned.compareAndSet(false, true)) {
            LOG.warn("security events to Kafka topic {} are undeliverable (counted in sentinel.events.dropped"
                    + "{{reason=undeliverable}}; only the first failure is logged): {}", topic, error.toString());
        }
    }

    /**
     * Stops accepting, then within the close timeout hands what is queued to the producer and waits for
     * Kafka to acknowledge what is in flight; whatever is still queued or unacknowledged after that is counted
     * undeliverable. Idempotent; throws nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = ticker().nanoTime() + closeTimeout.toNanos();
        // the worker hands over what is queued; what it cannot take in time counts as dropped
        stopWorker(closeTimeout);
        try {
            // aborts what is unacknowledged at the deadline (its callbacks count it undeliverable) and releases a
            // worker still blocked in send()
            producer.close(Duration.ofNanos(Math.max(0, deadline - ticker().nanoTime())));
        } catch (RuntimeException e) {
            LOG.warn("closing the Kafka producer of security events failed", e);
        }
    }

    /** Builds a {@link KafkaEventSink}; the producer connects lazily, so building does not wait for Kafka. */
    public static final class Builder {
        private final String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private final Map<String, Object> properties = new HashMap<>();
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private MeterRegistry registry;
        private String name = "kafka";

        private Builder(String bootstrapServers) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must be host:port[,host:port...], was "
                        + bootstrapServers);
            }
            this.bootstrapServers = bootstrapServers.strip();
        }

        /**
         * @param topic the topic the events go to (default {@value KafkaEventSink#DEFAULT_TOPIC})
         * @return this builder
         * @throws IllegalArgumentException when {@code topic} is null or blank
         */
        public Builder topic(String topic) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic must be non-blank, was " + topic);
            }
            this.topic = topic.strip();
            return this;
        }

        /**
         * Extra Kafka producer properties, e.g. {@code security.protocol}, {@code sasl.mechanism},
         * {@code sasl.jaas.config}, {@code ssl.truststore.location}, or {@code max.block.ms},
         * {@code delivery.timeout.ms}, {@code buffer.memory}. The bootstrap servers, {@code acks=all},
         * idempotence and the serialisers are the sink's and cannot be overridden.
         *
         * @param properties the properties, added to those given before
         * @return this builder
         */
        public Builder properties(Map<String, ?> properties) {
            this.properties.putAll(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /**
         * @param capacity events the queue holds before {@link KafkaEventSink#accept} drops, in
         *                 [1, 10000000] (default {@value KafkaEventSink#DEFAULT_QUEUE_CAPACITY})
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1 || capacity > 10_000_000) {
                throw new IllegalArgumentException("queueCapacity must be in [1, 10000000], was " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * @param timeout how long {@link KafkaEventSink#close()} waits for queued and in-flight events to be
         *                acknowledged, positive (default 10 s)
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder closeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive, was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * @param registry where the sink's meters are registered; {@code null} (the default) registers none
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /**
         * @param name the {@code sink} tag of the meters and part of the producer's {@code client.id}
         *             (default {@code kafka})
         * @return this builder
         * @throws IllegalArgumentException when null or blank
         */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must be non-blank text (the sink tag of the metrics)");
            }
            this.name = name;
            return this;
        }

        /**
         * Creates the producer and starts the sink's thread; does not wait for Kafka.
         *
         * @return the sink
         * @throws org.apache.kafka.common.KafkaException when the producer properties are invalid
         */
        public KafkaEventSink build() {
            return new KafkaEventSink(this);
        }
    }
}
