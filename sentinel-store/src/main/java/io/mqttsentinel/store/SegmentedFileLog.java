package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.api.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, file-backed {@link MessageLog}: one partition (0) of append-only segment files, a CRC32C
 * per record, a sparse index per segment, group commit and retention by age and size.
 *
 * <pre>{@code
 * SegmentedFileLog log = SegmentedFileLog.builder(Path.of("/var/lib/sentinel/log"))
 *         .config(StoreConfig.fromEnvironment(System.getenv()))
 *         .meterRegistry(registry)
 *         .open();
 * log.append(entry).thenAccept(position -> pubAck());
 * }</pre>
 *
 * <p><b>Durability</b> follows the {@link FsyncPolicy}; with {@link FsyncPolicy#ALWAYS} an append completes
 * after the fsync that covers it, and all appends waiting meanwhile share the next fsync. Readers see a
 * record only once its append has completed, so they never read what a crash could take back.
 *
 * <p><b>Recovery:</b> opening the directory scans the last segment record by record and truncates it at the
 * first torn or corrupt record (bad length, CRC32C mismatch, wrong offset); sealed segments were forced
 * when sealed, their index is loaded (or rebuilt by a scan when missing or inconsistent) and each record's
 * checksum is checked again when read.
 *
 * <p><b>Failures:</b> an I/O error while appending (disk full, a failing device) completes the affected
 * appends exceptionally with {@link MessageLogException}, cuts the file back to the last good record, and
 * leaves the log readable; later appends are tried again normally, so the log recovers once space returns.
 *
 * <p><b>Retention</b> deletes whole sealed segments whose last record is older than the retention, then the
 * oldest ones while the total size exceeds the limit; a segment whose records have all expired is sealed
 * first. It runs every {@link Builder#retentionCheckInterval(Duration) retention check interval} and on
 * {@link #enforceRetention()}.
 *
 * <p><b>Metrics:</b> {@code sentinel.store.appends} (counter, tag {@code result=ok|failed}),
 * {@code sentinel.store.append.latency} (timer, queueing to completion), {@code sentinel.store.fsync.latency}
 * (timer), {@code sentinel.store.bytes} and {@code sentinel.store.segments} (gauges),
 * {@code sentinel.store.retention.deleted} (counter of segments, tag {@code reason=age|size}),
 * {@code sentinel.store.recovery.truncated.bytes} (counter).
 *
 * <p>Thread-safe. One process at a time may open a directory (a lock file guards it).
 */
public final class SegmentedFileLog implements MessageLog {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedFileLog.class);
    private static final String LOCK_FILE = ".lock";
    private static final Duration MAX_SEGMENT_AGE = Duration.ofHours(1);

    private final Path dir;
    private final Duration retention;
    private final long maxTotalBytes;
    private final FsyncPolicy fsyncPolicy;
    private final int segmentBytes;
    private final int maxRecordBytes;
    private final Clock clock;
    private final Ticker ticker;
    private final FileIo io;
    private final int indexIntervalBytes;
    private final long segmentMaxAgeMillis;

    final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final GroupOffsets groups;
    private final AppendWriter writer;
    private final ScheduledExecutorService maintenance;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final StoreMetrics metrics;

    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition appended = waitLock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;

    /** The end of what readers may see: completed appends only. */
    volatile Tail tail;

    /** The last readable byte and offset, published by the writer after each batch. */
    static final class Tail {
        final Segment segment;
        final long endPosition;
        final long nextOffset;

        Tail(Segment segment, long endPosition, long nextOffset) {
            this.segment = segment;
            this.endPosition = endPosition;
            this.nextOffset = nextOffset;
        }
    }

    private SegmentedFileLog(Builder b) throws IOException {
        this.dir = b.dir;
        this.retention = b.retention;
        this.maxTotalBytes = b.maxTotalBytes;
        this.fsyncPolicy = b.fsyncPolicy;
        this.segmentBytes = b.segmentBytes;
        this.maxRecordBytes = b.maxRecordBytes;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.io = b.io;
        this.indexIntervalBytes = b.indexIntervalBytes;
        this.segmentMaxAgeMillis = Math.min(MAX_SEGMENT_AGE.toMillis(), retention.toMillis());
        Files.createDirectories(dir);
        this.lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new MessageLogException("the log directory " + dir + " is already open (in this or another process)");
        }
        this.lock = l;
        this.metrics = new StoreMetrics(b.meterRegistry, this);
        try {
            this.groups = new GroupOffsets(dir.resolve("groups"));
            Segment last = recover();
            this.writer = new AppendWriter(this, last, io.openForAppend(last.file), b.maxPendingAppends);
        } catch (IOException | RuntimeException e) {
            releaseLock();
            throw e;
        }
        this.tail = new Tail(writer.active(), writer.active().size, writer.active().endOffset);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-store-maintenance");
            t.setDaemon(true);
            return t;
        });
        long every = b.retentionCheckInterval.toMillis();
        maintenance.scheduleWithFixedDelay(this::enforceRetentionQuietly, every, every, TimeUnit.MILLISECONDS);
        writer.start();
        LOG.info("opened message log {}: offsets {}..{}, {} segment(s), {}", dir, earliestOffset(),
                tail.nextOffset, segments.size(), fsyncPolicy);
    }

    /**
     * @param dir the directory of the log; created when missing
     * @return a builder with the defaults of {@link StoreConfig#ofDefaults()}
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Loads every segment, truncates the torn tail of the last one, and returns the last one. */
    private Segment recover() throws IOException {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Segment.LOG_SUFFIX)) {
            for (Path f : files) {
                long base = Segment.parseBase(f.getFileName().toString());
                if (base >= 0) {
                    bases.add(base);
                }
            }
        }
        bases.sort(null);
        if (bases.isEmpty()) {
            Segment s = new Segment(dir, 0, new SparseIndex(0, indexIntervalBytes));
            Files.createFile(s.file);
            forceDirectory(dir);
            segments.put(0L, s);
            return s;
        }
        for (int i = 0; i < bases.size() - 1; i++) {
            segments.put(bases.get(i), loadSealed(bases.get(i), bases.get(i + 1)));
        }
        long base = bases.get(bases.size() - 1);
        Segment last = new Segment(dir, base, new SparseIndex(base, indexIntervalBytes));
        try (FileChannel ch = FileChannel.open(last.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            Segment.ScanResult r = Segment.scan(ch, size, 0, base, last.index);
            if (r.validEnd < size) {
                LOG.warn("message log {}: truncating {} torn or corrupt byte(s) at the end of segment {} (position {})",
                        dir, size - r.validEnd, last.file.getFileName(), r.validEnd);
                ch.truncate(r.validEnd);
                ch.force(true);
                metrics.truncated(size - r.validEnd);
            }
            last.size = r.validEnd;
            last.endOffset = r.nextOffset;
            last.firstAppendTime = r.firstAppendTime;
            last.lastAppendTime = r.lastAppendTime;
        }
        segments.put(base, last);
        return last;
    }

    private Segment loadSealed(long base, long nextBase) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve(Segment.name(base) + Segment.LOG_SUFFIX), StandardOpenOption.READ)) {
            long size = ch.size();
            Path indexFile = dir.resolve(Segment.name(base) + Segment.INDEX_SUFFIX);
            SparseIndex index = SparseIndex.readFrom(indexFile, base, indexIntervalBytes, size);
            Segment.ScanResult r;
            if (index == null) {
                index = new SparseIndex(base, indexIntervalBytes);
                r = Segment.scan(ch, size, 0, base, index);
                if (r.validEnd < size || r.nextOffset != nextBase) {
                    LOG.error("message log {}: sealed segment {} is damaged: valid up to position {} of {}, offsets {}..{} "
                            + "(next segment starts at {}); reads past the damage will fail", dir, Segment.name(base),
                            r.validEnd, size, base, r.nextOffset, nextBase);
                }
                index.writeTo(indexFile);
            } else {
                r = Segment.scan(ch, size, index.lastPosition(), -1, null);
            }
            Segment s = new Segment(dir, base, index);
            s.size = size;
            s.sealedSize = size;
            s.endOffset = nextBase;
            s.lastAppendTime = r.lastAppendTime;
            return s;
        }
    }

    @Override
    public CompletionStage<LogPosition> append(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        CompletableFuture<LogPosition> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new MessageLogException("the message log " + dir + " is closed"));
            return future;
        }
        byte[] record;
        try {
            record = RecordCodec.encode(entry);
        } catch (IllegalArgumentException e) {
            future.completeExceptionally(new MessageLogException("cannot store " + entry + ": " + e.getMessage(), e));
            return future;
        }
        if (record.length > maxRecordBytes) {
            future.completeExceptionally(new MessageLogException("cannot store " + entry + ": the record takes "
                    + record.length + " bytes, more than maxRecordBytes=" + maxRecordBytes));
            return future;
        }
        writer.enqueue(record, future);
        return future;
    }

    @Override
    public LogReader openReader(String group) {
        Objects.requireNonNull(group, "group");
        if (group.isEmpty() || group.length() > 200) {
            throw new IllegalArgumentException("group must have 1 to 200 characters, was '" + group + "'");
        }
        checkOpen();
        long committed = groups.committed(group);
        long next = tail.nextOffset;
        long start;
        if (committed < 0) {
            start = earliestOffset();
        } else if (committed > next) {
            LOG.warn("message log {}: group '{}' committed offset {} but the log ends at {} (records lost to a machine "
                    + "crash under fsync policy {}); it resumes at {}", dir, group, committed, next, fsyncPolicy, next);
            start = next;
        } else {
            start = committed;
        }
        return new FileLogReader(this, group, start);
    }

    /**
     * Deletes expired segments now (it also runs every retention check interval): first by age, then by
     * total size. A reader positioned in a deleted segment gets
     * {@link io.mqttsentinel.api.LogTruncatedException} on its next poll.
     *
     * @return the number of segments deleted
     */
    public int enforceRetention() {
        checkOpen();
        long cutoff = clock.millis() - retention.toMillis();
        List<Segment> expired = new ArrayList<>();
        writer.withLock(() -> {
            Segment active = writer.active();
            if (!active.isEmpty() && active.lastAppendTime < cutoff) {
                writer.rollForRetention();
            }
            for (Segment s : segments.values()) {
                if (s == writer.active() || s.lastAppendTime >= cutoff) {
                    break;
                }
                expired.add(s);
                segments.remove(s.baseOffset);
                metrics.deleted("age");
            }
            long total = totalBytes();
            for (Segment s : segments.values()) {
                if (total <= maxTotalBytes || s == writer.active()) {
                    break;
                }
                expired.add(s);
                segments.remove(s.baseOffset);
                total -= s.size;
                metrics.deleted("size");
            }
        });
        for (Segment s : expired) {
            try {
                Files.deleteIfExists(s.file);
                Files.deleteIfExists(s.indexFile);
            } catch (IOException e) {
                LOG.warn("message log {}: could not delete expired segment {}: {}", dir, s.file.getFileName(), e.toString());
            }
        }
        if (!expired.isEmpty()) {
            LOG.info("message log {}: retention deleted {} segment(s); earliest offset is now {}", dir, expired.size(),
                    earliestOffset());
        }
        return expired.size();
    }

    private void enforceRetentionQuietly() {
        try {
            if (!closed) {
                enforceRetention();
            }
        } catch (RuntimeException e) {
            LOG.warn("message log {}: retention failed: {}", dir, e.toString(), e);
        }
    }

    /** @return the offset of the earliest record still held (the next offset when the log is empty) */
    public long earliestOffset() {
        Map.Entry<Long, Segment> first = segments.firstEntry();
        return first == null ? tail.nextOffset : first.getKey();
    }

    /** @return the offset the next append will get */
    public long nextOffset() {
        return tail.nextOffset;
    }

    /** @return the bytes held in all segment files */
    public long totalBytes() {
        long total = 0;
        for (Segment s : segments.values()) {
            total += s.size;
        }
        return total;
    }

    /** @return the log's directory */
    public Path directory() {
        return dir;
    }

    /** @return the fsync policy in force */
    public FsyncPolicy fsyncPolicy() {
        return fsyncPolicy;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.shutdown();
        maintenance.shutdown();
        try {
            if (!maintenance.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("message log {}: pending commits did not finish in 30 s", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakeReaders();
        metrics.close();
        releaseLock();
        LOG.info("closed message log {} at offset {}", dir, tail.nextOffset);
    }

    private void releaseLock() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("message log {}: could not release the directory lock: {}", dir, e.toString());
        }
    }

    // --- used by the writer and the readers -------------------------------------------------------

    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw new MessageLogException("the message log " + dir + " is closed");
        }
    }

    Clock clock() {
        return clock;
    }

    int segmentBytes() {
        return segmentBytes;
    }

    long segmentMaxAgeMillis() {
        return segmentMaxAgeMillis;
    }

    int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    FileIo io() {
        return io;
    }

    Ticker ticker() {
        return ticker;
    }

    StoreMetrics metrics() {
        return metrics;
    }

    GroupOffsets groups() {
        return groups;
    }

    ScheduledExecutorService maintenance() {
        return maintenance;
    }

    /** Publishes a new tail and wakes readers waiting for it. */
    void publish(Tail t) {
        tail = t;
        if (waiters.get() > 0) {
            wakeReaders();
        }
    }

    private void wakeReaders() {
        waitLock.lock();
        try {
            appended.signalAll();
        } finally {
            waitLock.unlock();
        }
    }

    /** Waits until a record at {@code offset} is readable or the time is up. */
    void awaitAppend(long offset, long nanos) throws InterruptedException {
        waitLock.lock();
        waiters.incrementAndGet();
        try {
            while (tail.nextOffset <= offset && nanos > 0 && !closed) {
                nanos = appended.awaitNanos(nanos);
            }
        } finally {
            waiters.decrementAndGet();
            waitLock.unlock();
        }
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Configures and opens a {@link SegmentedFileLog}. Every setter validates eagerly; {@link #open()} reads
     * the directory.
     */
    public static final class Builder {
        private final Path dir;
        private Duration retention;
        private long maxTotalBytes;
        private FsyncPolicy fsyncPolicy;
        private int segmentBytes;
        private int maxRecordBytes = 16 << 20;
        private int maxPendingAppends = 65_536;
        private Duration retentionCheckInterval = Duration.ofMinutes(1);
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private MeterRegistry meterRegistry;
        private FileIo io = FileIo.DEFAULT;
        private int indexIntervalBytes = 4096;

        Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
            config(StoreConfig.ofDefaults());
        }

        /**
         * Applies retention, size limit, fsync policy and segment size from a {@link StoreConfig}.
         *
         * @param config the configuration, e.g. {@link StoreConfig#fromEnvironment(Map)}
         * @return this builder
         */
        public Builder config(StoreConfig config) {
            Objects.requireNonNull(config, "config");
            this.retention = config.retention();
            this.maxTotalBytes = config.maxTotalBytes();
            this.fsyncPolicy = config.fsyncPolicy();
            this.segmentBytes = config.segmentBytes();
            return this;
        }

        /**
         * @param retention how long records are kept, 1 minute to 3650 days; default 72 hours
         * @return this builder
         */
        public Builder retention(Duration retention) {
            this.retention = StoreConfig.checkRetention(retention);
            return this;
        }

        /**
         * @param maxTotalBytes the most bytes kept across all segments, at least 1 MiB; default
         *                      {@link StoreConfig#UNLIMITED}
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            this.maxTotalBytes = StoreConfig.checkMaxBytes(maxTotalBytes);
            return this;
        }

        /**
         * @param fsyncPolicy when appends are forced to disk; default {@link FsyncPolicy#ALWAYS}
         * @return this builder
         */
        public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
            this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
            return this;
        }

        /**
         * @param segmentBytes the size at which a segment is sealed and a new one begun, 1 KiB to 1 GiB;
         *                     default 128 MiB
         * @return this builder
         */
        public Builder segmentBytes(int segmentBytes) {
            this.segmentBytes = StoreConfig.checkSegmentBytes(segmentBytes);
            return this;
        }

        /**
         * @param maxRecordBytes the largest encoded record accepted (payload, topic, client id and 42 bytes),
         *                       1 KiB to 1 GiB; default 16 MiB
         * @return this builder
         */
        public Builder maxRecordBytes(int maxRecordBytes) {
            if (maxRecordBytes < 1024 || maxRecordBytes > StoreConfig.MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("maxRecordBytes must be between 1024 and "
                        + StoreConfig.MAX_SEGMENT_BYTES + ", was " + maxRecordBytes);
            }
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        /**
         * @param maxPendingAppends how many appends may wait for the writer before new ones fail fast with
         *                          {@link MessageLogException}, 1 to 16,777,216; default 65,536
         * @return this builder
         */
        public Builder maxPendingAppends(int maxPendingAppends) {
            if (maxPendingAppends < 1 || maxPendingAppends > (1 << 24)) {
                throw new IllegalArgumentException("maxPendingAppends must be between 1 and 16777216, was "
                        + maxPendingAppends);
            }
            this.maxPendingAppends = maxPendingAppends;
            return this;
        }

        /**
         * @param interval how often retention runs in the background, 1 second to 1 day; default 1 minute
         * @return this builder
         */
        public Builder retentionCheckInterval(Duration interval) {
            Objects.requireNonNull(interval, "retentionCheckInterval");
            if (interval.toMillis() < 1000 || interval.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("retentionCheckInterval must be between 1 s and 1 day, was " + interval);
            }
            this.retentionCheckInterval = interval;
            return this;
        }

        /**
         * @param clock the clock that stamps append times and decides retention; default system UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param ticker measures the fsync interval, the append latency and a reader's wait (default
         *               {@link Ticker#system()})
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param meterRegistry where the log's metrics go; default none
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        Builder fileIo(FileIo io) {
            this.io = Objects.requireNonNull(io, "io");
            return this;
        }

        Builder indexIntervalBytes(int indexIntervalBytes) {
            this.indexIntervalBytes = indexIntervalBytes;
            return this;
        }

        /**
         * Opens the log: recovers the directory and starts the writer.
         *
         * @return the open log
         * @throws MessageLogException when the directory cannot be read, written or locked
         */
        public SegmentedFileLog open() {
            Builder copy = copy();
            if (copy.meterRegistry == null) {
                copy.meterRegistry = new CompositeMeterRegistry();
            }
            try {
                return new SegmentedFileLog(copy);
            } catch (IOException e) {
                throw new MessageLogException("cannot open the message log in " + dir + ": " + e, e);
            }
        }

        /**
         * Same as {@link #open()}.
         *
         * @return the open log
         */
        public SegmentedFileLog build() {
            return open();
        }

        private Builder copy() {
            Builder c = new Builder(dir);
            c.retention = retention;
            c.maxTotalBytes = maxTotalBytes;
            c.fsyncPolicy = fsyncPolicy;
            c.segmentBytes = segmentBytes;
            c.maxRecordBytes = maxRecordBytes;
            c.maxPendingAppends = maxPendingAppends;
            c.retentionCheckInterval = retentionCheckInterval;
            c.clock = clock;
            c.ticker = ticker;
            c.meterRegistry = meterRegistry;
            c.io = io;
            c.indexIntervalBytes = indexIntervalBytes;
            return c;
        }
    }
}
