package io.mqttsentinel.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;

/**
 * The operator-facing settings of a {@link SegmentedFileLog}: retention by age and by size, the fsync policy
 * and the segment size. Read from {@code SENTINEL_STORE_*} environment variables by {@link #fromEnvironment(Map)}
 * (the keys, defaults and ranges are in {@link #settings()}) or set with {@link #builder()}, and applied with
 * {@link SegmentedFileLog.Builder#config(StoreConfig)}.
 *
 * <p>Immutable. The builder checks each value when it is set ({@code <parameter> must be <range>, was
 * <value>}).
 */
public final class StoreConfig {
    /** Environment key of the retention by age. */
    public static final String RETENTION = "SENTINEL_STORE_RETENTION";
    /** Environment key of the retention by total size. */
    public static final String MAX_BYTES = "SENTINEL_STORE_MAX_BYTES";
    /** Environment key of the fsync policy. */
    public static final String FSYNC = "SENTINEL_STORE_FSYNC";
    /** Environment key of the interval of the {@code interval} fsync policy. */
    public static final String FSYNC_INTERVAL_MS = "SENTINEL_STORE_FSYNC_INTERVAL_MS";
    /** Environment key of the segment size. */
    public static final String SEGMENT_BYTES = "SENTINEL_STORE_SEGMENT_BYTES";

    /** Default retention by age: 72 hours, as the architecture asks. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(72);
    /** Shortest retention. */
    public static final Duration MIN_RETENTION = Duration.ofMinutes(1);
    /** Longest retention. */
    public static final Duration MAX_RETENTION = Duration.ofDays(3650);
    /** Retention by size that never deletes. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** Smallest retention by size. */
    public static final long MIN_MAX_BYTES = 1L << 20;
    /** Default segment size: 128 MiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 128 << 20;
    /** Smallest segment size. */
    public static final int MIN_SEGMENT_BYTES = 1 << 10;
    /** Largest segment size (positions in the index are 32-bit). */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;
    /** Default fsync interval of the {@code interval} policy. */
    public static final long DEFAULT_FSYNC_INTERVAL_MS = 1000;

