package io.mqttsentinel.broker.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.MessageLog;

/**
 * Writes the state of persistent sessions to the message log as {@code $sentinel/session/{client_id}}
 * records: at once when a session starts, subscribes or ends, and every checkpoint interval for the
 * sessions whose delivery progress moved (one small record per changed session, not one per
 * acknowledgement). Recovery replays these records; see {@link Recovery}.
 */
public final class SessionStateWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStateWriter.class);

    private final MessageLog log;
    private final BrokerContext context;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

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

    /** Starts the periodic checkpoint. */
    public void start() {
        long ms = context.config().checkpointInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkpointSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * @param session a persistent session
     * @return completes when its current subscriptions and progress are durable
     */
    public CompletionStage<LogPosition> write(Session session) {
        byte[] payload = SessionRecords.encode(session.subscriptions(), session.watermarks());
        return append(session.clientId(), payload);
    }

    /**
     * @param clientId a persistent session's client id
     * @return completes when the end of the session is durable
     */
    public CompletionStage<LogPosition> writeDeleted(String clientId) {
        return append(clientId, SessionRecords.deleted());
    }

    private CompletionStage<LogPosition> append(String clientId, byte[] payload) {
        try {
            return log.append(new LogEntry(ReservedTopics.SESSION + clientId, payload, 1, clientId, clock.millis()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void checkpointSafely() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("session checkpoint failed; will retry", e);
        }
    }

    /** @return completes when the state of every session dirty at the call is written (or failed) */
    public CompletableFuture<Void> checkpoint() {
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
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
                .exceptionally(err -> null);
    }

    /** Stops the schedule and writes the last checkpoint, waiting up to five seconds for it. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            checkpoint().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("last session checkpoint did not complete", e);
        }
    }
}
