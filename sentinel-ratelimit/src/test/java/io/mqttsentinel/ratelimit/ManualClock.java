package io.mqttsentinel.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;

    public ManualClock(long start) {
        this.nanos = new AtomicLong(start);
    }

    public ManualClock() {
        this(0);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    public void advanceNanos(long n) {
        nanos.addAndGet(n);
    }
}
