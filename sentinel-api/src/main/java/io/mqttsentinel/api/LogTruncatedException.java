package io.mqttsentinel.api;

/**
 * A {@link LogReader} asked for records that retention has already deleted. The reader is not moved
 * silently: it stays where it was until the caller decides, typically with
 * {@link LogReader#seekToEarliest()}, and records the gap (messages were lost to retention).
 */
public class LogTruncatedException extends MessageLogException {
    private static final long serialVersionUID = 1L;

    private final LogPosition requested;
    private final LogPosition earliest;

    /**
     * @param requested the position the reader asked for
     * @param earliest  the earliest position still held in that partition
     */
    public LogTruncatedException(LogPosition requested, LogPosition earliest) {
        super("position " + requested + " is behind retention; the earliest held is " + earliest);
        this.requested = requested;
        this.earliest = earliest;
    }

    /** @return the position the reader asked for */
    public LogPosition requested() {
        return requested;
    }

    /** @return the earliest position still held in that partition */
    public LogPosition earliest() {
        return earliest;
    }
}
