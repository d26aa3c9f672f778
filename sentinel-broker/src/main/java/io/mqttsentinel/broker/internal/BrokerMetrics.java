package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The broker's own meters, all prefixed {@code mqtt_broker_}. The inspector's meters
 * ({@code inspector_*}) are counted by the inspector itself and not repeated here.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final AtomicLong activeConnections = new AtomicLong();
    private final AtomicLong links = new AtomicLong();
    private final Counter connections;
    private final Counter[] received = new Counter[3];
    private final Counter[] delivered = new Counter[3];
    private final Counter[] queueDropped = new Counter[3];
    private final Counter stored;
    private final Counter appendFailures;
    private final Counter redeliveries;
    private final Counter takeovers;
    private final Counter willsPublished;
    private final Counter caughtUp;
    private final Counter expiredUndelivered;
    private final Counter quarantined;
    private final Timer appendLatency;
    private final Timer deliveryLatency;
    private final Ticker ticker;
    private final ConcurrentMap<String, Counter> refused = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> violations = new ConcurrentHashMap<>();

    /** @param registry where the meters are registered */
    public BrokerMetrics(MeterRegistry registry) {
        this(registry, Ticker.system());
    }

    /**
     * @param registry where the meters are registered
     * @param ticker   the ticker whose readings mark a message's arrival (delivery latency)
     */
    public BrokerMetrics(MeterRegistry registry, Ticker ticker) {
        this.registry = registry;
        this.ticker = ticker;
        Gauge.builder("mqtt_broker_connections_active", activeConnections, AtomicLong::get)
                .description("Open client connections").register(registry);
        Gauge.builder("mqtt_broker_links_active", links, AtomicLong::get)
                .description("Open proxy links (each carries many devices' connections as streams)").register(registry);
        connections = Counter.builder("mqtt_broker_connections_total")
                .description("Client connections accepted (CONNACK 0x00)").register(registry);
        for (int q = 0; q < 3; q++) {
            String qos = Integer.toString(q);
            received[q] = Counter.builder("mqtt_broker_messages_received_total").tag("qos", qos)
                    .description("PUBLISH packets received, by QoS").register(registry);
            delivered[q] = Counter.builder("mqtt_broker_messages_delivered_total").tag("qos", qos)
                    .description("PUBLISH packets sent to subscribers, by granted QoS").register(registry);
            queueDropped[q] = Counter.builder("mqtt_broker_queue_dropped_total").tag("qos", qos)
                    .description("Messages dropped because a session's queue was full or it was offline (QoS 0)")
                    .register(registry);
        }
        stored = Counter.builder("mqtt_broker_messages_stored_total")
                .description("Messages durably appended to the message log").register(registry);
        appendFailures = Counter.builder("mqtt_broker_log_append_failures_total")
                .description("Log appends that failed; the message was not acknowledged").register(registry);
        redeliveries = Counter.builder("mqtt_broker_redeliveries_total")
                .description("Unacknowledged QoS 1 messages sent again with DUP after a reconnect").register(registry);
        takeovers = Counter.builder("mqtt_broker_session_takeovers_total")
                .description("Connections closed because a new one used the same client id").register(registry);
        willsPublished = Counter.builder("mqtt_broker_wills_published_total")
                .description("Will messages published after an abnormal disconnect").register(registry);
        caughtUp = Counter.builder("mqtt_broker_catchup_delivered_total")
                .description("QoS 1 messages a session that fell behind read back from the log and was sent").register(registry);
        expiredUndelivered = Counter.builder("mqtt_broker_expired_undelivered_total")
                .description("Log records of a session's backlog that retention deleted before the session read them "
                        + "(an upper bound on the messages it missed)").register(registry);
        quarantined = Counter.builder("mqtt_broker_messages_quarantined_total")
                .description("Messages the inspector quarantined: kept apart in the log, never delivered").register(registry);
        appendLatency = Timer.builder("mqtt_broker_log_append_latency_seconds")
                .description("Time from append to durable completion").publishPercentileHistogram()
                .register(registry);
        deliveryLatency = Timer.builder("mqtt_broker_delivery_latency_seconds")
                .description("Time from receiving a PUBLISH to writing it to a subscriber")
                .publishPercentileHistogram().register(registry);
    }

    /**
     * @param name     gauge name (prefixed by the caller)
     * @param supplier the value
     */
    public void gauge(String name, Supplier<Number> supplier) {
        Gauge.builder(name, supplier).register(registry);
    }

    /** A proxy's link was accepted. */
    public void linkOpened() {
        links.incrementAndGet();
    }

    /** A proxy's link closed (its streams closed with it). */
    public void linkClosed() {
        links.decrementAndGet();
    }

    /** A connection was accepted. */
    public void connected() {
        connections.increment();
        activeConnections.incrementAndGet();
    }

    /** An accepted connection closed. */
    public void disconnected() {
        activeConnections.decrementAndGet();
    }

    /** @param qos the QoS of a received PUBLISH */
    public void received(int qos) {
        received[qos].increment();
    }

    /**
     * @param qos               the granted QoS of a delivery
     * @param receivedAtNanos   when the message was received
     */
    public void delivered(int qos, long receivedAtNanos) {
        delivered[qos].increment();
        if (receivedAtNanos != 0) {
            deliveryLatency.record(ticker.nanoTime() - receivedAtNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** @param qos the QoS of a dropped delivery */
    public void queueDropped(int qos) {
        queueDropped[qos].increment();
    }

    /** A message read back from the log by catch-up was sent or queued. */
    public void caughtUp() {
        caughtUp.increment();
    }

    /** @param records backlog records retention deleted before the session read them */
    public void expiredUndelivered(long records) {
        expiredUndelivered.increment(records);
    }

    /** @param nanos how long the successful append took */
    public void stored(long nanos) {
        stored.increment();
        appendLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A message was quarantined (stored apart, never delivered). */
    public void quarantined() {
        quarantined.increment();
    }

    /** A log append failed. */
    public void appendFailed() {
        appendFailures.increment();
    }

    /** @param count messages sent again with DUP */
    public void redelivered(int count) {
        redeliveries.increment(count);
    }

    /** A session was taken over. */
    public void takeover() {
        takeovers.increment();
    }

    /** A will was published. */
    public void willPublished() {
        willsPublished.increment();
    }

    /** @param reason why a message was refused before storage (e.g. {@code inspector_error}) */
    public void refused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("mqtt_broker_messages_refused_total").tag("reason", r)
                .description("Messages refused by the broker itself (not by the inspector's verdict)")
                .register(registry)).increment();
    }

    /** @param reason the label of a protocol violation that closed a connection */
    public void violation(String reason) {
        violations.computeIfAbsent(reason, r -> Counter.builder("mqtt_broker_protocol_violations_total")
                .tag("reason", r).description("Connections closed by the strict MQTT validator")
                .register(registry)).increment();
    }
}
