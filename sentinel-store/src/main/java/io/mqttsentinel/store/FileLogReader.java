package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLogException;

/**
 * A consumer group's cursor over a {@link SegmentedFileLog}. It reads through a file channel of its own
 * (an interrupt of the reading thread closes only that channel, never the writer's), and remembers the
 * file position of its next record so that sequential polls do not consult the index.
 *
 * <p>The log has one partition, 0: {@link #endOffsets()} is {@code {0: next offset}}, and
 * {@link #assign(Map)} either assigns partition 0 at an offset or, with an empty map, nothing at all, in
 * which case polls wait their timeout and return nothing until partition 0 is assigned again.
 */
final class FileLogReader implements LogReader {
    /** Largest read when replaying a backlog; a reader that follows the tail reads only what is new. */
    private static final int CHUNK = 256 << 10;
    private static final int SMALL = 8 << 10;

    private final SegmentedFileLog log;
    private final String group;
    private long position;
    private Segment segment;
    private FileChannel channel;
    /** File position of the record at {@link #position} in {@link #segment}, or -1 when unknown. */
    private long filePosition = -1;
    /** Grows while replaying a backlog and shrinks again once caught up, so idle readers stay small. */
    private ByteBuffer buffer = ByteBuffer.allocate(SMALL);
    /** False after {@code assign(Map.of())}: partition 0 is not read, nor sought, until assigned again. */
    private boolean assigned = true;
    private boolean closed;

    FileLogReader(SegmentedFileLog log, String group, long position) {
        this.log = log;
        this.group = group;
        this.position = position;
    }

