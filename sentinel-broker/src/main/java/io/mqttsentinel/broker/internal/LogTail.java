package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;

/**
 * With several broker nodes on one log, each node routes from the log itself: one reader follows the end of
 * every partition and hands each message to the router, in offset order per partition, whichever node
 * appended it; and hands the state records other nodes wrote (session ownership, subscriptions, retained
 * messages, checkpoints) to the node's state. A node that takes a session over waits until its tail has
 * passed its claim ({@link #awaitPast}), so that it has applied every record the former owner wrote before.
 *
 * <p>One thread ({@code sentinel-broker-tail}); its reader's group ({@code sentinel-broker-tail-<node>}) is
 * never committed: where to start comes from recovery.
 */
public final class LogTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogTail.class);
    private static final int BATCH = 2048;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final long END_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MessageLog log;
    private final String group;
    private final Router router;
    private final Consumer<LogRecord> stateRecords;
    private final ConcurrentHashMap<Integer, Long> next = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new ArrayList<>(); // guarded by itself
    private final Thread thread;
    private final Ticker ticker;
    private volatile boolean closed;
    private volatile boolean failed;
    /** When the tail last learnt the log's end, or 0 before it first did. */
    private volatile long endSeenAt;
    /** Records in the log the tail has not read yet, as of {@link #endSeenAt}. */
    private volatile long lag = -1;
    private long endCheckedAt;
    /** Checks of the log's end that failed (the log did not answer). */
    private volatile long failedEndChecks;

    private record Waiter(LogPosition position, CompletableFuture<Object> done,
                          java.util.function.Function<Map<Integer, Long>, ?> action) {
    }

    /**
     * @param log          the shared log
     * @param nodeId       this node's id
     * @param router       routes every message
     * @param stateRecords receives every record of {@value StateRecords#TOPIC}
     * @param start        partition to the first offset to read (the end recovery reached)
     */
    public LogTail(MessageLog log, String nodeId, Router router, Consumer<LogRecord> stateRecords, Map<Integer, Long> start) {
        this(log, nodeId, router, stateRecords, start, Ticker.system());
    }

    /**
     * @param log          the shared log
     * @param nodeId       this node's id
     * @param router       routes every message
     * @param stateRecords receives every record of {@value StateRecords#TOPIC}
     * @param start        partition to the first offset to read (the end recovery reached)
     * @param ticker       the monotonic clock of {@link #isHealthy} and of the routed messages' arrival
     */
    public LogTail(MessageLog log, String nodeId, Router router, Consumer<LogRecord> stateRecords, Map<Integer, Long> start,
                   Ticker ticker) {
        this.ticker = ticker;
        this.log = log;
        this.group = "sentinel-broker-tail-" + nodeId;
        this.router = router;
        this.stateRecords = stateRecords;
        this.next.putAll(start);
        this.thread = new Thread(this::run, "sentinel-broker-tail");
        this.thread.setDaemon(true);
    }

    /** Starts following the log. */
    public void start() {
        thread.start();
    }

    /** @return partition to the next offset the tail reads: everything below it was routed */
    public Map<Integer, Long> positions() {
        return new HashMap<>(next);
    }

    /**
     * @param position a record this node appended
     * @return completes, with the tail's positions at that moment, once the tail has read past it
     */
    public CompletableFuture<Map<Integer, Long>> awaitPast(LogPosition position) {
        CompletableFuture<Map<Integer, Long>> done = new CompletableFuture<>();
        synchronized (waiters) {
            if (next.getOrDefault(position.partition(), 0L) > position.offset()) {
                done.complete(positions());
                return done;
            }
        }
        return whenPast(position, at -> at);
    }

    /**
     * Runs {@code action} on the tail's own thread, between two batches, once the tail has read past
     * {@code position}: the positions it receives are exactly where routing stands, and nothing is routed while it
     * runs. A session that this node adopts subscribes this way, so that every record is either below the
     * positions (its backlog) or routed to it live; adopting on another thread would let the tail route records
     * in between to no one.
     *
     * @param position a record this node appended
     * @param action   quick and non-blocking (it must not wait for the log)
     * @param <T>      its result
     * @return completes with the action's result (on another thread), or exceptionally when the action threw
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> whenPast(LogPosition position, java.util.function.Function<Map<Integer, Long>, T> action) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.add(new Waiter(position, done, action));
        }
        return (CompletableFuture<T>) (CompletableFuture<?>) done;
    }

    private void run() {
        LogReader reader = null;
        try {
            reader = log.openReader(group);
            reader.assign(new HashMap<>(next));
            while (!closed) {
                List<LogRecord> batch;
                try {
                    batch = reader.poll(BATCH, POLL);
                } catch (LogTruncatedException e) {
                    LOG.error("the tail fell behind retention at {}; it continues at {}", e.requested(), e.earliest());
                    next.put(e.requested().partition(), e.earliest().offset());
                    reader.assign(new HashMap<>(next));
                    continue;
                }
                for (LogRecord r : batch) {
                    String topic = r.topic();
                    if (StateRecords.TOPIC.equals(topic)) {
                        stateRecords.accept(r);
                    } else if (!ReservedTopics.isReserved(topic)) {
                        long now = ticker.nanoTime();
                        router.route(new BrokerMessage(topic, r.payload(), r.entry().qos(), r.position(), now == 0 ? 1 : now));
                    }
                    next.put(r.position().partition(), r.offset() + 1);
                }
                release(); // also when idle: a waiter may have come for a record read before
                checkEnd(reader);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!closed) {
                failed = true;
                LOG.error("the log tail stopped: this node no longer routes", e);
            }
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
    }

    /** Once a second: how far the log's end is ahead of what the tail read (a log that does not answer: unknown). */
    private void checkEnd(LogReader reader) {
        long now = ticker.nanoTime();
        if (endSeenAt != 0 && now - endCheckedAt < END_CHECK_NANOS) {
            return;
        }
        endCheckedAt = now;
        try {
            long behind = 0;
            for (Map.Entry<Integer, Long> e : reader.endOffsets().entrySet()) {
                behind += Math.max(0, e.getValue() - next.getOrDefault(e.getKey(), 0L));
            }
            lag = behind;
            endSeenAt = now == 0 ? 1 : now;
        } catch (RuntimeException e) {
            failedEndChecks++;
            LOG.debug("the log's end is unknown: {}", e.toString());
        }
    }

    /**
     * A member of the cluster follows the shared log: its tail runs and has learnt the log's end within
     * {@code maxSilence} (a node cut off from Kafka stops being ready, so that proxies send devices elsewhere).
     *
     * @param maxSilence how long ago the log's end may have been learnt at most
     * @return whether the tail runs and recently reached the log
     */
    public boolean isHealthy(Duration maxSilence) {
        long seen = endSeenAt;
        return !closed && !failed && thread.isAlive() && seen != 0 && ticker.nanoTime() - seen <= maxSilence.toNanos();
    }

    /** @return checks of the log's end that failed because the log did not answer */
    long failedEndChecks() {
        return failedEndChecks;
    }

    /** @return records in the log the tail has not read yet, as of the last check; -1 before the first */
    public long lag() {
        return lag;
    }

    private void release() {
        List<Waiter> ready = new ArrayList<>();
        synchronized (waiters) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (next.getOrDefault(w.position.partition(), 0L) > w.position.offset()) {
                    it.remove();
                    ready.add(w);
                }
            }
        }
        // completed off this thread and outside the lock: what follows a claim appends to the log, and an
        // append may wait for the log's own I/O thread, which may be waiting to register here
        for (Waiter w : ready) {
            Object result;
            try {
                result = w.action.apply(positions()); // on this thread: no record is routed meanwhile
            } catch (RuntimeException e) {
                java.util.concurrent.ForkJoinPool.commonPool().execute(() -> w.done.completeExceptionally(e));
                continue;
            }
            java.util.concurrent.ForkJoinPool.commonPool().execute(() -> w.done.complete(result));
        }
    }

    /** Stops the tail. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (waiters) {
            for (Waiter w : waiters) {
                w.done.completeExceptionally(new IllegalStateException("broker closing"));
            }
            waiters.clear();
        }
    }
}
