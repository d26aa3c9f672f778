package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The default security event sink: one JSON object per line, appended to a file, e.g.
 * <pre>{"time":"2026-11-25T04:00:00Z","layer":"broker","client_id":"dev-1","topic":"t/1","category":"sql_injection","rule_id":"sqli-union","severity":"high","action":"block","excerpt":"1 union select 1,2"}</pre>
 *
 * <p>{@link #accept} never blocks: events go into a bounded queue that a writer thread of its own
 * drains; when the queue is full the event is dropped and counted ({@link #dropped()}). A write that
 * fails is logged and counted ({@link #failed()}). {@link #close()} writes what is queued, then stops.
 * Thread-safe.
 *
 * <p><b>Rotation</b> (off unless configured): once the file reaches {@code maxBytes}, or holds events older
 * than {@code maxAge} when the next one comes, it is renamed {@code <file>.1} (an older {@code .1} becomes
 * {@code .2}, and so on) and a new file is started; at most {@code keep} renamed files are kept, the oldest
 * deleted. Age is measured from when the sink opened the file, on the sink's clock.
 */
public final class JsonLinesEventSink extends QueuedEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesEventSink.class);

    private final Path file;
    private final long maxBytes;
    private final Duration maxAge;
    private final int keep;
    private final Clock clock;
    private OutputStream out;       // worker thread only (and close, after the worker stopped)
    private long size;
    private Instant openedAt;

    private JsonLinesEventSink(Builder b) throws IOException {
        super(b.queueCapacity, "sentinel-events-" + b.file.getFileName());
        this.file = b.file;
        this.maxBytes = b.maxBytes;
        this.maxAge = b.maxAge;
        this.keep = b.keep;
        this.clock = b.clock;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        open();
        bindMetrics(b.registry, b.name);
        start();
    }

    /**
     * @param file the file events are appended to (created with its directories)
     * @return a builder
     */
    public static Builder builder(Path file) {
        return new Builder(Objects.requireNonNull(file, "file"));
    }

    /** @return events that could not be written */
    public long failed() {
        return failed.get();
    }

    /** @return events written */
    public long written() {
        return delivered.get();
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    private void open() throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
        size = Files.size(file);
        openedAt = clock.instant();
    }

    @Override
    protected void handle(List<SecurityEvent> batch) {
        for (SecurityEvent e : batch) {
            try {
                if (out == null) {
                    open(); // a rotation failed to reopen: try again
                }
                if (maxAge != null && size > 0 && !clock.instant().isBefore(openedAt.plus(maxAge))) {
                    rotate();
                }
                byte[] line = SecurityEventJson.toJson(e);
                out.write(line);
                out.write('\n');
                size += line.length + 1;
                delivered.incrementAndGet();
                if (maxBytes > 0 && size >= maxBytes) {
                    rotate();
                }
            } catch (IOException ex) {
                failed.incrementAndGet();
                LOG.warn("cannot write a security event to {}: {}", file, ex.toString());
            }
        }
        try {
            if (out != null) {
                out.flush();
            }
        } catch (IOException ex) {
            LOG.warn("cannot flush security events to {}: {}", file, ex.toString());
        }
    }

    private void rotate() throws IOException {
        OutputStream old = out;
        out = null;
        old.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) {
                Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep > 0) {
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(file);
        }
        open();
    }

    private Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * Writes what is queued and closes the file; events accepted afterwards are dropped.
     */
    @Override
    public void close() {
        stopWorker();
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            LOG.warn("cannot close {}: {}", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "JsonLinesEventSink{" + file + ", written=" + delivered + ", dropped=" + dropped + ", failed=" + failed
                + (maxBytes > 0 ? ", maxBytes=" + maxBytes : "") + (maxAge != null ? ", maxAge=" + maxAge : "")
                + (maxBytes > 0 || maxAge != null ? ", keep=" + keep : "") + "}";
    }

    /** Builds a {@link JsonLinesEventSink}. */
    public static final class Builder {
        private final Path file;
        private int queueCapacity = 10_000;
        private long maxBytes;
        private Duration maxAge;
        private int keep = 5;
        private Clock clock = Clock.systemUTC();
        private MeterRegistry registry;
        private String name = "file";

        Builder(Path file) {
            this.file = file;
        }

        /**
         * @param capacity events queued at most before new ones are dropped, 1 .. 10000000 (default 10000)
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = checkQueueCapacity(capacity);
            return this;
        }

        /**
         * @param bytes rotate once the file reaches this size, 1024 .. 2^40, or 0 for never (default 0)
         * @return this builder
         */
        public Builder maxBytes(long bytes) {
            if (bytes != 0 && (bytes < 1024 || bytes > (1L << 40))) {
                throw new IllegalArgumentException("maxBytes must be 0 (no size rotation) or in [1024, 1099511627776], was " + bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /**
         * @param age rotate a file opened this long ago when the next event comes, 1 s .. 366 d, or null for
         *            never (default null)
         * @return this builder
         */
        public Builder maxAge(Duration age) {
            if (age != null && (age.compareTo(Duration.ofSeconds(1)) < 0 || age.compareTo(Duration.ofDays(366)) > 0)) {
                throw new IllegalArgumentException("maxAge must be null (no time rotation) or in [1s, 366d], was " + age);
            }
            this.maxAge = age;
            return this;
        }

        /**
         * @param files rotated files kept, 0 .. 1000 (default 5; 0 deletes a file when it rotates)
         * @return this builder
         */
        public Builder keep(int files) {
            if (files < 0 || files > 1000) {
                throw new IllegalArgumentException("keep must be in [0, 1000], was " + files);
            }
            this.keep = files;
            return this;
        }

        /**
         * @param clock the clock that ages files (default the system clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param registry where {@code sentinel.events.dropped} and {@code .delivered} are registered (default none)
         * @param name     the {@code sink} tag, e.g. {@code file-broker}
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry, String name) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.name = checkSinkName(name);
            return this;
        }

        /**
         * Opens the file and starts the writer thread.
         *
         * @return the sink
         * @throws java.io.UncheckedIOException when the file cannot be opened
         */
        public JsonLinesEventSink build() {
            try {
                return new JsonLinesEventSink(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot open the security event file " + file, e);
            }
        }
    }
}
