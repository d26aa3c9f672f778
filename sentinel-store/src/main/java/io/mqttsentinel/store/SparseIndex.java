package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A sparse offset-to-file-position index of one segment: one entry every {@code intervalBytes} of records.
 * A lookup returns the nearest indexed record at or before an offset; the reader scans forward from there.
 * Stored beside a sealed segment as pairs of (offset - baseOffset: int32, position: int32); the active
 * segment's index lives in memory only and is rebuilt by the recovery scan.
 *
 * <p>Thread-safe: the writer adds while readers look up.
 */
final class SparseIndex {
    private final long baseOffset;
    private final int intervalBytes;
    private int[] relOffsets = new int[64];
    private int[] positions = new int[64];
    private int size;
    private int lastIndexedPosition = -1;

    SparseIndex(long baseOffset, int intervalBytes) {
        this.baseOffset = baseOffset;
        this.intervalBytes = intervalBytes;
    }

    /** Called for every record in order; indexes the record when it starts a new interval. */
    synchronized void maybeAdd(long offset, int position) {
        if (lastIndexedPosition >= 0 && position - lastIndexedPosition < intervalBytes) {
            return;
        }
        add(offset, position);
    }

    private void add(long offset, int position) {
        if (size == relOffsets.length) {
            relOffsets = Arrays.copyOf(relOffsets, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        relOffsets[size] = (int) (offset - baseOffset);
        positions[size] = position;
        size++;
        lastIndexedPosition = position;
    }

    /** @return the file position of the last indexed record at or before {@code offset}, else 0 */
    synchronized int lookup(long offset) {
        long rel = offset - baseOffset;
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (relOffsets[mid] <= rel) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : positions[found];
    }

    /** @return the file position of the last indexed record, else 0 */
    synchronized int lastPosition() {
        return size == 0 ? 0 : positions[size - 1];
    }

    synchronized void writeTo(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size * 8);
        for (int i = 0; i < size; i++) {
            buf.putInt(relOffsets[i]).putInt(positions[i]);
        }
        buf.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /**
     * Loads an index file written by {@link #writeTo}.
     *
     * @return the index, or {@code null} when the file is missing or not consistent with a segment of
     *         {@code segmentSize} bytes (the caller then rebuilds it by scanning)
     */
    static SparseIndex readFrom(Path file, long baseOffset, int intervalBytes, long segmentSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % 8 != 0) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        SparseIndex index = new SparseIndex(baseOffset, intervalBytes);
        int prevRel = -1;
        int prevPos = -1;
        while (buf.hasRemaining()) {
            int rel = buf.getInt();
            int pos = buf.getInt();
            if (rel <= prevRel || pos <= prevPos || pos >= segmentSize) {
                return null;
            }
            index.add(baseOffset + rel, pos);
            prevRel = rel;
            prevPos = pos;
        }
        return index;
    }
}
