package io.mqttsentinel.broker.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLog;

/**
 * Writes the broker's state to the message log, all under the one topic {@value StateRecords#TOPIC}:
 *
 * <ul>
 *   <li>a persistent session's record at once when it starts, subscribes or ends, and at every checkpoint
 *       when a message was routed to it or acknowledged since (one small record per changed session per
 *       interval, not one per message);</li>
 *   <li>after the records of a checkpoint are durable, a checkpoint record with the router's completed
 *       position: recovery reads the messages above it again, and only those;</li>
 *   <li>a snapshot (begin, chunks of session and retained states, end) at least every snapshot interval, and
 *       whenever the state partition grew by the configured number of records (and by twice the state's own
 *       size); the snapshot's consumer group ({@value #SNAPSHOT_GROUP}) is then committed at its begin
 *       record, so that a start reads the snapshot and what follows it, never the whole log.</li>
 * </ul>
 *
 * <p>Checkpoints and snapshots run on one scheduler thread, so their records never interleave.
 */
public final class SessionStateWriter implements AutoCloseable {
    /** The consumer group whose commit marks the newest complete snapshot. */
    public static final String SNAPSHOT_GROUP = "sentinel-broker-snapshot";
    private static final Logger LOG = LoggerFactory.getLogger(SessionStateWriter.class);
    private static final int CHUNK_BYTES = 256 << 10;
    private static final long WAIT_SECONDS = 30;

    private final MessageLog log;
    private final BrokerContext context;
    private final Clock clock;
    private final io.mqttsentinel.api.Ticker ticker;
    private final Router router;
    private final RetainedStore retained;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong stateTail = new AtomicLong(-1);
    private volatile Supplier<Collection<Session>> sessions = List::of;
    private volatile SessionRegistry registry;
    private final String nodeId;
    private final String writerId;
    // scheduler thread only
    private long lastSnapshotBegin = -1;
    private long lastSnapshotAtMillis;
    private boolean snapshotSoon;
    private volatile Map<Integer, Long> lastCheckpoint = Map.of();

