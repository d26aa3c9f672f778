package io.mqttsentinel.broker.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.MessageLog;

/**
 * Writes the state of persistent sessions to the message log as {@code $sentinel/session/{client_id}}
 * records: at once when a session starts, subscribes or ends, every checkpoint interval for the
 * sessions whose delivery progress moved (one small record per changed session, not one per
 * acknowledgement), and every {@link #REFRESH_INTERVAL} for all of them, so that an idle session's
 * record never ages out of the log. Recovery replays these records; see {@link Recovery}.
 */
public final class SessionStateWriter implements AutoCloseable {
    /**
     * How often every persistent session's record is written again, idle or not, so that the log always
     * holds a copy younger than its retention (72 h by default; the refresh must be shorter).
     */
    public static final Duration REFRESH_INTERVAL = Duration.ofHours(24);
    private static final int MAX_RECORDS_PER_CHECKPOINT = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(SessionStateWriter.class);

    private final MessageLog log;
    private final BrokerContext context;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile Supplier<Collection<Session>> sessions = List::of;
    private volatile RetainedStore retained;

    /**
     * @param log     the main message log
     * @param context the broker's shared state
     * @param clock   the broker's clock
     */
    public SessionStateWriter(MessageLog log, BrokerContext context, Clock clock) {
        this.log = log;
        this.context = context;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-broker-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the periodic checkpoint, and the daily rewrite of every persistent session's record and of
     * the retained records about to age out.
     *
     * @param allSessions   the sessions to rewrite daily
     * @param retainedStore the retained messages to refresh daily
     */
    public void start(Supplier<Collection<Session>> allSessions, RetainedStore retainedStore) {
        this.sessions = allSessions;
        this.retained = retainedStore;
        long ms = context.config().checkpointInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkpointSafely, ms, ms, TimeUnit.MILLISECONDS);
        long refresh = REFRESH_INTERVAL.toMillis();
        scheduler.scheduleWithFixedDelay(this::refreshSafely, refresh, refresh, TimeUnit.MILLISECONDS);
    }

    /**
     * @param session a persistent session
     * @return completes when its current subscriptions and progress are durable
     */
    public CompletionStage<LogPosition> write(Session session) {
        // reading the state and calling append under one lock per session makes the log order of a
        // session's records the order of its states: a checkpoint racing a SUBSCRIBE cannot land last
        // with the older state, nor after the record that ended the session
        synchronized (session.recordLock()) {
            if (session.discarded()) {
                return CompletableFuture.completedFuture(null);
            }
            byte[] payload = SessionRecords.encode(session.subscriptions(), session.watermarks());
            return append(session.clientId(), payload);
        }
    }

    /**
     * @param session a persistent session, already {@linkplain Session#discard() discarded}
     * @return completes when the end of the session is durable
     */
    public CompletionStage<LogPosition> writeDeleted(Session session) {
        synchronized (session.recordLock()) {
            return append(session.clientId(), SessionRecords.deleted());
        }
    }

    /**
     * Marks every persistent session dirty and writes again every retained record older than
     * {@link #REFRESH_INTERVAL}, so that neither is removed by retention while it is still current.
     *
     * @return completes when the retained records are written (or failed: they are tried again next time)
     */
    CompletableFuture<Void> refreshAll() {
        for (Session s : sessions.get()) {
            if (s.persistent()) {
                context.markDirty(s);
            }
        }
        RetainedStore store = retained;
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> writes = new ArrayList<>();
        long now = clock.millis();
        for (RetainedStore.Entry e : store.writtenBefore(now - REFRESH_INTERVAL.toMillis())) {
            String topic = e.message().topic();
            synchronized (store.lock(topic)) {
                if (store.writePending(topic) || store.get(topic) != e) {
                    continue; // a newer value is being written or was written
                }
                BrokerMessage m = e.message();
                CompletionStage<LogPosition> written;
                try {
                    written = log.append(new LogEntry(ReservedTopics.RETAINED + topic, m.payload(), m.qos(),
                            ReservedTopics.BROKER_CLIENT_ID, now));
                } catch (RuntimeException ex) {
                    LOG.warn("retained record of {} could not be refreshed; next time", topic, ex);
                    continue;
                }
                writes.add(written.toCompletableFuture().whenComplete((pos, err) -> {
                    if (err == null) {
                        store.refreshed(e, now);
                    }
                }));
            }
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).exceptionally(err -> null);
    }

    private CompletionStage<LogPosition> append(String clientId, byte[] payload) {
        try {
            return log.append(new LogEntry(ReservedTopics.SESSION + clientId, payload, 1, clientId, clock.millis()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void refreshSafely() {
        try {
            refreshAll();
        } catch (RuntimeException e) {
            LOG.warn("daily state refresh failed; will retry", e);
        }
    }

    private void checkpointSafely() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("session checkpoint failed; will retry", e);
        }
    }

    /**
     * Writes the records of the sessions marked dirty, at most 10,000 per call.
     *
     * @return completes when those records are written (or failed; failed ones stay dirty)
     */
    public CompletableFuture<Void> checkpoint() {
        List<CompletableFuture<LogPosition>> writes = new ArrayList<>();
        int budget = MAX_RECORDS_PER_CHECKPOINT; // the rest waits for the next run: no burst of a million appends
        for (Iterator<Session> it = context.dirty().iterator(); it.hasNext() && budget-- > 0; ) {
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
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
                .exceptionally(err -> null);
    }

    /** Stops the schedule and writes the last checkpoint, waiting up to five seconds for it. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            int rounds = context.dirty().size() / MAX_RECORDS_PER_CHECKPOINT + 1; // failed writes are not retried here
            for (int r = 0; r < rounds && !context.dirty().isEmpty() && System.nanoTime() < deadline; r++) {
                checkpoint().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("last session checkpoint did not complete", e);
        }
    }
}
