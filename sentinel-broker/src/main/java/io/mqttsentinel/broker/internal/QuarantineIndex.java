package io.mqttsentinel.broker.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.broker.QuarantineQuery;
import io.mqttsentinel.broker.QuarantinedMessage;

/**
 * The in-memory index of a quarantine log: one small entry per message record (no payload), by position, with the
 * state the markers gave it. Every change is idempotent, so that the store may apply a record both when it writes
 * it and when it reads it back: a message is added only once, and a deleted message stays a tombstone (until
 * retention or the size bound removes it) so that reading its record again cannot bring it back.
 *
 * <p>Bounded: past {@code maxEntries} the oldest entries leave the index (they stay in the log until its
 * retention). Thread-safe (one lock: operators act rarely, and adding is a map insertion).
 */
public final class QuarantineIndex {
    private final int maxEntries;
    private final TreeMap<LogPosition, Entry> entries = new TreeMap<>();
    private long evicted;
    private int live;

    /** What a release may do now. */
    public enum ReleaseCheck {
        /** The release may go ahead: the message is marked as being released. */
        GO,
        /** No such message (never seen, deleted, or gone with retention). */
        NOT_FOUND,
        /** It was released already. */
        ALREADY_RELEASED,
        /** Another release of it is under way. */
        IN_PROGRESS
    }

    private static final class Entry {
        final LogPosition position;
        final String clientId;
        final String topic;
        final int qos;
        final int size;
        final long timeMillis;
        final List<Finding> findings;
        boolean deleted;
        boolean releasing;
        long releasedAt = -1;
        String releasedBy = "";

        Entry(LogPosition position, String clientId, String topic, int qos, int size, long timeMillis, List<Finding> findings) {
            this.position = position;
            this.clientId = clientId;
            this.topic = topic;
            this.qos = qos;
            this.size = size;
            this.timeMillis = timeMillis;
            this.findings = findings;
        }

        QuarantinedMessage view() {
            return new QuarantinedMessage(idOf(position), clientId, topic, qos, size, Instant.ofEpochMilli(timeMillis), findings,
                    releasedAt >= 0 ? QuarantinedMessage.State.RELEASED : QuarantinedMessage.State.QUARANTINED,
                    releasedAt >= 0 ? Instant.ofEpochMilli(releasedAt) : null, releasedBy);
        }
    }