    /**
     * @param log      the main message log
     * @param context  the broker's shared state
     * @param clock    the broker's clock
     * @param ticker   the broker's monotonic ticker (how long a snapshot took)
     * @param router   the router, whose completed position the checkpoints write
     * @param retained the retained messages, which snapshots hold
     */
    public SessionStateWriter(MessageLog log, BrokerContext context, Clock clock, io.mqttsentinel.api.Ticker ticker,
                              Router router, RetainedStore retained) {
        this.log = log;
        this.context = context;
        this.clock = clock;
        this.ticker = ticker;
        this.router = router;
        this.retained = retained;
        this.nodeId = context.config().nodeId();
        this.writerId = writerId(nodeId);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-broker-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param nodeId a node id, {@code ""} for a single broker
     * @return the client id under which that node appends its state records (how a node tells its own)
     */
    public static String writerId(String nodeId) {
        return nodeId.isEmpty() ? ReservedTopics.BROKER_CLIENT_ID : ReservedTopics.BROKER_CLIENT_ID + "/" + nodeId;
    }

    /** @return the client id of this node's state records */
    public String writerId() {
        return writerId;
    }

    /**
     * Starts the periodic checkpoint (and the snapshots it triggers).
     *
     * @param sessionRegistry   every session, for snapshots (with several nodes, also those other nodes own)
     * @param snapshotBegin     the offset of the newest snapshot's begin record in the state partition, or -1
     * @param snapshotRightAway whether recovery found no snapshot (or read a long tail), so that one is taken soon
     */
    public void start(SessionRegistry sessionRegistry, long snapshotBegin, boolean snapshotRightAway) {
        this.registry = sessionRegistry;
        this.sessions = sessionRegistry::all;
        this.lastSnapshotBegin = snapshotBegin;
        this.lastSnapshotAtMillis = clock.millis();
        this.snapshotSoon = snapshotRightAway;
        long ms = context.config().checkpointInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tickSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * @param session a persistent session
     * @return completes when its current subscriptions and progress are durable
     */
    public CompletionStage<LogPosition> write(Session session) {
        // reading the state and calling append under one lock per session makes the sequence order of a
        // session's records the order of its states
        synchronized (session.recordLock()) {
            if (session.discarded()) {
                return CompletableFuture.completedFuture(null);
            }
            long seq = context.nextStateSeq();
            session.advanceSeq(seq);
            return append(StateRecords.session(nodeId, session.ownerEpoch(), session.clientId(), seq,
                    session.subscriptions(), session.progress()));
        }
    }

    /**
     * Several nodes: the record by which this node takes a client id over, under the session's new owner
     * epoch. It carries the former owner's subscriptions and progress (so that nothing is lost if this node
     * dies before it writes its own), or ends the session for a clean CONNECT.
     *
     * @param session the new local session, its owner epoch set
     * @param former  the former owner's newest record of a live persistent session, or {@code null}
     * @return completes when the claim is durable
     */
    public CompletionStage<LogPosition> writeClaim(Session session, StateRecords.SessionState former) {
        synchronized (session.recordLock()) {
            long seq = context.nextStateSeq();
            session.advanceSeq(seq);
            if (!session.persistent()) {
                return append(StateRecords.deleted(nodeId, session.ownerEpoch(), session.clientId(), seq));
            }
            return append(former == null
                    ? StateRecords.session(nodeId, session.ownerEpoch(), session.clientId(), seq, session.subscriptions(),
                            session.progress())
                    : StateRecords.session(nodeId, session.ownerEpoch(), session.clientId(), seq, former.subscriptions(),
                            former.progress()));
        }
    }

    /**
     * @param session a persistent session, already {@linkplain Session#discard() discarded}
     * @return completes when the end of the session is durable
     */
    public CompletionStage<LogPosition> writeDeleted(Session session) {
        synchronized (session.recordLock()) {
            long seq = context.nextStateSeq();
            session.advanceSeq(seq);
            return append(StateRecords.deleted(nodeId, session.ownerEpoch(), session.clientId(), seq));
        }
    }

    /**
     * Appends a topic's retained state and makes it the store's value. The caller holds the topic's
     * {@linkplain RetainedStore#lock(String) lock}.
     *
     * @param message the retained message (empty payload clears the topic)
     * @return completes when the record is durable; when it fails the store's value is restored
     */
    public CompletableFuture<LogPosition> writeRetained(BrokerMessage message) {
        long seq = context.nextStateSeq();
        CompletableFuture<LogPosition> written = append(StateRecords.retained(message.topic(), seq, message.qos(),
                message.payload())).toCompletableFuture();
        RetainedStore.Entry previous = retained.put(message, seq);
        written.whenComplete((pos, err) -> {
            if (err != null) {
                retained.revert(message.topic(), seq, previous);
            }
        });
        return written;
    }

    /**
     * @param payload a state record's payload
     * @return completes with its position when durable
     */
    CompletionStage<LogPosition> append(byte[] payload) {
        CompletionStage<LogPosition> stage;
        try {
            stage = log.append(new LogEntry(StateRecords.TOPIC, payload, 1, writerId, clock.millis()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((pos, err) -> {
            if (pos != null) {
                stateTail.accumulateAndGet(pos.offset(), Math::max);
            }
        });
    }

    private void tickSafely() {
        try {
            checkpoint().get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (snapshotDue()) {
                snapshot();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("state checkpoint failed; will retry", e);
        }
    }

    /**
     * Writes the records of the sessions marked dirty, then, once they are all durable, the router's
     * completed position as it was before they were read.
     *
     * @return completes when done (exceptionally when a record could not be written; those sessions stay dirty)
     */
    public CompletableFuture<Void> checkpoint() {
        Map<Integer, Long> completed = router.completed();
        List<CompletableFuture<LogPosition>> writes = new ArrayList<>();
        for (Iterator<Session> it = context.dirty().iterator(); it.hasNext(); ) {
            Session s = it.next();
            it.remove();
            if (s.discarded()) {
                continue;
            }
            CompletableFuture<LogPosition> f = write(s).toCompletableFuture();
            f.whenComplete((pos, err) -> {
                if (err != null) {
                    context.markDirty(s); // retried at the next checkpoint
                }
            });
            writes.add(f);
        }
        if (writes.isEmpty() && completed.equals(lastCheckpoint)) {
            return CompletableFuture.completedFuture(null); // nothing moved: no record
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
                .thenCompose(ok -> completed.isEmpty() ? CompletableFuture.completedFuture(null)
                        : append(StateRecords.checkpoint(nodeId, completed)).toCompletableFuture())
                .thenApply(pos -> {
                    lastCheckpoint = completed;
                    return null;
                });
    }

    private boolean snapshotDue() {
        if (snapshotSoon) {
            return true;
        }
        if (clock.millis() - lastSnapshotAtMillis >= context.config().snapshotInterval().toMillis()) {
            return true;
        }
        long grown = stateTail.get() - lastSnapshotBegin;
        long size = sessions.get().size() + (long) retained.size();
        return grown >= context.config().snapshotRecords() && grown >= 2 * size;
    }

    /**
     * Writes a snapshot of every persistent session and retained message, then commits the snapshot group
     * at its begin record.
     *
     * @throws InterruptedException when interrupted while waiting for the log
     * @throws ExecutionException   when a record could not be written (the previous snapshot stays the newest)
     * @throws TimeoutException     when the log does not complete in time
     */
    void snapshot() throws InterruptedException, ExecutionException, TimeoutException {
        long started = ticker.nanoTime();
        long id = context.nextStateSeq();
        Map<Integer, Long> completed = router.completed();
        byte[] beginPayload = StateRecords.begin(id);
        LogPosition begin = append(beginPayload).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        Chunks chunks = new Chunks(id);
        int sessionCount = 0;
        for (Session s : sessions.get()) {
            if (!s.persistent()) {
                continue;
            }
            byte[] entry;
            synchronized (s.recordLock()) {
                if (s.discarded()) {
                    continue;
                }
                long seq = context.nextStateSeq();
                s.advanceSeq(seq);
                entry = StateRecords.session(nodeId, s.ownerEpoch(), s.clientId(), seq, s.subscriptions(), s.progress());
            }
            sessionCount++;
            chunks.add(entry);
        }
        SessionRegistry reg = registry;
        Map<String, Map<Integer, Long>> nodes = new java.util.HashMap<>();
        if (reg != null) {
            for (StateRecords.SessionState other : reg.remoteSessions()) {
                // a copy of the owner's newest record, under its owner's epoch and sequence
                chunks.add(other.deleted()
                        ? StateRecords.deleted(other.owner(), other.ownerEpoch(), other.clientId(), other.seq())
                        : StateRecords.session(other.owner(), other.ownerEpoch(), other.clientId(), other.seq(),
                                other.subscriptions(), other.progress()));
            }
            nodes.putAll(reg.nodeCheckpoints());
        }
        nodes.put(nodeId, completed);
        int retainedCount = 0;
        for (RetainedStore.Entry e : retained.all()) {
            BrokerMessage m = e.message();
            retainedCount++;
            chunks.add(StateRecords.retained(m.topic(), e.seq(), m.qos(), m.payload()));
        }
        List<CompletableFuture<LogPosition>> writes = chunks.finish();
        writes.add(append(StateRecords.end(id, sessionCount, retainedCount, completed, nodes)).toCompletableFuture());
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
        try (LogReader marker = log.openReader(SNAPSHOT_GROUP)) {
            marker.commit(new LogRecord(begin, new LogEntry(StateRecords.TOPIC, beginPayload, 1, writerId, 0)))
                    .toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        lastSnapshotBegin = begin.offset();
        lastSnapshotAtMillis = clock.millis();
        snapshotSoon = false;
        LOG.info("state snapshot {} written: {} sessions, {} retained messages, {} ms", id, sessionCount, retainedCount,
                TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - started));
    }

    /** Packs snapshot entries into chunk records of about {@value #CHUNK_BYTES} bytes, appended as they fill. */
    private final class Chunks {
        private final long snapshotId;
        private final List<CompletableFuture<LogPosition>> writes = new ArrayList<>();
        private List<byte[]> chunk = new ArrayList<>();
        private int bytes;

        Chunks(long snapshotId) {
            this.snapshotId = snapshotId;
        }

        void add(byte[] entry) {
            chunk.add(entry);
            bytes += entry.length;
            if (bytes >= CHUNK_BYTES) {
                flush();
            }
        }

        private void flush() {
            writes.add(append(StateRecords.chunk(snapshotId, chunk)).toCompletableFuture());
            chunk = new ArrayList<>();
            bytes = 0;
        }

        /** @return the appends of every chunk, the last (partial) one included */
        List<CompletableFuture<LogPosition>> finish() {
            if (!chunk.isEmpty()) {
                flush();
            }
            return writes;
        }
    }

    /** Stops the schedule and writes the last checkpoint, waiting up to five seconds for it. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            checkpoint().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("last session checkpoint did not complete", e);
        }
    }
}
