package io.mqttsentinel.api;

import java.util.concurrent.CompletionStage;

/**
 * The durable, ordered message store of the core broker.
 *
 * <p><b>Contract</b> (checked for every implementation by one compatibility test kit):
 * <ul>
 *   <li>{@link #append} completes with the record's position only once the record is durable under the
 *       configured policy (fsync for the file log, {@code acks=all} with {@code min.insync.replicas} for
 *       Kafka). The broker PUBACKs a QoS 1 message only then. An append that completes exceptionally
 *       (with {@link MessageLogException}) was not stored and must not be acknowledged.</li>
 *   <li>Records with the same {@linkplain LogEntry#orderingKey() ordering key} are read back in the order
 *       their appends were called.</li>
 *   <li>Retention removes records by age (72 hours by default) and by total size; a reader behind it is
 *       told with {@link LogTruncatedException}, not silently moved.</li>
 *   <li>Readers of a consumer group resume after a restart exactly where the group committed.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> {@link #append} may be called from many threads at once; the returned stage
 * is completed on a thread of the log's own, so callers must not block in its callbacks.
 */
public interface MessageLog extends AutoCloseable {

    /**
     * @param entry the message to store
     * @return a stage that completes with the record's position when it is durable, or exceptionally
     *         with a {@link MessageLogException} when it could not be stored
     */
    CompletionStage<LogPosition> append(LogEntry entry);

    /**
     * @param group the consumer group's name (e.g. a bridge or a persistent session)
     * @return a reader positioned at the group's last committed position, or at the earliest record
     */
    LogReader openReader(String group);

    /** Flushes what can be flushed and releases files, threads and connections. */
    @Override
    void close();
}
