package io.mqttsentinel.broker.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A session's place in the message log, per partition: the highest offset routed to it, and its
 * <em>backlog</em>, the range {@code [from, to]} of records routed to it that it holds nowhere in memory
 * (it was offline, or its window was full) and will read back from the log.
 *
 * <p>Memory stays a few longs per partition whatever the backlog's length: this is what lets a session
 * fall behind by millions of messages without holding any of them. A backlog range may include records
 * the session does not subscribe to (other topics of the same partition); the reader filters them.
 *
 * <p>Not thread-safe: guarded by its {@link Session}.
 */
final class Cursor {
    private static final long NONE = -1;
    private static final long[] EMPTY = new long[0];

    private long[] routedTo = EMPTY;
    private long[] from = EMPTY;
    private long[] to = EMPTY;
    private int behindPartitions;

    private void ensure(int partition) {
        if (partition >= routedTo.length) {
            int n = Math.max(partition + 1, routedTo.length * 2);
            int old = routedTo.length;
            routedTo = Arrays.copyOf(routedTo, n);
            from = Arrays.copyOf(from, n);
            to = Arrays.copyOf(to, n);
            Arrays.fill(routedTo, old, n, NONE);
            Arrays.fill(from, old, n, NONE);
            Arrays.fill(to, old, n, NONE);
        }
    }

    /**
     * Notes that a record was routed to the session.
     *
     * @param partition its partition
     * @param offset    its offset
     * @return {@code false} when the session had already been routed this record (or a later one of the
     *         partition), which happens only when recovery reads again what a session's record covers
     */
    boolean routed(int partition, long offset) {
        ensure(partition);
        if (offset <= routedTo[partition]) {
            return false;
        }
        routedTo[partition] = offset;
        return true;
    }

    /** @return {@code true} while some partition has a backlog */
    boolean behind() {
        return behindPartitions > 0;
    }

    /**
     * Adds a record to the backlog.
     *
     * @param partition its partition
     * @param offset    its offset
     */
    void addBacklog(int partition, long offset) {
        ensure(partition);
        if (from[partition] == NONE) {
            from[partition] = offset;
            to[partition] = offset;
            behindPartitions++;
        } else {
            from[partition] = Math.min(from[partition], offset);
            to[partition] = Math.max(to[partition], offset);
        }
    }

    /** @return partition to the first backlog offset, for every partition with a backlog */
    Map<Integer, Long> backlogStarts() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int p = 0; p < from.length; p++) {
            if (from[p] != NONE) {
                out.put(p, from[p]);
            }
        }
        return out;
    }

    /**
     * @param partition a partition
     * @return the first offset of its backlog, or -1 when it has none
     */
    long backlogFrom(int partition) {
        return partition < from.length ? from[partition] : NONE;
    }

    /**
     * @param partition a partition
     * @return the last offset of its backlog, or -1 when it has none
     */
    long backlogTo(int partition) {
        return partition < to.length ? to[partition] : NONE;
    }

    /**
     * The session has dealt with every backlog record of the partition below {@code next}: delivered it,
     * or found it is not for the session.
     *
     * @param partition the partition
     * @param next      the first offset still to deal with
     */
    void consumedUpTo(int partition, long next) {
        if (partition >= from.length || from[partition] == NONE || next <= from[partition]) {
            return;
        }
        if (next > to[partition]) {
            from[partition] = NONE;
            to[partition] = NONE;
            behindPartitions--;
        } else {
            from[partition] = next;
        }
    }

    /**
     * @param partition a partition
     * @return the highest offset routed to the session there, or -1
     */
    long routedTo(int partition) {
        return partition < routedTo.length ? routedTo[partition] : NONE;
    }

    /** @return one more than the highest partition the cursor knows */
    int partitions() {
        return routedTo.length;
    }

    /**
     * Restores a partition from a state record: records in {@code (watermark, routedTo]} become the backlog.
     *
     * @param partition the partition
     * @param watermark the settled watermark
     * @param routed    the highest offset routed to the session
     */
    void restore(int partition, long watermark, long routed) {
        ensure(partition);
        routedTo[partition] = Math.max(routedTo[partition], routed);
        if (watermark < routed) {
            addBacklog(partition, watermark + 1);
            addBacklog(partition, routed);
        }
    }
}
