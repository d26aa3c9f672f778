package io.mqttsentinel.store;

import java.time.Duration;
import java.util.Objects;

/**
 * When {@link SegmentedFileLog} forces appended records to the disk, and so what an append's completion
 * promises. Whatever the policy, a crash of the <em>process</em> loses nothing that completed (the bytes
 * are in the operating system's page cache); the policies differ on a crash of the <em>machine</em>
 * (power cut, kernel panic):
 *
 * <ul>
 *   <li>{@link #ALWAYS} (the default, required for QoS 1): an append completes only after {@code fsync}
 *       (fdatasync) of the bytes. Appends that arrive while one fsync runs share the next one (group
 *       commit). <b>Loses nothing that completed.</b></li>
 *   <li>{@link #interval(Duration)}: an append completes once written to the file; the log forces the file
 *       every interval (and when a segment is sealed). <b>Loses up to one interval of completed appends</b>
 *       on a machine crash.</li>
 *   <li>{@link #OS}: an append completes once written; the operating system writes the page cache back
 *       when it likes (Linux: typically within 30 s), the log forces only when it seals a segment or
 *       closes. <b>Loses what the OS had not written back</b> on a machine crash.</li>
 * </ul>
 *
 * <p>Immutable.
 */
public final class FsyncPolicy {

    /** The three kinds of policy. */
    public enum Kind {
        /** fsync before an append completes. */
        ALWAYS,
        /** fsync every interval. */
        INTERVAL,
        /** leave it to the operating system. */
        OS
    }

    /** fsync before every append completes, appends in flight share one fsync. The default. */
    public static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, Duration.ZERO);
    /** Never fsync except when sealing a segment and on close. */
    public static final FsyncPolicy OS = new FsyncPolicy(Kind.OS, Duration.ZERO);

    /** Largest allowed interval. */
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(1);

    private final Kind kind;
    private final Duration interval;

    private FsyncPolicy(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    /**
     * @param interval how often to fsync, 1 ms to 1 minute
     * @return a policy that completes appends once written and fsyncs every {@code interval}
     */
    public static FsyncPolicy interval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("interval must be between 1 ms and " + MAX_INTERVAL.toMillis()
                    + " ms, was " + interval.toMillis() + " ms");
        }
        return new FsyncPolicy(Kind.INTERVAL, interval);
    }

    /** @return the kind of policy */
    public Kind kind() {
        return kind;
    }

    /** @return the fsync interval of an {@link Kind#INTERVAL} policy, else zero */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FsyncPolicy && ((FsyncPolicy) o).kind == kind && ((FsyncPolicy) o).interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? "INTERVAL(" + interval.toMillis() + " ms)" : kind.name();
    }
}
