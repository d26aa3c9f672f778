package io.mqttsentinel.broker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

import io.mqttsentinel.api.LogPosition;

/**
 * How far a persistent session got through the message log, per partition: its <em>watermark</em> is the
 * highest offset such that every record at or below it that was routed to the session has been settled
 * (acknowledged by the client, or dropped by a full queue). It is what the broker writes to the log in
 * the session's state record, so that after a restart only records above it are delivered again.
 *
 * <p>It relies on the router seeing the records of one partition in offset order, which holds because
 * the broker routes on one thread in the order the log completed the appends, and both the file log and
 * Kafka's producer complete the appends of a partition in order. Not thread-safe: guarded by its
 * {@link Session}.
 */
final class DeliveryProgress {
    private final Map<Integer, Long> settledFloor = new HashMap<>();
    private final Map<Integer, Long> highestRouted = new HashMap<>();
    private final Map<Integer, TreeSet<Long>> pending = new HashMap<>();

    /**
     * @param position a record's position
     * @return {@code true} when the record was settled before (it is at or below the watermark)
     */
    boolean isSettled(LogPosition position) {
        Long floor = settledFloor.get(position.partition());
        return floor != null && position.offset() <= floor;
    }

    /**
     * @param position a record routed to the session
     * @param kept     {@code true} when it was queued or sent, {@code false} when it was dropped (settled)
     */
    void routed(LogPosition position, boolean kept) {
        highestRouted.merge(position.partition(), position.offset(), Math::max);
        if (kept) {
            pending.computeIfAbsent(position.partition(), k -> new TreeSet<>()).add(position.offset());
        }
    }

    /** @param position a record the client acknowledged or that was dropped from the queue */
    void settled(LogPosition position) {
        TreeSet<Long> p = pending.get(position.partition());
        if (p != null) {
            p.remove(position.offset());
        }
    }

    /** @param watermarks the watermarks read back from the session's last state record */
    void restore(Map<Integer, Long> watermarks) {
        settledFloor.clear();
        settledFloor.putAll(watermarks);
        highestRouted.clear();
        highestRouted.putAll(watermarks);
        pending.clear();
    }

    /** @return the watermark of every partition the session has seen */
    Map<Integer, Long> watermarks() {
        Map<Integer, Long> out = new HashMap<>(settledFloor);
        for (Map.Entry<Integer, Long> e : highestRouted.entrySet()) {
            TreeSet<Long> p = pending.get(e.getKey());
            long w = p == null || p.isEmpty() ? e.getValue() : p.first() - 1;
            out.merge(e.getKey(), w, Math::max);
        }
        return out;
    }
}
