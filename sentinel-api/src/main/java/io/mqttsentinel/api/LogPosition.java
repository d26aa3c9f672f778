package io.mqttsentinel.api;

/**
 * Where a record lives in a {@link MessageLog}: a partition and an offset within it. Offsets grow by one
 * per record within a partition; order between partitions is not defined. A log that is not partitioned
 * uses partition 0.
 *
 * @param partition the partition, 0 or more
 * @param offset    the offset within the partition, 0 or more
 */
public record LogPosition(int partition, long offset) implements Comparable<LogPosition> {

    /**
     * @param partition the partition
     * @param offset    the offset
     */
    public LogPosition {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    @Override
    public int compareTo(LogPosition o) {
        int c = Integer.compare(partition, o.partition);
        return c != 0 ? c : Long.compare(offset, o.offset);
    }
}