    @Override
    public List<LogRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
        }
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        long deadline = log.ticker().nanoTime() + Math.max(0, timeout.toNanos());
        if (!assigned) {
            idleUntil(deadline);
            return List.of();
        }
        while (true) {
            checkTruncated();
            SegmentedFileLog.Tail tail = log.tail;
            if (position < tail.nextOffset) {
                List<LogRecord> records = read(maxRecords, tail);
                if (!records.isEmpty()) {
                    return records;
                }
            }
            long left = deadline - log.ticker().nanoTime();
            if (left <= 0 || log.isClosed()) {
                checkOpen();
                return List.of();
            }
            log.awaitAppend(position, left);
        }
    }

    /**
     * Waits as a poll without records would, so that a caller polling in a loop does not spin; returns early
     * only when the log closes (and then throws as any poll of a closed log does).
     */
    private void idleUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - log.ticker().nanoTime()) > 0 && !log.isClosed()) {
            log.awaitAppend(Long.MAX_VALUE, left); // no offset ever gets there: only the deadline or close ends it
        }
        checkOpen();
    }

    private void checkTruncated() {
        long earliest = log.earliestOffset();
        if (position < earliest) {
            throw new LogTruncatedException(new LogPosition(0, position), new LogPosition(0, earliest));
        }
    }

    private List<LogRecord> read(int max, SegmentedFileLog.Tail tail) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>(Math.min(max, 1024));
        try {
            if (!positioned()) {
                locate();
            }
            while (out.size() < max && position < tail.nextOffset) {
                long limit = segment == tail.segment ? tail.endPosition : segment.sealedSize;
                if (limit < 0) {
                    break; // a newer segment than the tail saw: nothing readable there yet
                }
                if (filePosition >= limit) {
                    Map.Entry<Long, Segment> next = log.segments.higherEntry(segment.baseOffset);
                    if (next == null || segment == tail.segment) {
                        break;
                    }
                    open(next.getValue(), 0);
                    continue;
                }
                readChunk(out, max, limit);
            }
            if (position >= tail.nextOffset && buffer.capacity() > SMALL) {
                buffer = ByteBuffer.allocate(SMALL);
            }
        } catch (NoSuchFileException e) {
            forget();
            checkTruncated();
            throw new MessageLogException("segment file vanished from " + log.directory() + ": " + e, e);
        } catch (ClosedByInterruptException e) {
            forget();
            Thread.interrupted();
            throw new InterruptedException("interrupted while reading " + log.directory());
        } catch (IOException e) {
            forget();
            throw new MessageLogException("could not read the message log " + log.directory() + ": " + e, e);
        }
        return out;
    }

    private boolean positioned() {
        return segment != null && filePosition >= 0 && position >= segment.baseOffset
                && log.segments.get(segment.baseOffset) == segment;
    }

    /** Finds the segment and file position of {@link #position} through the sparse index. */
    private void locate() throws IOException {
        Map.Entry<Long, Segment> e = log.segments.floorEntry(position);
        if (e == null) {
            checkTruncated();
            throw new MessageLogException("no segment holds offset " + position + " in " + log.directory());
        }
        open(e.getValue(), e.getValue().index.lookup(position));
    }

    private void open(Segment s, long at) throws IOException {
        if (segment != s || channel == null) {
            closeChannel();
            channel = FileChannel.open(s.file, StandardOpenOption.READ);
            segment = s;
        }
        filePosition = at;
    }

    /** Reads one chunk at {@link #filePosition} and decodes the whole records in it. */
    private void readChunk(List<LogRecord> out, int max, long limit) throws IOException {
        long available = limit - filePosition;
        if (buffer.capacity() < CHUNK && available > buffer.capacity()) {
            buffer = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(available, buffer.capacity() * 2L)));
        }
        buffer.clear();
        if (buffer.capacity() > available) {
            buffer.limit((int) available);
        }
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, filePosition + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
        while (buffer.hasRemaining() && out.size() < max) {
            long at = filePosition + buffer.position();
            int size = RecordCodec.check(buffer, limit - at);
            if (size == 0) {
                if (buffer.position() == 0) {
                    buffer = ByteBuffer.allocate(RecordCodec.HEADER + buffer.getInt(0));
                }
                break;
            }
            if (size < 0) {
                throw new MessageLogException("corrupt record in " + segment.file + " at position " + at
                        + " (checksum or length mismatch) while reading offset " + position);
            }
            long offset = RecordCodec.offsetAt(buffer);
            if (offset < position) {
                buffer.position(buffer.position() + size); // scanning forward from an index entry
                continue;
            }
            if (offset != position) {
                throw new MessageLogException("record at " + segment.file + " position " + at + " has offset "
                        + offset + ", expected " + position);
            }
            out.add(RecordCodec.decode(buffer));
            position++;
        }
        filePosition += buffer.position();
    }

    @Override
    public CompletionStage<Void> commit(LogRecord record) {
        Objects.requireNonNull(record, "record");
        checkPartition(record.position());
        checkOpen();
        return log.groups().commitAsync(group, record.offset() + 1, log.maintenance());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the position is not in partition 0, or partition 0 is not assigned
     *                                  (after {@code assign(Map.of())})
     */
    @Override
    public void seek(LogPosition position) {
        Objects.requireNonNull(position, "position");
        checkPartition(position);
        checkOpen();
        if (!assigned) {
            throw new IllegalArgumentException("cannot seek to " + position + ": partition 0 is not assigned to the "
                    + "reader of group '" + group + "' (it was assigned no partitions); assign it first");
        }
        moveTo(position.offset());
    }

    /** {@inheritDoc} Does nothing while no partition is assigned. */
    @Override
    public void seekToEarliest() {
        checkOpen();
        if (assigned) {
            moveTo(log.earliestOffset());
        }
    }

    /** @return {@code {0: the offset the next append gets}} */
    /** {@inheritDoc} {@code {0: next offset to read}}, or nothing while no partition is assigned. */
    @Override
    public Map<Integer, Long> positions() {
        checkOpen();
        return assigned ? Map.of(0, position) : Map.of();
    }

    @Override
    public Map<Integer, Long> endOffsets() {
        checkOpen();
        return Map.of(0, log.nextOffset());
    }

    /**
     * {@inheritDoc}
     *
     * @param offsets {@code {0: offset}}, or an empty map to read nothing until assigned again
     * @throws IllegalArgumentException when a partition other than 0 is given or the offset is negative
     */
    @Override
    public void assign(Map<Integer, Long> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        Long offset = null;
        for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
            Integer partition = Objects.requireNonNull(e.getKey(), "partition");
            offset = Objects.requireNonNull(e.getValue(), "offset of partition " + partition);
            if (partition != 0) {
                throw new IllegalArgumentException("the file log has only partition 0, cannot assign partition " + partition);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset of partition 0 must be >= 0, was " + offset);
            }
        }
        checkOpen();
        assigned = offset != null;
        if (assigned) {
            moveTo(offset);
        }
    }

    private void moveTo(long offset) {
        this.position = offset;
        this.filePosition = -1;
    }

    @Override
    public void close() {
        closed = true;
        closeChannel();
    }

    private void checkPartition(LogPosition p) {
        if (p.partition() != 0) {
            throw new IllegalArgumentException("the file log has only partition 0, was " + p.partition());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("reader of group '" + group + "' is closed");
        }
        log.checkOpen();
    }

    private void forget() {
        closeChannel();
        filePosition = -1;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
            channel = null;
        }
        segment = null;
    }
}
