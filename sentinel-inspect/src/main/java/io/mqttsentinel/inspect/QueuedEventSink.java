package io.mqttsentinel.inspect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Ticker;

/**
 * What the event sinks share: {@link #accept} puts the event into a bounded queue and never blocks (a full
 * queue drops and counts it); a thread of the sink's own drains the queue in batches and hands them to
 * {@link #handle}; closing lets the thread finish what is queued.
 *
 * <p>A batch holds at most {@code maxBatch} events; with a {@code linger} above zero the worker waits up to
 * that long after the first event for more, so that a network sink sends fewer, fuller batches.
 *
 * <p>Meters (when a registry is given): {@code sentinel.events.dropped{sink,reason}} with reason
 * {@code queue_full} (full queue, or accepted after close) or {@code undeliverable} (given up on after
 * retries, or still unsent at close), and {@code sentinel.events.delivered{sink}}.
 *
 * <p>Public so that a sink in another module (the Kafka event sink) behaves and is counted the same way: a subclass
 * implements {@link #handle}, counts into {@link #delivered} and {@link #failed}, calls {@link #bindMetrics} and
 * {@link #start()} at the end of its constructor, and {@link #stopWorker} from its {@link #close()}.
 */
public abstract class QueuedEventSink implements SecurityEventSink, AutoCloseable {
    /** The largest batch {@link #handle} gets unless the constructor says otherwise. */
    protected static final int BATCH = 256;

    private final BlockingQueue<SecurityEvent> queue;
    private final Thread worker;
    private final int maxBatch;
    private final long lingerNanos;
    private final Ticker ticker;
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    /** Events turned away: a full queue, a null event, or accepted after close. */
    protected final AtomicLong dropped = new AtomicLong();
    /** Events given up on: retries exhausted, refused by the receiver, or unsent at close. */
    protected final AtomicLong failed = new AtomicLong();
    /** Events the receiver took. */
    protected final AtomicLong delivered = new AtomicLong();
    private volatile boolean closing;

    QueuedEventSink(int queueCapacity, String threadName) {
        this(queueCapacity, threadName, BATCH, Duration.ZERO);
    }

    /**
     * @param queueCapacity events the queue holds
     * @param threadName    the worker thread's name
     * @param maxBatch      the largest batch {@link #handle} gets
     * @param linger        how long the worker waits after a batch's first event for more (zero: not at all)
     */
    protected QueuedEventSink(int queueCapacity, String threadName, int maxBatch, Duration linger) {
        this(queueCapacity, threadName, maxBatch, linger, Ticker.system());
    }

    /**
     * @param queueCapacity events the queue holds
     * @param threadName    the worker thread's name
     * @param maxBatch      the largest batch {@link #handle} gets
     * @param linger        how long the worker waits after a batch's first event for more (zero: not at all)
     * @param ticker        measures {@code linger}
     */
    protected QueuedEventSink(int queueCapacity, String threadName, int maxBatch, Duration linger, Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.worker = new Thread(this::drain, threadName);
        worker.setDaemon(true);
    }

    /** @return the ticker this sink measures time with (its linger, a subclass's deadlines) */
    protected final Ticker ticker() {
        return ticker;
    }

    /** Starts the worker; called by the subclass at the end of its constructor, once its fields are set. */
    protected final void start() {
        worker.start();
    }

    /**
     * Registers this sink's meters under {@code sink=name}; a null registry registers nothing.
     *
     * @param registry the registry, or null
     * @param name     the {@code sink} tag
     */
    protected final void bindMetrics(MeterRegistry registry, String name) {
        if (registry == null) {
            return;
        }
        FunctionCounter.builder("sentinel.events.dropped", dropped, AtomicLong::get).tag("sink", name)
                .tag("reason", "queue_full").description("Security events dropped: queue full or sink closed")
                .register(registry);
        FunctionCounter.builder("sentinel.events.dropped", failed, AtomicLong::get).tag("sink", name)
                .tag("reason", "undeliverable").description("Security events given up on: retries exhausted or unsent at close")
                .register(registry);
        FunctionCounter.builder("sentinel.events.delivered", delivered, AtomicLong::get).tag("sink", name)
                .description("Security events written or accepted by the receiver").register(registry);
    }

    /**
     * @param capacity a queue capacity
     * @return it, when 1 to 10,000,000
     * @throws IllegalArgumentException otherwise
     */
    protected static int checkQueueCapacity(int capacity) {
        if (capacity < 1 || capacity > 10_000_000) {
            throw new IllegalArgumentException("queueCapacity must be in [1, 10000000], was " + capacity);
        }
        return capacity;
    }

    static String checkSinkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank text (the sink tag of the metrics)");
        }
        return name;
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

    /** @return {@code true} once {@link #close()} has begun: a retry loop gives up then */
    protected final boolean closing() {
        return closing;
    }

    /**
     * Waits for a back-off delay on the worker thread, cut short by {@link #close()}.
     *
     * @param delay how long
     * @return {@code true} when the delay passed, {@code false} when the sink is closing
     */
    protected final boolean pause(Duration delay) {
        try {
            return !closeSignal.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Handles one batch on the worker thread, in queue order.
     *
     * @param batch the events
     * @throws InterruptedException when the worker is interrupted while waiting (ends the batch)
     */
    protected abstract void handle(List<SecurityEvent> batch) throws InterruptedException;

    /** Stops the worker and releases what the sink holds; throws no checked exception. */
    @Override
    public abstract void close();

    /** Called by {@link #stopWorker()} once the sink is closing, before it waits for the worker. */
    protected void onClosing() {
    }

    /** Stops accepting, and waits up to 10 s for the worker to handle what is queued. */
    protected final void stopWorker() {
        stopWorker(Duration.ofSeconds(10));
    }

    /**
     * Stops accepting, and waits up to {@code timeout} for the worker to handle what is queued; what it could
     * not take counts as dropped.
     *
     * @param timeout the longest wait
     */
    protected final void stopWorker(Duration timeout) {
        closing = true;
        closeSignal.countDown();
        onClosing();
        try {
            worker.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever the worker could not take in time is lost: say so
        dropped.addAndGet(queue.size());
        queue.clear();
    }

    private void drain() {
        List<SecurityEvent> batch = new ArrayList<>(Math.min(maxBatch, BATCH));
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
                queue.drainTo(batch, maxBatch - 1);
                if (lingerNanos > 0 && !closing) {
                    long deadline = ticker.nanoTime() + lingerNanos;
                    while (batch.size() < maxBatch && !closing) {
                        SecurityEvent next = queue.poll(deadline - ticker.nanoTime(), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                        queue.drainTo(batch, maxBatch - batch.size());
                    }
                }
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
