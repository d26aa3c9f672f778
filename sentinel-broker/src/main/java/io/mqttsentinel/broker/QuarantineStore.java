package io.mqttsentinel.broker;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.broker.internal.QuarantineIndex;
import io.mqttsentinel.broker.internal.QuarantineRecords;
import io.mqttsentinel.config.Values;

/**
 * Quarantined messages, kept whole in a {@link MessageLog} of their own, with what an operator needs to decide on
 * them: id, publisher, topic, size, time, the inspector's findings. Operators list and show them, release one
 * (it is delivered as if it had passed inspection) or delete it.
 *
 * <pre>{@code
 * QuarantineStore quarantine = QuarantineStore.builder(SegmentedFileLog.builder(dir).retention(Duration.ofDays(7)).open())
 *         .config(QuarantineConfig.fromEnvironment(System.getenv()))
 *         .meterRegistry(registry)
 *         .open();                                        // reads the log once to build the index
 * SentinelBroker broker = SentinelBroker.builder()....quarantine(quarantine).build();
 * QuarantinePage page = quarantine.list(QuarantineQuery.builder().reason("payload_size").build());
 * broker.admin().release(page.items().get(0).id(), "alice");   // delivered, recorded, raises an event
 * }</pre>
 *
 * <p><b>The log is the truth.</b> Each quarantined message is one record; a release or a deletion appends a
 * marker naming it (the contract of {@code MessageLog} has no deletion: a deleted message's bytes leave with
 * retention, and from the moment the marker is stored it is gone from {@link #list} and {@link #find}). All
 * records share one topic, hence one partition and one order. The id of a message is its record's position,
 * {@code <partition>-<offset>}. The store keeps an index in memory (no payloads; bounded by
 * {@link QuarantineConfig#maxEntries()}), built at {@link Builder#open()} by reading the log, kept up to date by
 * what it writes, and, before every query, by reading what was appended since (another broker node on the same
 * Kafka topic).
 *
 * <p><b>Retention.</b> Messages older than {@link QuarantineConfig#retention()} leave the index; the log's own
 * retention, which the caller configures to the same duration, deletes their bytes.
 *
 * <p><b>Release</b> delivers once: the message is marked as being released, delivered, then a marker is stored;
 * a second release, concurrent or later (also after a restart), is refused. A crash between the delivery and the
 * marker leaves it quarantined: a later release delivers it again (at least once, never lost).
 *
 * <p><b>Meters:</b> {@code sentinel_quarantine_messages} (gauge), {@code sentinel_quarantine_released_total},
 * {@code sentinel_quarantine_deleted_total}, {@code sentinel_quarantine_evicted_total} (left the index for its
 * size bound).
 *
 * <p>Thread-safe. {@link #close()} closes the store's reader, not the log: the caller owns the log.
 */
