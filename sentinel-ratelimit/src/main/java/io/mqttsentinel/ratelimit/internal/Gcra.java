package io.mqttsentinel.ratelimit.internal;

/**
 * Arithmetic of the generic cell rate algorithm (GCRA, "virtual scheduling"), the token bucket stored
 * as one number: the theoretical arrival time (TAT) at which the bucket will be full again.
 *
 * <p>A bucket of rate {@code r} and burst {@code b} has emission interval {@code T = 1e9 / r} ns and
 * tolerance {@code b * T}. A packet at time {@code now} is admitted when
 * {@code max(tat, now) + T - now <= b * T}, and then {@code tat = max(tat, now) + T}; a bucket whose TAT
 * is not after {@code now} is full. Giving a token back is {@code tat -= T}.
 *
 * <p>{@code T} is a whole number of nanoseconds: exact for every rate that divides 10^9 (all the
 * architecture's defaults); for other rates it is rounded up, so the limiter never admits more than the
 * configured rate (it admits less by under one part in 10^9 / rate).
 */
public final class Gcra {
    /** Nanoseconds per second. */
    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Gcra() {
    }

    /**
     * @param ratePerSecond 1 .. 10^9
     * @return the emission interval in ns, rounded up
     */
    public static long period(long ratePerSecond) {
        return (NANOS_PER_SECOND + ratePerSecond - 1) / ratePerSecond;
    }

    /**
     * @param ratePerSecond 1 .. 10^9
     * @param burst         1 .. 10^9
     * @return the tolerance {@code burst * period} in ns (at most 10^18: no overflow)
     */
    public static long tolerance(long ratePerSecond, long burst) {
        return Math.multiplyExact(burst, period(ratePerSecond));
    }
}
