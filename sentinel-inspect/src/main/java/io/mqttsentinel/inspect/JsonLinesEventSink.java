package io.mqttsentinel.inspect;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.inspect.internal.EventJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
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
public final class JsonLinesEventSink extends QueuedEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesEventSink.class);

    private final Path file;
    private final OutputStream out;
    private final AtomicLong written = new AtomicLong();

    private JsonLinesEventSink(Builder b) throws IOException {
        super(b.queueCapacity, "sentinel-events-" + b.file.getFileName());
        this.file = b.file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
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
        return written.get();
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    @Override
    void handle(List<SecurityEvent> batch) {
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
        stopWorker();
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
            this.queueCapacity = checkQueueCapacity(capacity);
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
