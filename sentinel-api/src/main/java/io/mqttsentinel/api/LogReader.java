package io.mqttsentinel.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A cursor of one consumer group over a {@link MessageLog}: reads records in order per partition, and
 * remembers durably how far the group got.
 *
 * <p><b>Lifecycle:</b> opened with {@link MessageLog#openReader(String)}, positioned at the group's last
 * committed position (or at the earliest record for a new group), then {@link #poll} and {@link #commit}
 * in a loop, then {@link #close()}. A reader of the same group opened after a restart resumes exactly
 * after the last committed record: nothing committed is read again, nothing not committed is skipped.
 *
 * <p><b>Thread-safety:</b> a reader is used by one thread at a time (like a Kafka consumer). Different
 * readers may be used concurrently.
 */
public interface LogReader extends AutoCloseable {

    /**
     * Returns the next records, waiting up to {@code timeout} when none are available.
     *
     * @param maxRecords the most records to return, at least 1
     * @param timeout    how long to wait for a first record
     * @return the records in append order per partition; empty when none arrived in time
     * @throws LogTruncatedException when the reader's position was deleted by retention; the reader does
     *                               not move until the caller seeks
     * @throws InterruptedException  when the waiting thread is interrupted
     */
    List<LogRecord> poll(int maxRecords, Duration timeout) throws InterruptedException;

    /**
     * Records durably that the group has processed {@code record} and every record before it in the same
     * partition.
     *
     * @param record the last processed record of its partition
     * @return a stage that completes when the progress is durable
     */
    CompletionStage<Void> commit(LogRecord record);

    /**
     * Moves the reader to {@code position}: the next poll of that partition starts there.
     *
     * @param position where to read next
     */
    void seek(LogPosition position);

    /** Moves the reader to the earliest record still held, in every partition. */
    void seekToEarliest();

    /** Releases the reader; uncommitted progress is forgotten. */
    @Override
    void close();
}
