package io.mqttsentinel.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;

/**
 * What the event sinks share: {@link #accept} puts the event into a bounded queue and never blocks (a full
 * queue drops and counts it); a thread of the sink's own drains the queue in batches and hands them to
 * {@link #handle}; closing lets the thread finish what is queued.
 */
abstract class QueuedEventSink implements SecurityEventSink, AutoCloseable {
    private static final int BATCH = 256;

    private final BlockingQueue<SecurityEvent> queue;
    private final Thread worker;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private volatile boolean closing;

    QueuedEventSink(int queueCapacity, String threadName) {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.worker = new Thread(this::drain, threadName);
        worker.setDaemon(true);
    }

    /** Starts the worker; called by the subclass at the end of its constructor, once its fields are set. */
    final void start() {
        worker.start();
    }

    static int checkQueueCapacity(int capacity) {
        if (capacity < 1 || capacity > 10_000_000) {
            throw new IllegalArgumentException("queueCapacity must be in [1, 10000000], was " + capacity);
        }
        return capacity;
    }

    @Override
    public void accept(SecurityEvent event) {
        if (event == null || closing || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** @return events dropped because the queue was full or the sink was closed */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Handles one batch on the worker thread, in queue order.
     *
     * @param batch the events
     * @throws InterruptedException when the worker is interrupted while waiting (ends the batch)
     */
    abstract void handle(List<SecurityEvent> batch) throws InterruptedException;

    /** Stops the worker and releases what the sink holds; throws no checked exception. */
    @Override
    public abstract void close();

    /** Stops accepting, and waits up to 10 s for the worker to handle what is queued. */
    final void stopWorker() {
        closing = true;
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever the worker could not take in time is lost: say so
        dropped.addAndGet(queue.size());
        queue.clear();
    }

    private void drain() {
        List<SecurityEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                SecurityEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                handle(batch);
            } catch (InterruptedException e) {
                if (closing) {
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }
}
