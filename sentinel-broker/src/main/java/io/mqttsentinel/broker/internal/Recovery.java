package io.mqttsentinel.broker.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;

/**
 * Rebuilds the broker's state from the message log at start, before it accepts connections: one pass
 * over the retained records, in log order.
 *
 * <ul>
 *   <li>{@code $sentinel/session/{id}} records restore a persistent session (its subscriptions and its
 *       delivery watermark) or end it; the last one wins.</li>
 *   <li>{@code $sentinel/retained/{topic}} records restore the retained message of a topic (empty clears).</li>
 *   <li>every other record (except {@code $quarantine/}) is routed to the restored, offline sessions
 *       exactly as it was when it arrived; a session skips the records at or below its watermark, so
 *       what a client acknowledged before the restart is not sent again, and what it had not is.</li>
 * </ul>
 *
 * <p>The reader's group is never committed: every start reads what retention still holds.
 */
public final class Recovery {
    /** The consumer group of the recovery reader. */
    public static final String GROUP = "sentinel-broker-recovery";
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final int BATCH = 4096;
    private static final Duration END_OF_LOG = Duration.ofMillis(200);
    private static final Duration WAIT_FOR_MARKER = Duration.ofSeconds(1);
    private static final long STALL_SECONDS = 60;

    private final SessionRegistry registry;
    private final RetainedStore retained;
    private final Router router;

    /**
     * @param registry the sessions to restore into
     * @param retained the retained store to restore into
     * @param router   routes replayed messages to restored sessions
     */
    public Recovery(SessionRegistry registry, RetainedStore retained, Router router) {
        this.registry = registry;
        this.retained = retained;
        this.router = router;
    }

    /**
     * Reads the log from its earliest record to its end. The end is found with a marker record that
     * recovery appends first ({@code $sentinel/recovery/{uuid}}): an empty poll alone does not prove the
     * end on every log (a Kafka consumer's first polls are often empty while it joins its group).
     *
     * @param log the main log
     * @param clock the time stamp of the marker
     * @return the number of records read
     * @throws InterruptedException when interrupted while reading
     * @throws IllegalStateException when the marker cannot be stored, or is not read back within
     *                               {@value #STALL_SECONDS} seconds without progress
     */
    public long replay(MessageLog log, Clock clock) throws InterruptedException {
        String marker = ReservedTopics.RECOVERY + UUID.randomUUID();
        try {
            log.append(new LogEntry(marker, new byte[0], 0, ReservedTopics.BROKER_CLIENT_ID, clock.millis())).toCompletableFuture()
                    .get(STALL_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the message log does not accept the recovery marker: " + e, e);
        }
        long count = 0;
        int truncations = 0;
        boolean markerSeen = false;
        long lastProgress = System.nanoTime();
        try (LogReader reader = log.openReader(GROUP)) {
            reader.seekToEarliest();
            while (true) {
                List<LogRecord> batch;
                try {
                    batch = reader.poll(BATCH, markerSeen ? END_OF_LOG : WAIT_FOR_MARKER);
                } catch (LogTruncatedException e) {
                    if (++truncations > 10) {
                        throw e;
                    }
                    LOG.warn("retention overtook recovery at {}; continuing from {}", e.requested(), e.earliest());
                    reader.seekToEarliest();
                    continue;
                }
                if (batch.isEmpty()) {
                    if (markerSeen) {
                        break; // the marker ends its partition; an empty poll after it ends the others
                    }
                    if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                        throw new IllegalStateException("recovery read " + count + " records but not its marker "
                                + marker + " within " + STALL_SECONDS + " s");
                    }
                    continue;
                }
                lastProgress = System.nanoTime();
                for (LogRecord r : batch) {
                    if (r.topic().equals(marker)) {
                        markerSeen = true;
                    } else {
                        apply(r);
                    }
                }
                count += batch.size();
            }
        }
        LOG.info("recovered {} log records: {} sessions, {} retained messages", count, registry.size(), retained.size());
        return count;
    }

    private void apply(LogRecord r) {
        String topic = r.topic();
        if (topic.startsWith(ReservedTopics.SESSION)) {
            String clientId = topic.substring(ReservedTopics.SESSION.length());
            try {
                registry.restore(clientId, SessionRecords.decode(r.payload()));
            } catch (IllegalArgumentException e) {
                LOG.warn("unreadable session record at {} for {}: {}", r.position(), clientId, e.getMessage());
            }
        } else if (topic.startsWith(ReservedTopics.RETAINED)) {
            String retainedTopic = topic.substring(ReservedTopics.RETAINED.length());
            if (!retainedTopic.isEmpty()) {
                retained.update(new BrokerMessage(retainedTopic, r.payload(), r.entry().qos(), r.position(), 0),
                        r.entry().timestampMillis());
            }
        } else if (!ReservedTopics.isReserved(topic)) {
            router.route(new BrokerMessage(topic, r.payload(), r.entry().qos(), r.position(), 0));
        }
    }
}
