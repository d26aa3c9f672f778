package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.Ticker;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.broker.QuarantineStore;

/**
 * The path of every PUBLISH into the broker (from a device, a will, or the in-JVM publish): inspect,
 * then append to the log, then route. Routing runs on one router thread, handed over from the log's
 * completion callbacks, so the records of a partition are routed in the order the log stored them; the
 * returned stage completes once the message is routed (queued to every matching session), and the
 * caller acknowledges from it.
 *
 * <ul>
 *   <li>{@link Action#BLOCK}: not stored, not routed, one security event per finding.</li>
 *   <li>{@link Action#QUARANTINE}: kept in the quarantine store with its findings (or in the main log under
 *       {@code $quarantine/}), not routed, security events.</li>
 *   <li>{@link Action#FLAG}: stored and routed, security events.</li>
 *   <li>{@link Action#BLOCK} only for the message rate (every blocking finding is a
 *       {@link ThreatCategory#RATE} anomaly): not stored, not acknowledged (the client retries), security
 *       events, counted as {@code mqtt_broker_messages_refused_total{reason="rate_limited"}}.</li>
 *   <li>An inspector that throws: refused like a block (fail closed), counted, no finding to report.</li>
 * </ul>
 */
public final class Ingress {
    private static final Logger LOG = LoggerFactory.getLogger(Ingress.class);

    /** What became of a message; every outcome but {@link #FAILED} is acknowledged to the publisher. */
    public enum Outcome {
        /** Stored in the log and routed. */
        STORED,
        /** Refused by the inspector's verdict; not stored. */
        BLOCKED,
        /** Kept in quarantine, not delivered. */
        QUARANTINED,
        /** Refused by the broker (inspector failure, reserved topic). */
        REFUSED,
        /**
         * Over the message-rate limit: not stored, and not acknowledged, so that the client sends it again
         * later (the seed's rule for rate limiting: QoS 1 gets no PUBACK, QoS 0 is dropped).
         */
        RATE_LIMITED,
        /** The log could not store it: not acknowledged, the publisher retries. */
        FAILED;

        /** @return whether the publisher gets its PUBACK (or PUBREC) */
        public boolean acknowledge() {
            return this != FAILED && this != RATE_LIMITED;
        }
    }

    private final PayloadInspector inspector;
    private final MessageLog log;
    private final QuarantineStore quarantine;
    private final SecurityEventSink events;
    private final Router router;
    private final RetainedStore retained;
    private final SessionStateWriter stateWriter;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final Ticker ticker;
    private final Executor routing;
    private final Object appendOrder = new Object();
    private volatile boolean routeLocally = true;
    private final java.util.concurrent.ConcurrentLinkedQueue<PendingRoute> toRoute = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * @param inspector     the payload inspector
     * @param log           the main log
     * @param quarantine    the quarantine store, or {@code null} to keep quarantined messages in the main log
     * @param events        the security event sink
     * @param router        the router
     * @param retained      the retained messages
     * @param stateWriter   appends retained records
     * @param metrics       the meters
     * @param clock         the broker's clock
     * @param ticker        measures the append latency and marks a message's arrival (delivery latency)
     * @param routing       the single thread that routes stored messages, in the order the log stored them
     */
    public Ingress(PayloadInspector inspector, MessageLog log, QuarantineStore quarantine, SecurityEventSink events,
                   Router router, RetainedStore retained, SessionStateWriter stateWriter, BrokerMetrics metrics,
                   Clock clock, Ticker ticker, Executor routing) {
        this.inspector = inspector;
        this.log = log;
        this.quarantine = quarantine;
        this.events = events;
        this.router = router;
        this.retained = retained;
        this.stateWriter = stateWriter;
        this.metrics = metrics;
        this.clock = clock;
        this.ticker = ticker;
        this.routing = routing;
    }

    /**
     * @param clientId the publisher's client id
     * @param source   the publisher's address as text, or empty
     * @param topic    a valid topic name
     * @param payload  the payload (owned by the broker from now on)
     * @param qos      0, 1 or 2
     * @param retain   the RETAIN flag
     * @return the outcome, completed on a log thread or at once
     */
    public CompletionStage<Outcome> publish(String clientId, String source, String topic, byte[] payload, int qos,
                                            boolean retain) {
        return process(clientId, source, topic, payload, qos, retain, true, true);
    }