    private static final Duration MIN_FSYNC_INTERVAL = Duration.ofMillis(1);
    private static final String MAX_BYTES_RANGE = Values.formatSize(MIN_MAX_BYTES) + " or more, or unlimited";

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.<Builder>duration(RETENTION, "retention", MIN_RETENTION, MAX_RETENTION, DEFAULT_RETENTION,
                    "Records older than this are deleted, a whole segment at a time", Builder::retention)
                    .defaultText(DEFAULT_RETENTION.toHours() + "h"),
            Setting.text(MAX_BYTES, "maxTotalBytes", "unlimited", MAX_BYTES_RANGE + " (bytes, or k, m, g, t units)",
                    "Oldest segments are deleted while the log is larger than this",
                    (b, v) -> b.maxTotalBytes(v.equalsIgnoreCase("unlimited") ? UNLIMITED : Values.size(v))),
            Setting.choice(FSYNC, "fsync", FsyncPolicy.Kind.class, FsyncPolicy.Kind.ALWAYS, "When appends are forced "
                    + "to disk (always: before the PUBACK; interval: every " + FSYNC_INTERVAL_MS + "; os: when the OS "
                    + "writes back), see FsyncPolicy", Builder::fsync),
            Setting.<Builder>duration(FSYNC_INTERVAL_MS, "fsyncInterval", MIN_FSYNC_INTERVAL, FsyncPolicy.MAX_INTERVAL,
                    Duration.ofMillis(DEFAULT_FSYNC_INTERVAL_MS), "fsync period when " + FSYNC + "=interval",
                    Builder::fsyncInterval).defaultText(Long.toString(DEFAULT_FSYNC_INTERVAL_MS)),
            Setting.size(SEGMENT_BYTES, "segmentBytes", MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES, DEFAULT_SEGMENT_BYTES,
                    "Size of one log segment file", (b, n) -> b.segmentBytes((int) n)));

    private final Duration retention;
    private final long maxTotalBytes;
    private final FsyncPolicy fsyncPolicy;
    private final int segmentBytes;

    private StoreConfig(Duration retention, long maxTotalBytes, FsyncPolicy fsyncPolicy, int segmentBytes) {
        this.retention = retention;
        this.maxTotalBytes = maxTotalBytes;
        this.fsyncPolicy = fsyncPolicy;
        this.segmentBytes = segmentBytes;
    }

    /** @return 72 h retention, no size limit, {@link FsyncPolicy#ALWAYS}, 128 MiB segments */
    public static StoreConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Every {@code SENTINEL_STORE_*} key of the file log, its builder parameter, default and range: the one place
     * they are written. {@link #fromEnvironment(Map)} applies them in this order.
     *
     * @return the settings, unmodifiable
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key takes its default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key, the value and what is allowed when a value is invalid
     */
    public static StoreConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    static Duration checkRetention(Duration retention) {
        return Values.checkRange("retention", retention, MIN_RETENTION, MAX_RETENTION);
    }

    static long checkMaxBytes(long maxTotalBytes) {
        if (maxTotalBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxTotalBytes must be " + MAX_BYTES_RANGE + ", was " + maxTotalBytes);
        }
        return maxTotalBytes;
    }

    static int checkSegmentBytes(int segmentBytes) {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be " + Values.formatSize(MIN_SEGMENT_BYTES) + " to "
                    + Values.formatSize(MAX_SEGMENT_BYTES) + " bytes, was " + segmentBytes);
        }
        return segmentBytes;
    }

    /** @return retention by age */
    public Duration retention() {
        return retention;
    }

    /** @return retention by total size in bytes, {@link #UNLIMITED} when none */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    /** @return the fsync policy */
    public FsyncPolicy fsyncPolicy() {
        return fsyncPolicy;
    }

    /** @return the segment size in bytes */
    public int segmentBytes() {
        return segmentBytes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StoreConfig)) {
            return false;
        }
        StoreConfig c = (StoreConfig) o;
        return retention.equals(c.retention) && maxTotalBytes == c.maxTotalBytes && fsyncPolicy.equals(c.fsyncPolicy)
                && segmentBytes == c.segmentBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(retention, maxTotalBytes, fsyncPolicy, segmentBytes);
    }

    @Override
    public String toString() {
        return "StoreConfig[retention=" + retention + ", maxTotalBytes="
                + (maxTotalBytes == UNLIMITED ? "unlimited" : Long.toString(maxTotalBytes))
                + ", fsyncPolicy=" + fsyncPolicy + ", segmentBytes=" + segmentBytes + "]";
    }

    /**
     * Checks each value when it is set; {@link #build()} copies the values into a new {@link StoreConfig}, so one
     * builder can build any number of independent configurations. Not thread-safe.
     */
    public static final class Builder {
        private Duration retention = DEFAULT_RETENTION;
        private long maxTotalBytes = UNLIMITED;
        private FsyncPolicy.Kind fsync = FsyncPolicy.Kind.ALWAYS;
        private Duration fsyncInterval = Duration.ofMillis(DEFAULT_FSYNC_INTERVAL_MS);
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;

        Builder() {
        }

        Builder(StoreConfig c) {
            retention = c.retention;
            maxTotalBytes = c.maxTotalBytes;
            fsyncPolicy(c.fsyncPolicy);
            segmentBytes = c.segmentBytes;
        }

        /**
         * @param retention retention by age, 1m to 3650d
         * @return this builder
         */
        public Builder retention(Duration retention) {
            this.retention = checkRetention(retention);
            return this;
        }

        /**
         * @param maxTotalBytes retention by size, at least 1 MiB, or {@link #UNLIMITED}
         * @return this builder
         */
        public Builder maxTotalBytes(long maxTotalBytes) {
            this.maxTotalBytes = checkMaxBytes(maxTotalBytes);
            return this;
        }

        /**
         * @param policy the fsync policy (sets {@link #fsync(FsyncPolicy.Kind)} and, for an interval policy,
         *               {@link #fsyncInterval(Duration)})
         * @return this builder
         */
        public Builder fsyncPolicy(FsyncPolicy policy) {
            Objects.requireNonNull(policy, "fsyncPolicy");
            this.fsync = policy.kind();
            if (policy.kind() == FsyncPolicy.Kind.INTERVAL) {
                this.fsyncInterval = policy.interval();
            }
            return this;
        }

        /**
         * @param kind when appends are forced to disk (see {@link FsyncPolicy})
         * @return this builder
         */
        public Builder fsync(FsyncPolicy.Kind kind) {
            this.fsync = Objects.requireNonNull(kind, "fsync");
            return this;
        }

        /**
         * @param interval the fsync period of the {@link FsyncPolicy.Kind#INTERVAL} policy, 1ms to 1m (default
         *                 1s); ignored by the other policies
         * @return this builder
         */
        public Builder fsyncInterval(Duration interval) {
            this.fsyncInterval = Values.checkRange("fsyncInterval", interval, MIN_FSYNC_INTERVAL, FsyncPolicy.MAX_INTERVAL);
            return this;
        }

        /**
         * @param segmentBytes segment size, 1 KiB to 1 GiB
         * @return this builder
         */
        public Builder segmentBytes(int segmentBytes) {
            this.segmentBytes = checkSegmentBytes(segmentBytes);
            return this;
        }

        /** @return the configuration */
        public StoreConfig build() {
            FsyncPolicy policy = switch (fsync) {
                case ALWAYS -> FsyncPolicy.ALWAYS;
                case INTERVAL -> FsyncPolicy.interval(fsyncInterval);
                case OS -> FsyncPolicy.OS;
            };
            return new StoreConfig(retention, maxTotalBytes, policy, segmentBytes);
        }
    }
}
