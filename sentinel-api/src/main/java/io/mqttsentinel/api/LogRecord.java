package io.mqttsentinel.api;

import java.util.Objects;

/**
 * A message read back from a {@link MessageLog}: the appended entry and its position.
 *
 * @param position where the record lives
 * @param entry    what was appended
 */
public record LogRecord(LogPosition position, LogEntry entry) {

    /**
     * @param position where the record lives
     * @param entry    what was appended
     */
    public LogRecord {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(entry, "entry");
    }

    /** @return the record's topic */
    public String topic() {
        return entry.topic();
    }

    /** @return a copy of the record's payload */
    public byte[] payload() {
        return entry.payload();
    }

    /** @return the record's offset within its partition */
    public long offset() {
        return position.offset();
    }
}