    /**
     * The broker's own messages (the in-JVM publish). When inspected, the findings of a refused message
     * are logged and counted but <em>not</em> handed to the security event sink: a sink that publishes
     * events through the broker would otherwise publish an event about its own event, forever (an
     * event's excerpt holds the attack that was blocked).
     *
     * @param clientId the client id to record as publisher
     * @param topic    a valid topic name
     * @param payload  the payload (owned by the broker from now on)
     * @param qos      0, 1 or 2
     * @param retain   the RETAIN flag
     * @param inspect  whether the inspector sees the message
     * @return the outcome
     */
    public CompletionStage<Outcome> publishInternal(String clientId, String topic, byte[] payload, int qos,
                                                    boolean retain, boolean inspect) {
        return process(clientId, "", topic, payload, qos, retain, inspect, false);
    }

    private CompletionStage<Outcome> process(String clientId, String source, String topic, byte[] payload, int qos,
                                             boolean retain, boolean inspect, boolean reportToSink) {
        long now0 = ticker.nanoTime();
        long receivedNanos = now0 == 0 ? 1 : now0; // 0 marks a replayed message
        long now = clock.millis();
        if (ReservedTopics.isReserved(topic)) {
            metrics.refused("reserved_topic");
            report(new SecurityEvent(Instant.ofEpochMilli(now), "broker", clientId, topic, "reserved_topic",
                    "broker-reserved-topic", Severity.MEDIUM, Action.BLOCK, topic));
            return CompletableFuture.completedFuture(Outcome.REFUSED);
        }
        if (!inspect) {
            return store(clientId, topic, payload, qos, retain, now, receivedNanos);
        }
        MessageContext context = new MessageContext(clientId, topic, qos, source, now);
        Verdict verdict;
        try {
            verdict = inspector.inspect(context, ByteBuffer.wrap(payload).asReadOnlyBuffer());
        } catch (RuntimeException e) {
            metrics.refused("inspector_error");
            LOG.warn("inspector failed on a message from {} to {}; refused (fail closed)", clientId, topic, e);
            return CompletableFuture.completedFuture(Outcome.REFUSED);
        }
        Action action = verdict.action();
        if (action != Action.ALLOW) {
            Instant at = Instant.ofEpochMilli(now);
            for (Finding f : verdict.findings()) {
                SecurityEvent event = SecurityEvent.of(at, context, f);
                if (reportToSink) {
                    report(event);
                } else {
                    LOG.warn("the broker's own message was {} by inspection (not re-reported as an event): {}",
                            action, event);
                }
            }
            if (!reportToSink && !action.delivers()) {
                metrics.refused("internal_" + action.name().toLowerCase(Locale.ROOT));
            }
        }
        switch (action) {
            case BLOCK:
                if (rateLimitedOnly(verdict)) {
                    metrics.refused("rate_limited");
                    return CompletableFuture.completedFuture(Outcome.RATE_LIMITED);
                }
                return CompletableFuture.completedFuture(Outcome.BLOCKED);
            case QUARANTINE:
                return quarantine(topic, payload, qos, clientId, now, verdict.findings());
            default:
                return store(clientId, topic, payload, qos, retain, now, receivedNanos);
        }
    }

    /** @return {@code true} when the message is blocked for its rate alone, not for what it holds */
    private static boolean rateLimitedOnly(Verdict verdict) {
        boolean rate = false;
        for (Finding f : verdict.findings()) {
            if (f.action() == Action.BLOCK) {
                if (f.category() != ThreatCategory.RATE) {
                    return false;
                }
                rate = true;
            }
        }
        return rate;
    }

