package io.mqttsentinel.store;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator-facing settings of a {@link SegmentedFileLog}, read from {@code SENTINEL_STORE_*}
 * environment variables by {@link #fromEnvironment(Map)} and applied with
 * {@link SegmentedFileLog.Builder#config(StoreConfig)}.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>key</th><th>default</th><th>range and forms</th></tr>
 *   <tr><td>{@value #RETENTION}</td><td>72h</td><td>1 minute to 3650 days; {@code 45s}, {@code 30m},
 *       {@code 72h}, {@code 3d} or ISO-8601 such as {@code PT72H}, {@code P3D}</td></tr>
 *   <tr><td>{@value #MAX_BYTES}</td><td>unlimited</td><td>1 MiB or more, or {@code unlimited}; bytes, or with
 *       a binary suffix {@code k}, {@code m}, {@code g}, {@code t} (optionally followed by {@code b} or
 *       {@code ib}), e.g. {@code 20g}, {@code 512MiB}</td></tr>
 *   <tr><td>{@value #FSYNC}</td><td>always</td><td>{@code always}, {@code interval} or {@code os} (see
 *       {@link FsyncPolicy})</td></tr>
 *   <tr><td>{@value #FSYNC_INTERVAL_MS}</td><td>1000</td><td>1 to 60000; used when {@value #FSYNC} is
 *       {@code interval}</td></tr>
 *   <tr><td>{@value #SEGMENT_BYTES}</td><td>128m</td><td>1 KiB to 1 GiB, same forms as {@value #MAX_BYTES}</td></tr>
 * </table>
 *
 * <p>Immutable.
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

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*([smhd])");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(?:([kmgt])(?:i?b)?|b)?");

    private final Duration retention;
    private final long maxTotalBytes;
    private final FsyncPolicy fsyncPolicy;
    private final int segmentBytes;

    private StoreConfig(Duration retention, long maxTotalBytes, FsyncPolicy fsyncPolicy, int segmentBytes) {
        this.retention = checkRetention(retention);
        this.maxTotalBytes = checkMaxBytes(maxTotalBytes);
        this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        this.segmentBytes = checkSegmentBytes(segmentBytes);
    }

    /** @return 72 h retention, no size limit, {@link FsyncPolicy#ALWAYS}, 128 MiB segments */
    public static StoreConfig ofDefaults() {
        return new StoreConfig(DEFAULT_RETENTION, UNLIMITED, FsyncPolicy.ALWAYS, DEFAULT_SEGMENT_BYTES);
    }

    /**
     * @param retention     retention by age, 1 minute to 3650 days
     * @param maxTotalBytes retention by size, at least 1 MiB, or {@link #UNLIMITED}
     * @param fsyncPolicy   the fsync policy
     * @param segmentBytes  segment size, 1 KiB to 1 GiB
     * @return the configuration
     */
    public static StoreConfig of(Duration retention, long maxTotalBytes, FsyncPolicy fsyncPolicy, int segmentBytes) {
        return new StoreConfig(retention, maxTotalBytes, fsyncPolicy, segmentBytes);
    }

    /**
     * Reads the {@code SENTINEL_STORE_*} keys; a missing or blank key takes its default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key, the value and the allowed forms when a value is invalid
     */
    public static StoreConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Duration retention = DEFAULT_RETENTION;
        long maxBytes = UNLIMITED;
        int segmentBytes = DEFAULT_SEGMENT_BYTES;
        long intervalMs = DEFAULT_FSYNC_INTERVAL_MS;
        String fsync = "always";
        String v = value(env, RETENTION);
        if (v != null) {
            retention = keyed(RETENTION, v, () -> checkRetention(parseDuration(v)));
        }
        String mb = value(env, MAX_BYTES);
        if (mb != null) {
            maxBytes = keyed(MAX_BYTES, mb,
                    () -> checkMaxBytes("unlimited".equalsIgnoreCase(mb) ? UNLIMITED : parseSize(mb)));
        }
        String sb = value(env, SEGMENT_BYTES);
        if (sb != null) {
            segmentBytes = keyed(SEGMENT_BYTES, sb, () -> {
                long n = parseSize(sb);
                return checkSegmentBytes(n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n);
            });
        }
        String iv = value(env, FSYNC_INTERVAL_MS);
        if (iv != null) {
            intervalMs = keyed(FSYNC_INTERVAL_MS, iv, () -> {
                long ms;
                try {
                    ms = Long.parseLong(iv);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a whole number of milliseconds");
                }
                if (ms < 1 || ms > FsyncPolicy.MAX_INTERVAL.toMillis()) {
                    throw new IllegalArgumentException("must be between 1 and " + FsyncPolicy.MAX_INTERVAL.toMillis());
                }
                return ms;
            });
        }
        String fs = value(env, FSYNC);
        if (fs != null) {
            fsync = fs.toLowerCase(Locale.ROOT);
        }
        FsyncPolicy policy;
        switch (fsync) {
            case "always":
                policy = FsyncPolicy.ALWAYS;
                break;
            case "interval":
                policy = FsyncPolicy.interval(Duration.ofMillis(intervalMs));
                break;
            case "os":
                policy = FsyncPolicy.OS;
                break;
            default:
                throw new IllegalArgumentException(FSYNC + "='" + fs + "' is invalid: use always, interval or os");
        }
        return new StoreConfig(retention, maxBytes, policy, segmentBytes);
    }

    /**
     * Parses {@code 45s}, {@code 30m}, {@code 72h}, {@code 3d} or an ISO-8601 duration ({@code PT72H}).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException when it is none of these forms
     */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: use e.g. 45s, 30m, 72h, 3d or PT72H");
        }
    }

    /**
     * Parses a byte count: digits, optionally followed by a binary suffix k, m, g or t (then optionally
     * b or ib), case-insensitive: {@code 1048576}, {@code 512m}, {@code 20GiB}.
     *
     * @param text the text
     * @return the number of bytes
     * @throws IllegalArgumentException when it is not such a size or overflows
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: use bytes or e.g. 512m, 20g, 1TiB");
        }
        try {
            long n = Long.parseLong(m.group(1));
            int shift = m.group(2) == null ? 0 : 10 * ("kmgt".indexOf(m.group(2).charAt(0)) + 1);
            if (n > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("size is too large");
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size is too large");
        }
    }

    static Duration checkRetention(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
            throw new IllegalArgumentException("retention must be between 1 minute and 3650 days, was " + retention);
        }
        return retention;
    }

    static long checkMaxBytes(long maxTotalBytes) {
        if (maxTotalBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxTotalBytes must be at least " + MIN_MAX_BYTES
                    + " (1 MiB) or UNLIMITED, was " + maxTotalBytes);
        }
        return maxTotalBytes;
    }

    static int checkSegmentBytes(int segmentBytes) {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be between " + MIN_SEGMENT_BYTES + " and "
                    + MAX_SEGMENT_BYTES + ", was " + segmentBytes);
        }
        return segmentBytes;
    }

    private static String value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T keyed(String key, String value, Parse<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is invalid: " + e.getMessage(), e);
        }
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
    public String toString() {
        return "StoreConfig[retention=" + retention + ", maxTotalBytes="
                + (maxTotalBytes == UNLIMITED ? "unlimited" : Long.toString(maxTotalBytes))
                + ", fsyncPolicy=" + fsyncPolicy + ", segmentBytes=" + segmentBytes + "]";
    }
}
