package io.mqttsentinel.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /**
     * The end of the log as the reader sees it now: for every partition of the log, the offset the next
     * record appended to it will get (0 for an empty partition). Records below it in a partition are
     * either readable or already deleted by retention. Does not move the reader.
     *
     * <p>The core broker uses it at start to learn where live routing begins, so that recovery reads a
     * bounded tail instead of the whole log.
     *
     * @return partition to next offset, for every partition of the log
     * @throws MessageLogException when the log cannot tell (e.g. the cluster is unreachable)
     * @throws UnsupportedOperationException when the implementation predates this method
     */
    default Map<Integer, Long> endOffsets() {
        throw new UnsupportedOperationException(getClass().getName() + " does not report the end of the log");
    }

    /**
     * Where the reader stands: for every partition it reads, the offset the next {@link #poll} of that
     * partition starts at. A reader just opened stands at its group's committed positions (or at the
     * earliest record where the group committed nothing). Does not move the reader.
     *
     * <p>The core broker uses it to find its last snapshot, whose position it keeps as a group commit.
     *
     * @return partition to the next offset to read, for every partition the reader reads
     * @throws MessageLogException when the log cannot tell
     * @throws UnsupportedOperationException when the implementation predates this method
     */
    default Map<Integer, Long> positions() {
        throw new UnsupportedOperationException(getClass().getName() + " does not report its positions");
    }

    /**
     * Restricts the reader to the partitions in {@code offsets}, each positioned at its offset: from now on
     * {@link #poll} returns records of these partitions only (none at all for an empty map), and
     * {@link #seek} and {@link #seekToEarliest()} act on them. Records the reader had fetched but not
     * returned are forgotten. An offset that retention has deleted is reported by the next {@link #poll}
     * with {@link LogTruncatedException}, as for {@link #seek}.
     *
     * <p>The core broker uses it to let a session that fell behind catch up from its own position, reading
     * only the partitions that hold its backlog.
     *
     * @param offsets partition to the offset to read next; every partition must exist in the log
     * @throws IllegalArgumentException when a partition does not exist or an offset is negative
     * @throws UnsupportedOperationException when the implementation predates this method
     */
    default void assign(Map<Integer, Long> offsets) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot be assigned partitions");
    }

    /** Releases the reader; uncommitted progress is forgotten. */
    @Override
    void close();
}
