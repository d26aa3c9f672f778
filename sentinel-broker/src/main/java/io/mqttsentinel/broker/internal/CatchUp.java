package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;

/**
 * The workers that let sessions which fell behind read their backlog back from the log. A session asks for
 * a worker ({@link #request}) when it is online, behind and its queue has room; a worker assigns its reader
 * to the session's backlog partitions and offers what it reads to the session until the queue is full, the
 * backlog is empty or its time slice ends, then moves on to the next session. A session still behind with
 * room goes back to the end of the line, so many sessions catching up share the workers fairly.
 *
 * <p>Each worker owns one {@link LogReader} (of group {@value #GROUP}, never committed) for its lifetime:
 * with Kafka a reader is a consumer, too costly to open per session.
 */
public final class CatchUp implements AutoCloseable {
    /** The consumer group of the catch-up readers; never committed. */
    public static final String GROUP = "sentinel-broker-catchup";
    private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);
    private static final int BATCH = 512;
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Duration POLL = Duration.ofMillis(100);

    private final MessageLog log;
    private final LinkedBlockingQueue<Session> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;
    private final Ticker ticker;

    /**
     * @param log     the main log
     * @param threads how many sessions catch up at once
     * @param ticker  measures each session's time slice
     */
    public CatchUp(MessageLog log, int threads, Ticker ticker) {
        this.log = log;
        this.ticker = ticker;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "sentinel-broker-catchup-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
    }

    /** Starts the workers. */
    public void start() {
        workers.forEach(Thread::start);
    }

    /** @param session a session that is behind, online and has room; it is queued once until {@link Session#catchUpDone()} */
    public void request(Session session) {
        waiting.add(session);
    }

    /** @return sessions waiting for a worker */
    public int waiting() {
        return waiting.size();
    }

    private void work() {
        LogReader reader = null;
        try {
            while (!closed) {
                Session s;
                try {
                    s = waiting.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (s == null) {
                    continue;
                }
                try {
                    if (reader == null) {
                        reader = log.openReader(GROUP);
                    }
                    serve(reader, s);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.warn("catch-up of session {} failed; it is tried again", s.clientId(), e);
                    }
                    closeQuietly(reader);
                    reader = null; // a fresh reader next time
                    pause();
                } finally {
                    if (!closed) {
                        s.catchUpDone();
                    }
                }
            }
        } finally {
            closeQuietly(reader);
        }
    }

    private void serve(LogReader reader, Session s) throws InterruptedException {
        long deadline = ticker.nanoTime() + SLICE_NANOS;
        while (!closed && ticker.nanoTime() - deadline < 0) {
            Session.Plan plan = s.planCatchUp();
            if (plan == null) {
                return;
            }
            reader.assign(plan.starts());
            Session.Offered offered = Session.Offered.MORE;
            while (offered == Session.Offered.MORE && ticker.nanoTime() - deadline < 0 && !closed) {
                List<LogRecord> records;
                try {
                    records = reader.poll(BATCH, POLL);
                } catch (LogTruncatedException e) {
                    s.truncated(plan.epoch(), e.requested(), e.earliest());
                    break; // plan again: the backlog now starts at the earliest record still held
                }
                if (records.isEmpty()) {
                    return; // nothing readable yet (a Kafka fetch in flight); the session queues again
                }
                offered = s.offer(plan, records);
            }
            if (offered == Session.Offered.REPLAN) {
                continue; // the backlog grew behind the reader or in another partition: assign it again
            }
            if (offered != Session.Offered.MORE) {
                return; // live again, or the queue is full, or the session went offline
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(100); // a failing log: do not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(LogReader reader) {
        if (reader != null) {
            try {
                reader.close();
            } catch (RuntimeException ignored) {
                // closing a broken reader
            }
        }
    }

    /** Stops the workers and closes their readers, waiting up to five seconds. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