    /** @param maxEntries the most entries (tombstones included) held */
    public QuarantineIndex(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * @param position a record's position
     * @return its id, {@code <partition>-<offset>}
     */
    public static String idOf(LogPosition position) {
        return position.partition() + "-" + position.offset();
    }

    /**
     * Adds a message unless its position is known (added before, or a tombstone).
     *
     * @param position   its record's position
     * @param clientId   the publisher
     * @param topic      the topic
     * @param qos        the QoS
     * @param size       the payload's length
     * @param timeMillis the receive time
     * @param findings   why it was quarantined
     * @return the message as listed
     */
    public synchronized QuarantinedMessage putMessage(LogPosition position, String clientId, String topic, int qos,
                                                      int size, long timeMillis, List<Finding> findings) {
        Entry e = entries.get(position);
        if (e == null && entries.size() >= maxEntries && position.compareTo(entries.firstKey()) < 0) {
            // older than everything a full index holds: it left the index before (read again from the log)
            return new Entry(position, clientId, topic, qos, size, timeMillis, List.copyOf(findings)).view();
        }
        if (e == null) {
            e = new Entry(position, clientId, topic, qos, size, timeMillis, List.copyOf(findings));
            entries.put(position, e);
            live++;
            while (entries.size() > maxEntries) {
                if (!entries.pollFirstEntry().getValue().deleted) {
                    live--;
                }
                evicted++;
            }
        }
        return e.view();
    }

    /**
     * Applies an operator's action. A deletion of a message the index has not seen leaves a tombstone, so that the
     * message's record, if read later, stays deleted.
     *
     * @param target     the message's position
     * @param released   {@code true} for a release, {@code false} for a deletion
     * @param actor      who did it
     * @param timeMillis when
     */
    public synchronized void applyMarker(LogPosition target, boolean released, String actor, long timeMillis) {
        Entry e = entries.get(target);
        if (released) {
            if (e != null && !e.deleted && e.releasedAt < 0) {
                e.releasedAt = timeMillis;
                e.releasedBy = actor;
            }
            return;
        }
        if (e == null) {
            if (!entries.isEmpty() && target.compareTo(entries.firstKey()) < 0) {
                return; // older than everything held: its message left the index already
            }
            e = new Entry(target, "", "", 0, 0, timeMillis, List.of());
            e.deleted = true;
            entries.put(target, e);
            return;
        }
        if (!e.deleted) {
            e.deleted = true;
            live--;
        }
    }

    /**
     * @param position a message's position
     * @return the message, unless unknown or deleted
     */
    public synchronized Optional<QuarantinedMessage> get(LogPosition position) {
        Entry e = entries.get(position);
        return e == null || e.deleted ? Optional.empty() : Optional.of(e.view());
    }

    /**
     * @param query the filters and the page size
     * @param after the position the page starts after (exclusive), or {@code null} for the newest
     * @return up to {@code query.limit() + 1} matching messages, newest first (one more than asked when there are
     *         more)
     */
    public synchronized List<QuarantinedMessage> page(QuarantineQuery query, LogPosition after) {
        NavigableMap<LogPosition, Entry> older = after == null ? entries.descendingMap()
                : entries.headMap(after, false).descendingMap();
        List<QuarantinedMessage> out = new ArrayList<>();
        for (Entry e : older.values()) {
            if (e.deleted) {
                continue;
            }
            QuarantinedMessage m = e.view();
            if (query.matches(m)) {
                out.add(m);
                if (out.size() > query.limit()) {
                    break; // one more than asked: tells the caller there is a next page
                }
            }
        }
        return out;
    }

    /**
     * Removes the entries received before {@code cutoffMillis} (tombstones by the time of their deletion).
     *
     * @param cutoffMillis the oldest receive time kept
     * @return how many entries were removed
     */
    public synchronized int prune(long cutoffMillis) {
        int removed = 0;
        for (Iterator<Map.Entry<LogPosition, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            if (e.timeMillis < cutoffMillis && !e.releasing) {
                it.remove();
                removed++;
                if (!e.deleted) {
                    live--;
                }
            }
        }
        return removed;
    }

    /**
     * Marks a message as being released, if it may be.
     *
     * @param position the message's position
     * @return whether the release may go ahead
     */
    public synchronized ReleaseCheck beginRelease(LogPosition position) {
        Entry e = entries.get(position);
        if (e == null || e.deleted) {
            return ReleaseCheck.NOT_FOUND;
        }
        if (e.releasedAt >= 0) {
            return ReleaseCheck.ALREADY_RELEASED;
        }
        if (e.releasing) {
            return ReleaseCheck.IN_PROGRESS;
        }
        e.releasing = true;
        return ReleaseCheck.GO;
    }

    /**
     * Ends a release begun with {@link #beginRelease}.
     *
     * @param position   the message's position
     * @param released   {@code true} when it was delivered: it is released from now on, whatever the log says
     * @param actor      who released it
     * @param timeMillis when
     */
    public synchronized void endRelease(LogPosition position, boolean released, String actor, long timeMillis) {
        Entry e = entries.get(position);
        if (e == null) {
            return;
        }
        e.releasing = false;
        if (released && e.releasedAt < 0) {
            e.releasedAt = timeMillis;
            e.releasedBy = actor;
        }
    }

    /**
     * @param position a message's position
     * @return {@code true} while a release of it is under way
     */
    public synchronized boolean releasing(LogPosition position) {
        Entry e = entries.get(position);
        return e != null && e.releasing;
    }

    /** @return the messages held, tombstones not counted */
    public synchronized int size() {
        return live;
    }

    /** @return how many entries left the index for its size bound */
    public synchronized long evicted() {
        return evicted;
    }
}
