package io.mqttsentinel.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;

/**
 * The newest security events in memory, for the admin API's {@code /api/v1/events}: a ring of fixed capacity, fed
 * as one more {@link SecurityEventSink} beside the files and the remote sinks. It forgets the oldest event when a new
 * one arrives on a full ring; it is a window for operators, not a record (the sinks are).
 *
 * <p>{@link #accept} takes no lock and allocates one small slot per event, so that the layers' I/O threads are never
 * held up. Thread-safe.
 */
public final class RecentEvents implements SecurityEventSink {
    private final AtomicReferenceArray<Slot> ring;
    private final AtomicLong written = new AtomicLong();

    private record Slot(long seq, SecurityEvent event) {
    }

    /** @param capacity how many events are kept, at least 1 */
    public RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    @Override
    public void accept(SecurityEvent event) {
        if (event == null) {
            return;
        }
        long seq = written.getAndIncrement();
        ring.set((int) (seq % ring.length()), new Slot(seq, event));
    }

    /**
     * @param limit  the most events returned
     * @param filter which events to return
     * @return the newest events that pass {@code filter}, newest first
     */
    public List<SecurityEvent> newest(int limit, Predicate<SecurityEvent> filter) {
        Objects.requireNonNull(filter, "filter");
        List<SecurityEvent> out = new ArrayList<>(Math.min(limit, ring.length()));
        long end = written.get();
        for (long seq = end - 1; seq >= 0 && seq >= end - ring.length() && out.size() < limit; seq--) {
            Slot s = ring.get((int) (seq % ring.length()));
            // a slot already overwritten by a newer event, or not yet written by a concurrent accept: not this one
            if (s != null && s.seq() == seq && filter.test(s.event())) {
                out.add(s.event());
            }
        }
        return out;
    }

    /** @return how many events were received since start (kept or forgotten) */
    public long received() {
        return written.get();
    }

    /** @return how many events are kept at most */
    public int capacity() {
        return ring.length();
    }
}
