package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;

/**
 * Rebuilds the broker's state from the message log at start, before it accepts connections, in two
 * bounded reads, never the whole log:
 *
 * <ol>
 *   <li><b>State.</b> Every state record is under {@value StateRecords#TOPIC}, so in one partition. Recovery
 *       appends a marker there (its position names the partition and the end of what must be read), then
 *       reads that partition from the newest complete snapshot (the position of the
 *       {@value SessionStateWriter#SNAPSHOT_GROUP} group) to the marker: snapshot chunks, session records,
 *       retained records, checkpoints. Per key the record with the highest sequence wins.</li>
 *   <li><b>Messages since the last checkpoint.</b> The last checkpoint (or snapshot end) gives the router's
 *       completed position: every message at or below it was routed, and the sessions it reached had their
 *       records written before it. Only the messages above it, up to the end of the log, are read again and
 *       routed to the restored (offline) sessions, which note them as backlog: no message is held in memory.</li>
 * </ol>
 *
 * <p>So a start costs the size of the state (sessions and retained messages) plus what was written since the
 * last snapshot and checkpoint, whatever the retained log's length. A log with no snapshot yet (a first
 * start) is read from its earliest record, once; the checkpoint writer then takes a snapshot at once.
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final int BATCH = 4096;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long STALL_SECONDS = 60;

    private final SessionRegistry registry;
    private final RetainedStore retained;
    private final Router router;
    private final BrokerContext context;
    private final String nodeId;
    private final Ticker ticker;

    /**
     * What recovery found.
     *
     * @param stateRecords   state-partition records read
     * @param messages       message records read again after the last checkpoint
     * @param snapshotBegin  the offset of the newest snapshot's begin record, or -1 when there was none
     * @param snapshotWanted whether the checkpoint writer should take a snapshot at once
     * @param end            partition to the end of the log recovery read to (where live routing starts)
     */
    public record Result(long stateRecords, long messages, long snapshotBegin, boolean snapshotWanted,
                         Map<Integer, Long> end) {
    }

    /**
     * @param registry the sessions to restore into
     * @param retained the retained store to restore into
     * @param router   routes the messages after the last checkpoint to restored sessions
     * @param context  the broker's shared state (the state sequence continues after the highest read)
     * @param ticker   measures the replay and a stall
     */
    public Recovery(SessionRegistry registry, RetainedStore retained, Router router, BrokerContext context, Ticker ticker) {
        this.ticker = ticker;
        this.registry = registry;
        this.retained = retained;
        this.router = router;
        this.context = context;
        this.nodeId = context.config().nodeId();
    }

    /**
     * @param log    the main log
     * @param writer appends the marker
     * @return what was read
     * @throws InterruptedException  when interrupted while reading
     * @throws IllegalStateException when the marker cannot be stored, or reading makes no progress for
     *                               {@value #STALL_SECONDS} seconds
     */
    public Result replay(MessageLog log, SessionStateWriter writer) throws InterruptedException {
        long started = ticker.nanoTime();
        LogPosition marker;
        try {
            marker = writer.append(StateRecords.marker()).toCompletableFuture().get(STALL_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the message log did not store recovery's marker: " + e, e);
        }
        int statePartition = marker.partition();
        long stateRecords;
        long messages;
        long snapshotBegin;
        boolean snapshotFound;
        Map<Integer, Long> end;
        try (LogReader reader = log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
            end = reader.endOffsets();
            long start = reader.positions().getOrDefault(statePartition, 0L);
            snapshotBegin = start - 1;
            StateReplay state = new StateReplay();
            stateRecords = readPartition(reader, statePartition, start, marker.offset() + 1, state);
            snapshotFound = state.snapshotFound;
            if (!snapshotFound) {
                snapshotBegin = -1;
            }
            messages = routeAfter(reader, state.completed, end);
        }
        retained.recovered();
        registry.recovered();
        long ms = TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - started);
        LOG.info("recovered in {} ms: {} state records ({}), {} messages after the last checkpoint; {} sessions "
                        + "({} behind), {} retained messages", ms, stateRecords,
                snapshotFound ? "from a snapshot" : "no snapshot yet", messages, registry.size(),
                context.sessionsBehind(), retained.size());
        // a long tail after the newest snapshot would be read again by the next start: take a snapshot soon
        boolean wanted = !snapshotFound || stateRecords + messages >= context.config().snapshotRecords();
        return new Result(stateRecords, messages, snapshotBegin, wanted, end);
    }

    /** What the state partition said; applied as it is read. */
    private final class StateReplay {
        Map<Integer, Long> completed; // null until a checkpoint or snapshot end was read
        boolean snapshotFound;

        void apply(LogRecord r) {
            if (!StateRecords.TOPIC.equals(r.topic())) {
                return; // a message that shares the state's partition
            }
            StateRecords.Decoded d = StateRecords.read(r).orElse(null);
            if (d == null) {
                return;
            }
            if (d instanceof StateRecords.SnapshotChunk chunk) {
                context.sawStateSeq(chunk.snapshotId());
                chunk.entries().forEach(this::applyEntry);
            } else if (d instanceof StateRecords.SnapshotEnd snapshotEnd) {
                context.sawStateSeq(snapshotEnd.snapshotId());
                snapshotFound = true;
                if (snapshotEnd.nodes().isEmpty()) {
                    completed = snapshotEnd.positions();
                }
                snapshotEnd.nodes().forEach(this::checkpointOf);
            } else if (d instanceof StateRecords.Checkpoint checkpoint) {
                checkpointOf(checkpoint.node(), checkpoint.positions());
            } else if (d instanceof StateRecords.SnapshotBegin begin) {
                context.sawStateSeq(begin.snapshotId());
            } else {
                applyEntry(d);
            }
        }

        private void checkpointOf(String node, Map<Integer, Long> positions) {
            if (node.equals(nodeId)) {
                completed = positions; // this node's router had routed everything up to here
            } else {
                registry.nodeCheckpoint(node, positions);
            }
        }

        private void applyEntry(StateRecords.Decoded d) {
            if (d instanceof StateRecords.SessionState s) {
                context.sawStateSeq(s.seq());
                if (s.owner().equals(nodeId)) {
                    registry.restore(s);
                } else {
                    registry.applyRemote(s); // another node owns it (or took it over from this one)
                }
            } else if (d instanceof StateRecords.RetainedState rs) {
                context.sawStateSeq(rs.seq());
                retained.recover(rs);
            }
        }
    }

    /** Reads one partition from {@code from} up to (excluding) {@code until}. */
    private long readPartition(LogReader reader, int partition, long from, long until, StateReplay state)
            throws InterruptedException {
        if (from >= until) {
            return 0;
        }
        reader.assign(Map.of(partition, from));
        long count = 0;
        long next = from;
        long lastProgress = ticker.nanoTime();
        while (next < until) {
            List<LogRecord> batch;
            try {
                batch = reader.poll(BATCH, POLL);
            } catch (LogTruncatedException e) {
                LOG.error("the newest snapshot of the broker's state was deleted by retention (at {}, earliest {}): "
                        + "state is rebuilt from what the log still holds; keep SENTINEL_BROKER_SNAPSHOT_MS well "
                        + "below the retention", e.requested(), e.earliest());
                next = e.earliest().offset();
                reader.assign(Map.of(partition, next));
                continue;
            }
            if (batch.isEmpty()) {
                stalled(lastProgress, count, partition);
                continue;
            }
            lastProgress = ticker.nanoTime();
            for (LogRecord r : batch) {
                if (r.offset() >= until) {
                    return count;
                }
                state.apply(r);
                next = r.offset() + 1;
                count++;
            }
        }
        return count;
    }

    /** Routes every message above the completed position, up to the end of the log, to the restored sessions. */
    private long routeAfter(LogReader reader, Map<Integer, Long> completed, Map<Integer, Long> end)
            throws InterruptedException {
        Map<Integer, Long> next = new HashMap<>();
        for (Map.Entry<Integer, Long> e : end.entrySet()) {
            int p = e.getKey();
            long from = completed == null || !completed.containsKey(p) ? 0 : completed.get(p) + 1;
            if (from < e.getValue()) {
                next.put(p, from);
            }
            if (e.getValue() > 0) {
                router.completedUpTo(p, e.getValue() - 1);
            }
        }
        long count = 0;
        long lastProgress = ticker.nanoTime();
        reader.assign(next);
        while (!next.isEmpty()) {
            List<LogRecord> batch;
            try {
                batch = reader.poll(BATCH, POLL);
            } catch (LogTruncatedException e) {
                next.put(e.requested().partition(), e.earliest().offset()); // older messages are gone: nothing to route
                reader.assign(next);
                continue;
            }
            if (batch.isEmpty()) {
                stalled(lastProgress, count, -1);
                continue;
            }
            lastProgress = ticker.nanoTime();
            boolean reassign = false;
            for (LogRecord r : batch) {
                int p = r.position().partition();
                Long want = next.get(p);
                if (want == null || r.offset() < want) {
                    continue;
                }
                if (!ReservedTopics.isReserved(r.topic())) {
                    router.route(new BrokerMessage(r.topic(), r.payload(), r.entry().qos(), r.position(), 0));
                    count++;
                }
                if (r.offset() + 1 >= end.get(p)) {
                    next.remove(p);
                    reassign = true;
                } else {
                    next.put(p, r.offset() + 1);
                }
            }
            if (reassign) {
                reader.assign(next); // stop fetching partitions that are done (their tail is routed live)
            }
        }
        return count;
    }

    private void stalled(long lastProgress, long count, int partition) {
        if (ticker.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
            throw new IllegalStateException("recovery read " + count + " records" + (partition >= 0 ? " of partition "
                    + partition : "") + " and then nothing for " + STALL_SECONDS + " s before reaching the end of the log");
        }
    }
}