    private CompletionStage<Outcome> quarantine(String topic, byte[] payload, int qos, String clientId, long now,
                                                List<Finding> findings) {
        CompletionStage<?> stored;
        if (quarantine != null) {
            try {
                stored = quarantine.add(new LogEntry(topic, payload, qos, clientId, now), findings);
            } catch (RuntimeException e) {
                stored = CompletableFuture.failedFuture(e);
            }
        } else {
            stored = append(log, new LogEntry(ReservedTopics.QUARANTINE + topic, payload, qos, clientId, now));
        }
        return stored.handle((pos, err) -> {
            if (err != null) {
                metrics.appendFailed();
                return Outcome.FAILED;
            }
            metrics.quarantined();
            return Outcome.QUARANTINED;
        });
    }

    private CompletionStage<Outcome> store(String clientId, String topic, byte[] payload, int qos, boolean retain,
                                           long now, long receivedNanos) {
        long start = ticker.nanoTime();
        CompletableFuture<LogPosition> state = null;
        if (retain) {
            // the retained state is a record of its own so that recovery rebuilds it (LogEntry has no RETAIN
            // flag); appended under the topic's lock, which also orders it with the snapshots' reads
            synchronized (retained.lock(topic)) {
                state = stateWriter.writeRetained(new BrokerMessage(topic, payload, qos, null, 0));
            }
        }
        // routing must follow offset order per partition (sessions note positions, checkpoints note the highest
        // routed): the appends are called and queued under one lock, so the queue is in log order, and the router
        // thread routes its head once stored. A completion callback alone would not do: one registered after its
        // append already completed runs on the registering thread, possibly after a later record's. Routing never
        // runs on the log's own thread: a message matching many subscribers must not hold up the writer.
        PendingRoute pending;
        synchronized (appendOrder) {
            CompletableFuture<LogPosition> appended = append(log, new LogEntry(topic, payload, qos, clientId, now));
            pending = new PendingRoute(appended, topic, payload, qos, clientId, receivedNanos, start);
            toRoute.add(pending);
        }
        pending.appended.whenComplete((pos, err) -> routing.execute(this::routeStored));
        CompletableFuture<Outcome> data = pending.outcome;
        if (state == null) {
            return data;
        }
        return data.thenCombine(state.handle((p, err) -> err == null), (outcome, stateOk) -> {
            if (outcome == Outcome.STORED && !stateOk) {
                metrics.appendFailed();
                return Outcome.FAILED;
            }
            return outcome;
        });
    }

    /**
     * Several nodes on one log: every node routes from its log tail, which also reads what this node
     * appended, so the publish path only stores (and acknowledges once stored).
     */
    public void routeFromTail() {
        routeLocally = false;
    }

    /** A stored (or storing) message waiting for its turn on the router thread. */
    private record PendingRoute(CompletableFuture<LogPosition> appended, String topic, byte[] payload, int qos,
                                String clientId, long receivedNanos, long appendStartNanos,
                                CompletableFuture<Outcome> outcome) {
        PendingRoute(CompletableFuture<LogPosition> appended, String topic, byte[] payload, int qos, String clientId,
                     long receivedNanos, long appendStartNanos) {
            this(appended, topic, payload, qos, clientId, receivedNanos, appendStartNanos, new CompletableFuture<>());
        }
    }

    /** On the router thread: routes the queue's head while it is stored, in log order. */
    private void routeStored() {
        PendingRoute head;
        while ((head = toRoute.peek()) != null && head.appended.isDone()) {
            toRoute.poll();
            LogPosition pos;
            try {
                pos = head.appended.join();
            } catch (RuntimeException err) {
                metrics.appendFailed();
                LOG.debug("append failed for {} from {}", head.topic, head.clientId, err);
                head.outcome.complete(Outcome.FAILED);
                continue;
            }
            metrics.stored(ticker.nanoTime() - head.appendStartNanos);
            if (routeLocally) {
                try {
                    router.route(new BrokerMessage(head.topic, head.payload, head.qos, pos, head.receivedNanos));
                } catch (RuntimeException e) {
                    LOG.error("routing failed for {}", head.topic, e); // stored: recovery and redelivery still hold
                }
            }
            head.outcome.complete(Outcome.STORED);
        }
    }

    private static CompletableFuture<LogPosition> append(MessageLog target, LogEntry entry) {
        try {
            return target.append(entry).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void report(SecurityEvent event) {
        try {
            events.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("security event sink threw; event dropped", e); // the decision stands
        }
    }
}
