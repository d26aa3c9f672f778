package io.mqttsentinel.testkit;

import io.mqttsentinel.api.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that tests move by hand, so that TTLs, retention and rates are tested without sleeping.
 * Thread-safe: the engine under test may read it from its own threads while the test advances it.
 * {@link #ticker()} is a {@link Ticker} that moves with it, for engines that take both (wall-clock timestamps
 * and measured durations).
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    /** @param start the first instant */
    public MutableClock(Instant start) {
        this.now = start;
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public MutableClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** @param d how far to move the clock forward (or back, when negative) */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    /** @param instant the new time */
    public void set(Instant instant) {
        now = instant;
    }

    /**
     * @return a ticker that reads this clock (nanoseconds since the epoch), so that it moves when the clock is
     *         advanced; it goes backwards if the clock is set back, which a real ticker never does
     */
    public Ticker ticker() {
        return () -> {
            Instant t = now;
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        };
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
