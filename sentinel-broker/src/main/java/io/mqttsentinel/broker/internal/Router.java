package io.mqttsentinel.broker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.api.LogPosition;

/**
 * Hands a stored message to every matching session, with the QoS each may receive: the lower of the
 * publish QoS and the granted QoS, and never more than 1 (the broker does not send QoS 2).
 *
 * <p>It also keeps the <em>completed position</em> per partition: the highest offset routed. Messages of a
 * partition are routed in offset order (one router thread, fed in the order the log completed the
 * appends), so every message at or below it was routed. The checkpoint writes it after the records of the
 * sessions those messages touched; recovery reads only the messages above it again.
 */
public final class Router {
    private final SubscriptionIndex index;
    private final ConcurrentHashMap<Integer, Long> completed = new ConcurrentHashMap<>();

    /** @param index the subscription index */
    public Router(SubscriptionIndex index) {
        this.index = index;
    }

    /** @param message a message that may be delivered (its verdict delivers and the log holds it) */
    public void route(BrokerMessage message) {
        if (!ReservedTopics.isReserved(message.topic())) {
            int published = message.qos();
            index.forEachMatch(message.topic(),
                    (session, granted) -> session.deliver(message, Math.min(1, Math.min(published, granted)), false, true));
        }
        LogPosition p = message.position();
        if (p != null) {
            completed.merge(p.partition(), p.offset(), Math::max);
        }
    }

    /**
     * @param partition a partition
     * @param offset    every message at or below it counts as routed (recovery read them)
     */
    public void completedUpTo(int partition, long offset) {
        completed.merge(partition, offset, Math::max);
    }

    /** @return a copy of the completed position per partition */
    public Map<Integer, Long> completed() {
        return new HashMap<>(completed);
    }
}