public final class QuarantineStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuarantineStore.class);
    private static final Pattern ID = Pattern.compile("(\\d{1,9})-(\\d{1,18})");
    private static final String GROUP = "sentinel-quarantine-index";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);

    private final MessageLog log;
    private final QuarantineConfig config;
    private final Clock clock;
    private final io.mqttsentinel.api.Ticker ticker;
    private final QuarantineIndex index;
    private final MeterRegistry registry;
    private final List<Meter> meters;
    private final Counter released;
    private final Counter deleted;
    private final Object readLock = new Object();
    private final LogReader reader; // guarded by readLock
    private final Map<Integer, Long> next = new HashMap<>(); // guarded by readLock: where reading the log goes on
    private volatile boolean closed;

    /**
     * Delivers a released message (the broker's publish path, without inspection).
     */
    @FunctionalInterface
    public interface Delivery {
        /**
         * @param message the message
         * @param payload its payload
         * @return completes once the message is stored for delivery; exceptionally when it was not
         */
        CompletionStage<?> deliver(QuarantinedMessage message, byte[] payload);
    }

    private QuarantineStore(Builder b) {
        this.log = b.log;
        this.config = b.config;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.index = new QuarantineIndex(config.maxEntries());
        this.registry = b.registry == null ? new SimpleMeterRegistry() : b.registry;
        this.reader = log.openReader(GROUP);
        try {
            reader.seekToEarliest();
            next.putAll(reader.positions());
            synchronized (readLock) {
                catchUp();
            }
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        prune();
        this.released = Counter.builder("sentinel_quarantine_released_total")
                .description("Quarantined messages an operator released (delivered)").register(registry);
        this.deleted = Counter.builder("sentinel_quarantine_deleted_total")
                .description("Quarantined messages an operator deleted").register(registry);
        this.meters = List.of(released, deleted,
                Gauge.builder("sentinel_quarantine_messages", index, QuarantineIndex::size)
                        .description("Quarantined messages held (released ones included, deleted ones not)").register(registry),
                FunctionCounter.builder("sentinel_quarantine_evicted_total", index, QuarantineIndex::evicted)
                        .description("Entries that left the quarantine index for its size bound (still in the log "
                                + "until retention)").register(registry));
        LOG.info("quarantine: {} message(s) held, retention {}", index.size(), Values.format(config.retention()));
    }

    /**
     * @param log the quarantine log: a log of its own, never the broker's message log
     * @return a builder with {@link QuarantineConfig#ofDefaults()}
     */
    public static Builder builder(MessageLog log) {
        return new Builder(log);
    }

    /**
     * @param id a message id as text
     * @return its record's position, or empty when the text is not an id ({@code <partition>-<offset>})
     */
    public static Optional<LogPosition> parseId(String id) {
        Matcher m = ID.matcher(Objects.requireNonNull(id, "id"));
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new LogPosition(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))));
    }

    /** @return the settings the store runs with */
    public QuarantineConfig config() {
        return config;
    }

    /**
     * Keeps a quarantined message: what the broker calls for a {@code QUARANTINE} verdict.
     *
     * @param message  what was published (topic, payload, QoS, client id, receive time)
     * @param findings the inspector's findings
     * @return completes with the stored message once its record is durable; exceptionally with
     *         {@link MessageLogException} when the log did not store it
     */
    public CompletionStage<QuarantinedMessage> add(LogEntry message, List<Finding> findings) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(findings, "findings");
        LogEntry record = QuarantineRecords.message(message.topic(), message.payload(), message.qos(), message.clientId(),
                message.timestampMillis(), findings);
        return append(record).thenApply(pos -> index.putMessage(pos, message.clientId(), message.topic(),
                message.qos(), message.payloadSize(), message.timestampMillis(), findings));
    }

    /**
     * @param query filters and page
     * @return the page, newest first
     * @throws MessageLogException when the log cannot be read
     */
    public QuarantinePage list(QuarantineQuery query) {
        Objects.requireNonNull(query, "query");
        refresh();
        LogPosition after = query.cursor().flatMap(QuarantineStore::parseId).orElse(null);
        List<QuarantinedMessage> items = index.page(query, after);
        if (items.size() > query.limit()) {
            List<QuarantinedMessage> page = items.subList(0, query.limit());
            return new QuarantinePage(page, page.get(page.size() - 1).id());
        }
        return new QuarantinePage(items, null);
    }

    /**
     * @param id a message id
     * @return the message, unless unknown, deleted or past retention
     * @throws MessageLogException when the log cannot be read
     */
    public Optional<QuarantinedMessage> find(String id) {
        Optional<LogPosition> pos = parseId(id);
        if (pos.isEmpty()) {
            return Optional.empty();
        }
        refresh();
        return index.get(pos.get());
    }

    /**
     * @param id a message id
     * @return the message's payload, unless it is unknown, deleted or past retention
     * @throws MessageLogException when the log cannot be read
     */
    public Optional<byte[]> payload(String id) {
        return find(id).flatMap(m -> readPayload(parseId(id).orElseThrow()));
    }

    /** @return how many messages the store holds (released ones included, deleted ones not) */
    public int size() {
        return index.size();
    }

    /**
     * Releases a message: hands it and its payload to {@code delivery}, then records the release. Prefer
     * {@link BrokerAdmin#release(String, String)}, which delivers through the broker and raises the security event.
     *
     * @param id       the message's id
     * @param actor    who releases it (recorded with the release)
     * @param delivery delivers it
     * @return completes with the released message; exceptionally with {@link NoSuchElementException} when there is
     *         no such message, {@link IllegalStateException} when it was released already or a release of it is under
     *         way, or the delivery's exception (the message then stays quarantined)
     */
    public CompletionStage<QuarantinedMessage> release(String id, String actor, Delivery delivery) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(delivery, "delivery");
        Optional<LogPosition> parsed = parseId(id);
        if (parsed.isEmpty()) {
            return CompletableFuture.failedFuture(notFound(id));
        }
        LogPosition pos = parsed.get();
        try {
            refresh();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        switch (index.beginRelease(pos)) {
            case NOT_FOUND:
                return CompletableFuture.failedFuture(notFound(id));
            case ALREADY_RELEASED:
                QuarantinedMessage was = index.get(pos).orElseThrow();
                return CompletableFuture.failedFuture(new IllegalStateException("quarantined message " + id
                        + " was released already, at " + was.releasedAt() + " by " + was.releasedBy()));
            case IN_PROGRESS:
                return CompletableFuture.failedFuture(new IllegalStateException("a release of quarantined message " + id
                        + " is under way"));
            default:
                break;
        }
        CompletionStage<?> delivered;
        QuarantinedMessage message;
        try {
            message = index.get(pos).orElseThrow(() -> notFound(id));
            byte[] payload = readPayload(pos).orElseThrow(() -> notFound(id));
            delivered = delivery.deliver(message, payload);
        } catch (RuntimeException e) {
            index.endRelease(pos, false, actor, 0);
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<QuarantinedMessage> result = new CompletableFuture<>();
        delivered.whenComplete((ok, err) -> {
            if (err != null) {
                index.endRelease(pos, false, actor, 0);
                result.completeExceptionally(err);
                return;
            }
            long now = clock.millis();
            released.increment();
            append(QuarantineRecords.marker(pos, true, actor, now)).whenComplete((markerPos, markerErr) -> {
                index.endRelease(pos, true, actor, now);
                if (markerErr != null) {
                    // delivered: refusing a second release in this process is right; after a restart it would
                    // be offered again (at least once)
                    LOG.error("quarantined message {} was delivered, but its release could not be recorded in the "
                            + "quarantine log: {}", id, markerErr.toString());
                }
                result.complete(index.get(pos).orElse(message));
            });
        });
        return result;
    }

    /**
     * Deletes a message: from the moment the deletion's marker is stored it is gone from {@link #list} and
     * {@link #find}; its bytes leave the log with retention.
     *
     * @param id    the message's id
     * @param actor who deletes it (recorded with the deletion)
     * @return completes with {@code true} once deleted, {@code false} when there is no such message; exceptionally
     *         with {@link IllegalStateException} while a release of it is under way, {@link MessageLogException} when
     *         the deletion could not be stored
     */
    public CompletionStage<Boolean> delete(String id, String actor) {
        Objects.requireNonNull(actor, "actor");
        Optional<LogPosition> parsed = parseId(id);
        if (parsed.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        LogPosition pos = parsed.get();
        try {
            refresh();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (index.get(pos).isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        if (index.releasing(pos)) {
            return CompletableFuture.failedFuture(new IllegalStateException("a release of quarantined message " + id
                    + " is under way"));
        }
        long now = clock.millis();
        return append(QuarantineRecords.marker(pos, false, actor, now)).thenApply(p -> {
            index.applyMarker(pos, false, actor, now);
            deleted.increment();
            return true;
        });
    }

    /** Closes the store's reader and removes its meters; the log stays open. Idempotent. */
    @Override
    public void close() {
        synchronized (readLock) {
            if (closed) {
                return;
            }
            closed = true;
            reader.close();
        }
        meters.forEach(registry::remove);
    }

    private static NoSuchElementException notFound(String id) {
        return new NoSuchElementException("no quarantined message " + id);
    }

    private CompletableFuture<LogPosition> append(LogEntry record) {
        try {
            return log.append(record).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void refresh() {
        synchronized (readLock) {
            if (closed) {
                throw new IllegalStateException("the quarantine store is closed");
            }
            catchUp();
        }
        prune();
    }

    private void prune() {
        index.prune(clock.millis() - config.retention().toMillis());
    }

    /** Reads what was appended since the last read (by this store or another node) into the index; hold readLock. */
    private void catchUp() {
        Map<Integer, Long> end = reader.endOffsets();
        end.keySet().forEach(p -> next.putIfAbsent(p, 0L));
        if (reached(end)) {
            return;
        }
        reader.assign(new HashMap<>(next));
        long deadline = ticker.nanoTime() + READ_TIMEOUT.toNanos();
        while (!reached(end)) {
            List<LogRecord> batch;
            try {
                batch = reader.poll(1000, POLL);
            } catch (LogTruncatedException e) {
                reader.seekToEarliest(); // retention went past the index's position: what it deleted is past retention
                next.putAll(reader.positions());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MessageLogException("interrupted while reading the quarantine log", e);
            }
            for (LogRecord r : batch) {
                apply(r);
                next.put(r.position().partition(), r.offset() + 1);
            }
            if (batch.isEmpty() && ticker.nanoTime() - deadline > 0) {
                throw new MessageLogException("the quarantine log did not deliver its records up to " + end + " within "
                        + READ_TIMEOUT.toSeconds() + " s (read up to " + next + ")");
            }
        }
    }

    private boolean reached(Map<Integer, Long> end) {
        for (Map.Entry<Integer, Long> e : end.entrySet()) {
            if (next.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(LogRecord r) {
        Optional<QuarantineRecords.Decoded> decoded = QuarantineRecords.read(r);
        if (decoded.isEmpty()) {
            LOG.debug("quarantine log record {} is not a quarantine record; skipped", r.position());
            return;
        }
        if (decoded.get() instanceof QuarantineRecords.Message m) {
            index.putMessage(r.position(), r.entry().clientId(), m.topic(), r.entry().qos(), m.payload().length,
                    r.entry().timestampMillis(), m.findings());
        } else if (decoded.get() instanceof QuarantineRecords.Marker k) {
            index.applyMarker(k.target(), k.released(), k.actor(), r.entry().timestampMillis());
        }
    }

    /** Reads one message's payload from the log; the index's reading goes on from {@link #next} afterwards. */
    private Optional<byte[]> readPayload(LogPosition pos) {
        synchronized (readLock) {
            if (closed) {
                throw new IllegalStateException("the quarantine store is closed");
            }
            try {
                reader.assign(Map.of(pos.partition(), pos.offset()));
                long deadline = ticker.nanoTime() + READ_TIMEOUT.toNanos();
                while (ticker.nanoTime() - deadline < 0) {
                    for (LogRecord r : reader.poll(1, POLL)) {
                        if (r.offset() == pos.offset()) {
                            return QuarantineRecords.read(r).filter(QuarantineRecords.Message.class::isInstance)
                                    .map(d -> ((QuarantineRecords.Message) d).payload());
                        }
                        return Optional.empty(); // past it: retention removed it
                    }
                }
                throw new MessageLogException("the quarantine log did not return record " + pos + " within "
                        + READ_TIMEOUT.toSeconds() + " s");
            } catch (LogTruncatedException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MessageLogException("interrupted while reading the quarantine log", e);
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // a partition the log does not have
            } finally {
                reader.assign(new HashMap<>(next));
            }
        }
    }

    /**
     * Configures a {@link QuarantineStore}. {@link #open()} reads the log to build the index.
     */
    public static final class Builder {
        private final MessageLog log;
        private QuarantineConfig config = QuarantineConfig.ofDefaults();
        private Clock clock = Clock.systemUTC();
        private io.mqttsentinel.api.Ticker ticker = io.mqttsentinel.api.Ticker.system();
        private MeterRegistry registry;

        Builder(MessageLog log) {
            this.log = Objects.requireNonNull(log, "log");
        }

        /**
         * @param config retention and index bound; default {@link QuarantineConfig#ofDefaults()}
         * @return this builder
         */
        public Builder config(QuarantineConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param clock decides retention and stamps releases and deletions; default system UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param ticker the monotonic ticker of the store's read timeouts (default {@link io.mqttsentinel.api.Ticker#system()})
         * @return this builder
         */
        public Builder ticker(io.mqttsentinel.api.Ticker ticker) {
            this.ticker = java.util.Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param registry where the {@code sentinel_quarantine_*} meters go; default a private simple registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Reads the log once and opens the store.
         *
         * @return the store
         * @throws MessageLogException when the log cannot be read
         */
        public QuarantineStore open() {
            Builder copy = new Builder(log);
            copy.config = config;
            copy.clock = clock;
            copy.ticker = ticker;
            copy.registry = registry;
            return new QuarantineStore(copy);
        }
    }
}
