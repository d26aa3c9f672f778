package io.mqttsentinel.ratelimit;

import io.mqttsentinel.api.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when a test says so. */
public final class ManualTicker implements Ticker {
    private final AtomicLong nanos;

    public ManualTicker(long start) {
        this.nanos = new AtomicLong(start);
    }

    public ManualTicker() {
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
