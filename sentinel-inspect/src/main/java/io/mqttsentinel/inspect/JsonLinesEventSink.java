package io.mqttsentinel.inspect;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.inspect.internal.EventJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The default security event sink: one JSON object per line, appended to a file, e.g.
 * <pre>{"time":"2026-11-25T04:00:00Z","layer":"broker","client_id":"dev-1","topic":"t/1","category":"sql_injection","rule_id":"sqli-union","severity":"high","action":"block","excerpt":"1 union select 1,2"}</pre>
 *
 * <p>{@link #accept} never blocks: events go into a bounded queue that a writer thread of its own
 * drains; when the queue is full the event is dropped and counted ({@link #dropped()}). A write that
 * fails is logged and counted ({@link #failed()}). {@link #close()} writes what is queued, then stops.
 * Thread-safe.
 */
public final class JsonLinesEventSink implements SecurityEventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesEventSink.class);
    private static final int BATCH = 256;

    private final Path file;
    private final BlockingQueue<SecurityEvent> queue;
    private final OutputStream out;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closing;

    private JsonLinesEventSink(Builder b) throws IOException {
        this.file = b.file;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
        this.writer = new Thread(this::run, "sentinel-events-" + file.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * @param file the file events are appended to (created with its directories)
     * @return a builder
     */
    public static Builder builder(Path file) {
        return new Builder(Objects.requireNonNull(file, "file"));
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

    /** @return events that could not be written */
    public long failed() {
        return failed.get();
    }

    /** @return events written */
    public long written() {
        return written.get();
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    private void run() {
        List<SecurityEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                SecurityEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (closing) {
                    break;
                }
            }
        }
        queue.drainTo(batch);
        write(batch);
    }

    private void write(List<SecurityEvent> batch) {
        if (batch.isEmpty()) {
            return;
        }
        for (SecurityEvent e : batch) {
            try {
                EventJson.write(e, out);
                out.write('\n');
                written.incrementAndGet();
            } catch (IOException ex) {
                failed.incrementAndGet();
                LOG.warn("cannot write a security event to {}: {}", file, ex.toString());
            }
        }
        try {
            out.flush();
        } catch (IOException ex) {
            LOG.warn("cannot flush security events to {}: {}", file, ex.toString());
        }
    }

    /**
     * Writes what is queued and closes the file; events accepted afterwards are dropped.
     */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("cannot close {}: {}", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "JsonLinesEventSink{" + file + ", written=" + written + ", dropped=" + dropped + ", failed=" + failed + "}";
    }

    /** Builds a {@link JsonLinesEventSink}. */
    public static final class Builder {
        private final Path file;
        private int queueCapacity = 10_000;

        Builder(Path file) {
            this.file = file;
        }

        /**
         * @param capacity events queued at most before new ones are dropped, 1 .. 10000000 (default 10000)
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1 || capacity > 10_000_000) {
                throw new IllegalArgumentException("queueCapacity must be in [1, 10000000], was " + capacity);
            }
            this.queueCapacity = capacity;
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
