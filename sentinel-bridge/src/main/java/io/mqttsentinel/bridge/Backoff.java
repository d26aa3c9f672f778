package io.mqttsentinel.bridge;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with jitter, for reconnecting to the core broker and to the origin and for
 * retrying a message that the origin did not acknowledge.
 *
 * <p>Attempt {@code n} (1-based) waits {@code min(max, initial * 2^(n-1))}, then spread by the jitter: a
 * factor drawn uniformly from {@code [1 - jitter, 1 + jitter]}, and the result is capped at {@code max}
 * again. Jitter keeps a fleet of bridges from reconnecting in lockstep after an origin outage.
 *
 * <p>Immutable and thread-safe. The random draw is passed in, so that the schedule is testable.
 */
public final class Backoff {
    /** Smallest allowed initial delay. */
    public static final Duration MIN_DELAY = Duration.ofMillis(1);
    /** Largest allowed delay. */
    public static final Duration MAX_DELAY = Duration.ofHours(1);

    private final Duration initial;
    private final Duration max;
    private final double jitter;

    private Backoff(Duration initial, Duration max, double jitter) {
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
    }

    /**
     * @param initial the first delay, 1 ms to 1 h
     * @param max     the largest delay, from {@code initial} to 1 h
     * @param jitter  the relative spread, 0.0 (none) to 1.0
     * @return the backoff
     * @throws IllegalArgumentException when a value is out of range
     */
    public static Backoff exponential(Duration initial, Duration max, double jitter) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.compareTo(MIN_DELAY) < 0 || initial.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("backoff initial must be between 1ms and 1h, was " + initial);
        }
        if (max.compareTo(initial) < 0 || max.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("backoff max must be between initial (" + initial + ") and 1h, was " + max);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("backoff jitter must be between 0.0 and 1.0, was " + jitter);
        }
        return new Backoff(initial, max, jitter);
    }

    /** @return 500 ms initial, 30 s max, jitter 0.2 */
    public static Backoff ofDefaults() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2);
    }

    /**
     * @param attempt the 1-based attempt number (values below 1 count as 1)
     * @param random  a uniform draw from {@code [0, 1)}
     * @return how long to wait before the attempt
     */
    public Duration delay(int attempt, double random) {
        if (!(random >= 0.0 && random < 1.0)) {
            throw new IllegalArgumentException("random must be in [0, 1), was " + random);
        }
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int doublings = Math.max(0, attempt - 1);
        long base;
        if (doublings >= 62 || initialNanos > (maxNanos >> Math.min(doublings, 62))) {
            base = maxNanos;
        } else {
            base = Math.min(maxNanos, initialNanos << doublings);
        }
        double factor = 1.0 + jitter * (2.0 * random - 1.0);
        long spread = (long) (base * factor);
        return Duration.ofNanos(Math.max(0, Math.min(maxNanos, spread)));
    }

    /** @return the first delay */
    public Duration initial() {
        return initial;
    }

    /** @return the largest delay */
    public Duration max() {
        return max;
    }

    /** @return the relative spread, 0.0 to 1.0 */
    public double jitter() {
        return jitter;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Backoff)) {
            return false;
        }
        Backoff that = (Backoff) o;
        return Double.compare(jitter, that.jitter) == 0 && initial.equals(that.initial) && max.equals(that.max);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, max, jitter);
    }

    @Override
    public String toString() {
        return "Backoff[initial=" + initial + ", max=" + max + ", jitter=" + jitter + "]";
    }
}
