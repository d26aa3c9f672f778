package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.MessageLogException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer thread of a {@link SegmentedFileLog}. It takes every append waiting in the queue,
 * writes them with one positional write, forces the file once for all of them (group commit) when the
 * policy says so, publishes the new tail to readers and only then completes the appends' futures.
 *
 * <p>Offsets are given in queue order, so appends called one after another by a thread keep their order.
 */
final class AppendWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendWriter.class);
    private static final int MAX_BATCH = 8192;
    private static final int BUFFER_BYTES = 4 << 20;

    /** One append waiting for the writer. */
    static final class Pending {
        final byte[] record;
        final CompletableFuture<LogPosition> future;
        final long enqueuedNanos;
        long offset;

        Pending(byte[] record, CompletableFuture<LogPosition> future, long enqueuedNanos) {
            this.record = record;
            this.future = future;
            this.enqueuedNanos = enqueuedNanos;
        }
    }

    private final SegmentedFileLog log;
    private final Ticker ticker;
    private final FsyncPolicy policy;
    private final long intervalNanos;
    /** Lock-free hand-over from many appending threads to the writer, bounded by {@link #pending}. */
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final int capacity;
    /** Set by the writer before it parks on an empty queue; appenders then unpark it. */
    private volatile boolean parked;
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final Thread thread;
    private final StoreMetrics metrics;

    // guarded by lock
    private Segment active;
    private FileChannel channel;
    private long nextOffset;
    private boolean dirty;
    private long lastForceNanos;
    /** A position the file must be cut back to before the next write (a failed cut is retried). */
    private long pendingTruncate = -1;

    private volatile boolean stopping;
    private volatile boolean done;

    AppendWriter(SegmentedFileLog log, Segment active, FileChannel channel, int capacity) {
        this.log = log;
        this.ticker = log.ticker();
        this.lastForceNanos = ticker.nanoTime();
        this.policy = log.fsyncPolicy();
        this.intervalNanos = policy.interval().toNanos();
        this.capacity = capacity;
        this.active = active;
        this.channel = channel;
        this.nextOffset = active.endOffset;
        this.metrics = log.metrics();
        this.thread = new Thread(this, "sentinel-store-writer-" + log.directory().getFileName());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Segment active() {
        return active;
    }

    void enqueue(byte[] record, CompletableFuture<LogPosition> future) {
        if (pending.incrementAndGet() > capacity) {
            pending.decrementAndGet();
            metrics.failed(1);
            future.completeExceptionally(new MessageLogException("the message log " + log.directory()
                    + " has " + capacity + " appends waiting for the disk (maxPendingAppends); not stored"));
            return;
        }
        queue.offer(new Pending(record, future, ticker.nanoTime()));
        if (parked) {
            LockSupport.unpark(thread);
        }
        if (done) {
            failQueued();
        }
    }

    void withLock(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** Seals the active segment so that retention can delete it; called with the lock held. */
    void rollForRetention() {
        try {
            roll();
            log.publish(new SegmentedFileLog.Tail(active, 0, nextOffset));
        } catch (IOException e) {
            LOG.warn("message log {}: could not seal the expired active segment: {}", log.directory(), e.toString());
        }
    }

    void shutdown() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            if (dirty) {
                force();
            }
            channel.close();
        } catch (IOException e) {
            LOG.warn("message log {}: could not force and close the active segment: {}", log.directory(), e.toString());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!(stopping && queue.isEmpty())) {
                long waitNanos = dirty && policy.kind() == FsyncPolicy.Kind.INTERVAL
                        ? Math.max(0, lastForceNanos + intervalNanos - ticker.nanoTime())
                        : TimeUnit.SECONDS.toNanos(1);
                Pending p;
                while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
                    batch.add(p);
                }
                if (!batch.isEmpty()) {
                    pending.addAndGet(-batch.size());
                    writeBatch(batch);
                    batch.clear();
                } else {
                    parked = true;
                    if (queue.isEmpty() && !stopping) {
                        LockSupport.parkNanos(this, waitNanos);
                    }
                    parked = false;
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
                if (dirty && policy.kind() == FsyncPolicy.Kind.INTERVAL
                        && ticker.nanoTime() - lastForceNanos >= intervalNanos) {
                    forceQuietly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("message log {}: the writer stopped unexpectedly", log.directory(), e);
            fail(batch, 0, new MessageLogException("the message log writer failed: " + e, e));
        } finally {
            done = true;
            failQueued();
        }
    }

    private void failQueued() {
        Pending p;
        while ((p = queue.poll()) != null) {
            pending.decrementAndGet();
            metrics.failed(1);
            p.future.completeExceptionally(new MessageLogException("the message log " + log.directory() + " is closed"));
        }
    }

    private void writeBatch(List<Pending> batch) {
        int completed = 0;
        MessageLogException failure = null;
        lock.lock();
        try {
            long now = log.clock().millis();
            int i = 0;
            while (i < batch.size()) {
                try {
                    if (pendingTruncate >= 0) {
                        channel.truncate(pendingTruncate);
                        pendingTruncate = -1;
                    }
                    if (needsRoll(now)) {
                        roll();
                    }
                } catch (IOException e) {
                    failure = failure(e);
                    break;
                }
                long startPosition = active.size;
                long startOffset = nextOffset;
                int j = fill(batch, i, startPosition, startOffset, now);
                try {
                    writeFully(j == i + 1 && buffer.position() == 0 ? ByteBuffer.wrap(batch.get(i).record) : buffer.flip(),
                            startPosition);
                    if (policy.kind() == FsyncPolicy.Kind.ALWAYS) {
                        force();
                    }
                } catch (IOException e) {
                    failure = failure(e);
                    cutBack(startPosition);
                    break;
                }
                long position = startPosition;
                for (int k = i; k < j; k++) {
                    active.index.maybeAdd(batch.get(k).offset, (int) position);
                    position += batch.get(k).record.length;
                }
                if (active.firstAppendTime < 0) {
                    active.firstAppendTime = now;
                }
                active.lastAppendTime = now;
                active.size = position;
                nextOffset = startOffset + (j - i);
                active.endOffset = nextOffset;
                dirty = policy.kind() != FsyncPolicy.Kind.ALWAYS;
                completed = j;
                i = j;
            }
            if (completed > 0) {
                log.publish(new SegmentedFileLog.Tail(active, active.size, nextOffset));
            }
        } finally {
            lock.unlock();
        }
        long nowNanos = ticker.nanoTime();
        for (int k = 0; k < completed; k++) {
            Pending p = batch.get(k);
            metrics.appended(nowNanos - p.enqueuedNanos);
            p.future.complete(new LogPosition(0, p.offset));
        }
        if (failure != null) {
            fail(batch, completed, failure);
        }
    }

    /**
     * Seals records {@code from..} into the buffer while they fit in it and in the segment.
     *
     * @return the index after the last record taken; the buffer is left empty (position 0) when the
     *         first record alone is larger than the buffer and must be written on its own
     */
    private int fill(List<Pending> batch, int from, long startPosition, long startOffset, long now) {
        buffer.clear();
        int j = from;
        while (j < batch.size()) {
            byte[] r = batch.get(j).record;
            if (j > from && (startPosition + buffer.position() + r.length > log.segmentBytes() || r.length > buffer.remaining())) {
                break;
            }
            long offset = startOffset + (j - from);
            RecordCodec.seal(r, offset, now);
            batch.get(j).offset = offset;
            j++;
            if (r.length > buffer.remaining()) {
                break; // only possible for the first record: written alone from its own array
            }
            buffer.put(r);
        }
        return j;
    }

    private void writeFully(ByteBuffer src, long position) throws IOException {
        long at = position;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

    private void force() throws IOException {
        long start = ticker.nanoTime();
        channel.force(false);
        lastForceNanos = ticker.nanoTime();
        metrics.forced(lastForceNanos - start);
        dirty = false;
    }

    private void forceQuietly() {
        lock.lock();
        try {
            force();
        } catch (IOException e) {
            LOG.error("message log {}: periodic fsync failed; appends of the last {} may be lost on a machine crash: {}",
                    log.directory(), policy.interval(), e.toString());
            lastForceNanos = ticker.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    private boolean needsRoll(long now) {
        return !active.isEmpty() && (active.size >= log.segmentBytes()
                || now - active.firstAppendTime >= log.segmentMaxAgeMillis());
    }

    /** Forces and seals the active segment, writes its index, and starts a new one at the next offset. */
    private void roll() throws IOException {
        channel.force(true);
        dirty = false;
        try {
            active.index.writeTo(active.indexFile);
        } catch (IOException e) {
            // the index is rebuilt by a scan when missing
            LOG.warn("message log {}: could not write index {}: {}", log.directory(), active.indexFile.getFileName(), e.toString());
        }
        Segment next = new Segment(log.directory(), nextOffset, new SparseIndex(nextOffset, log.indexIntervalBytes()));
        FileChannel ch = log.io().openForAppend(next.file);
        try {
            SegmentedFileLog.forceDirectory(log.directory());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        active.sealedSize = active.size;
        log.segments.put(next.baseOffset, next);
        FileChannel old = channel;
        active = next;
        channel = ch;
        try {
            old.close();
        } catch (IOException e) {
            LOG.warn("message log {}: could not close a sealed segment: {}", log.directory(), e.toString());
        }
    }

    /** Removes what a failed write may have left behind the last good record. */
    private void cutBack(long position) {
        try {
            channel.truncate(position);
        } catch (IOException e) {
            pendingTruncate = position;
            LOG.warn("message log {}: could not cut segment {} back to {} after a failed write ({}); will retry",
                    log.directory(), active.file.getFileName(), position, e.toString());
        }
    }

    private MessageLogException failure(IOException e) {
        LOG.error("message log {}: append failed, the affected appends were not stored: {}", log.directory(), e.toString());
        return new MessageLogException("could not write to the message log " + log.directory()
                + " (not stored, do not acknowledge): " + e, e);
    }

    private void fail(List<Pending> batch, int from, MessageLogException e) {
        for (int k = from; k < batch.size(); k++) {
            Pending p = batch.get(k);
            if (!p.future.isDone()) {
                metrics.failed(1);
                p.future.completeExceptionally(e);
            }
        }
    }
}
