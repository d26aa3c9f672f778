package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment: the records from {@link #baseOffset} on, in the file {@code <baseOffset>.log}, with its
 * sparse index beside it in {@code <baseOffset>.idx} once sealed.
 *
 * <p>The writer thread alone changes the active segment; readers see a sealed segment's final size through
 * {@link #sealedSize} and the active one's through the log's published tail.
 */
final class Segment {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".idx";

    final long baseOffset;
    final Path file;
    final Path indexFile;
    final SparseIndex index;
    /** -1 while active; the final size once sealed (written before the tail moves past this segment). */
    volatile long sealedSize = -1;
    /** Append time of the first and the last record, -1 when empty. */
    volatile long firstAppendTime = -1;
    volatile long lastAppendTime = -1;
    /** Offset after the last record (known for the active segment and after a scan). */
    volatile long endOffset;
    /** Bytes in the file as far as the log knows (the writer's view for the active segment). */
    volatile long size;

    Segment(Path dir, long baseOffset, SparseIndex index) {
        this.baseOffset = baseOffset;
        this.file = dir.resolve(name(baseOffset) + LOG_SUFFIX);
        this.indexFile = dir.resolve(name(baseOffset) + INDEX_SUFFIX);
        this.index = index;
        this.endOffset = baseOffset;
    }

    static String name(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** @return the base offset named by a segment file name, or -1 when it is not one */
    static long parseBase(String fileName) {
        if (!fileName.endsWith(LOG_SUFFIX) || fileName.length() != 20 + LOG_SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    boolean isEmpty() {
        return endOffset == baseOffset;
    }

    /** What a checksum scan of a segment file found. */
    static final class ScanResult {
        long validEnd;
        long nextOffset;
        long firstAppendTime = -1;
        long lastAppendTime = -1;
        long records;
    }

    /**
     * Reads records from {@code start} (whose record has offset {@code startOffset}, or any offset when
     * -1) and stops at the first byte that is not a valid record following the previous one: a bad
     * length, a checksum mismatch, a wrong magic byte or an out-of-sequence offset.
     *
     * @param index when not null, receives an entry for every record scanned
     */
    static ScanResult scan(FileChannel ch, long fileSize, long start, long startOffset, SparseIndex index)
            throws IOException {
        ScanResult r = new ScanResult();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long pos = start;
        long expected = startOffset;
        outer:
        while (pos < fileSize) {
            buf.clear();
            if (buf.capacity() > fileSize - pos) {
                buf.limit((int) (fileSize - pos));
            }
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    fileSize = pos + buf.position();
                    break;
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                long at = pos + buf.position();
                int size = RecordCodec.check(buf, fileSize - at);
                if (size < 0) {
                    pos += buf.position();
                    break outer;
                }
                if (size == 0) {
                    if (buf.position() == 0) {
                        // one record larger than the buffer: grow it and read again
                        buf = ByteBuffer.allocateDirect(RecordCodec.HEADER + buf.getInt(0));
                        continue outer;
                    }
                    break;
                }
                long offset = RecordCodec.offsetAt(buf);
                if (expected >= 0 && offset != expected) {
                    pos += buf.position();
                    break outer;
                }
                long time = RecordCodec.appendTimeAt(buf);
                if (r.firstAppendTime < 0) {
                    r.firstAppendTime = time;
                }
                r.lastAppendTime = time;
                if (index != null) {
                    index.maybeAdd(offset, (int) at);
                }
                r.records++;
                expected = offset + 1;
                buf.position(buf.position() + size);
            }
            pos += buf.position();
        }
        r.validEnd = pos;
        r.nextOffset = expected;
        return r;
    }
}
