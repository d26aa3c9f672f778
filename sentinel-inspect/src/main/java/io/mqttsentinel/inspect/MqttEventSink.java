package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes security events, as JSON, on a topic of the core broker, so that the bridge carries them to
 * the customer like any other message. It needs no MQTT client: the host plugs its own publish in as a
 * {@link Publisher}, e.g. the broker's internal publish.
 *
 * <p>{@link #accept} never blocks: events go into a bounded queue drained by a thread of the sink's own,
 * which calls the publisher with at most {@code maxInFlight} publishes outstanding. A full queue drops
 * the event ({@link #dropped()}); a publish that fails or throws is counted ({@link #failed()}).
 * Thread-safe.
 */
public final class MqttEventSink extends QueuedEventSink {

    /** Default topic of security events. */
    public static final String DEFAULT_TOPIC = "sentinel/security/events";

    private static final Logger LOG = LoggerFactory.getLogger(MqttEventSink.class);

    /** Publishes bytes on a topic of the core broker. */
    @FunctionalInterface
    public interface Publisher {
        /**
         * @param topic   the topic
         * @param payload the event as JSON
         * @return completes when the broker has the message, exceptionally when it could not take it
         */
        CompletionStage<?> publish(String topic, byte[] payload);
    }

    private final Publisher publisher;
    private final String topic;
    private final boolean topicPerCategory;
    private final Semaphore inFlight;
    private final int maxInFlight;
    

    private MqttEventSink(Builder b) {
        super(b.queueCapacity, "sentinel-events-mqtt");
        this.publisher = b.publisher;
        this.topic = b.topic;
        this.topicPerCategory = b.topicPerCategory;
        this.maxInFlight = b.maxInFlight;
        this.inFlight = new Semaphore(b.maxInFlight);
        bindMetrics(b.registry, b.name);
        start();
    }

    /**
     * @param publisher how to publish on the core broker
     * @return a builder
     */
    public static Builder builder(Publisher publisher) {
        return new Builder(Objects.requireNonNull(publisher, "publisher"));
    }

    /** @return publishes that failed */
    public long failed() {
        return failed.get();
    }

    /** @return publishes that completed */
    public long published() {
        return delivered.get();
    }

    private String topicOf(SecurityEvent e) {
        return topicPerCategory ? topic + "/" + e.category() : topic;
    }

    @Override
    protected void handle(List<SecurityEvent> batch) throws InterruptedException {
        for (SecurityEvent e : batch) {
            inFlight.acquire();
            send(e);
        }
    }

    private void send(SecurityEvent e) {
        try {
            publisher.publish(topicOf(e), SecurityEventJson.toJson(e)).whenComplete((ok, error) -> {
                inFlight.release();
                if (error != null) {
                    failed.incrementAndGet();
                    LOG.debug("security event not published: {}", error.toString());
                } else {
                    delivered.incrementAndGet();
                }
            });
        } catch (RuntimeException ex) {
            inFlight.release();
            failed.incrementAndGet();
            LOG.warn("security event publisher threw: {}", ex.toString());
        }
    }

    /** Publishes what is queued (waiting up to 10 s for outstanding publishes), then stops. */
    @Override
    public void close() {
        stopWorker();
        try {
            if (inFlight.tryAcquire(maxInFlight, 10, TimeUnit.SECONDS)) {
                inFlight.release(maxInFlight);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "MqttEventSink{topic=" + topic + (topicPerCategory ? "/<category>" : "") + ", published=" + delivered
                + ", dropped=" + dropped + ", failed=" + failed + "}";
    }

    /** Builds an {@link MqttEventSink}. */
    public static final class Builder {
        private final Publisher publisher;
        private String topic = DEFAULT_TOPIC;
        private boolean topicPerCategory;
        private int queueCapacity = 10_000;
        private int maxInFlight = 64;
        private MeterRegistry registry;
        private String name = "mqtt";

        Builder(Publisher publisher) {
            this.publisher = publisher;
        }

        /**
         * @param topic the topic events go to (default {@value #DEFAULT_TOPIC}): a valid MQTT topic name
         *              ({@link Topics#isValidName(String)}: no wildcards)
         * @return this builder
         */
        public Builder topic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (!Topics.isValidName(topic)) {
                throw new IllegalArgumentException("topic must be an MQTT topic name (1 to 65535 bytes of UTF-8, no wildcards, "
                        + "no U+0000), was \"" + topic + "\"");
            }
            this.topic = topic;
            return this;
        }

        /**
         * @param perCategory whether each event goes to {@code <topic>/<category>} (default false)
         * @return this builder
         */
        public Builder topicPerCategory(boolean perCategory) {
            this.topicPerCategory = perCategory;
            return this;
        }

        /**
         * @param capacity events queued at most, 1 .. 10000000 (default 10000)
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = checkQueueCapacity(capacity);
            return this;
        }

        /**
         * @param max publishes outstanding at most, 1 .. 65535 (default 64)
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            if (max < 1 || max > 65_535) {
                throw new IllegalArgumentException("maxInFlight must be in [1, 65535], was " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        /**
         * @param registry where {@code sentinel.events.dropped} and {@code .delivered} are registered (default none)
         * @param name     the {@code sink} tag (default {@code mqtt})
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry, String name) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.name = checkSinkName(name);
            return this;
        }

        /** @return the sink, its thread started */
        public MqttEventSink build() {
            return new MqttEventSink(this);
        }
    }
}
