package io.mqttsentinel.ratelimit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One lock-free GCRA bucket (see {@link Gcra}) on raw ticker readings: all comparisons are differences,
 * so it is correct for any ticker origin, including a {@link System#nanoTime()} near overflow.
 */
public final class GcraBucket {
    private static final VarHandle TAT;

    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(GcraBucket.class, "tat", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long period;
    private final long tolerance;
    @SuppressWarnings("unused") // accessed through TAT
    private volatile long tat;

    /**
     * @param ratePerSecond 1 .. 10^9 (validated by the caller)
     * @param burst         1 .. 10^9 (validated by the caller)
     * @param now           a ticker reading: the bucket is full at that time
     */
    public GcraBucket(long ratePerSecond, long burst, long now) {
        this.period = Gcra.period(ratePerSecond);
        this.tolerance = Gcra.tolerance(ratePerSecond, burst);
        this.tat = now;
    }

    /**
     * @param now a ticker reading, not before the one given to the constructor
     * @return {@code true} when a token was taken
     */
    public boolean tryAcquire(long now) {
        for (;;) {
            long current = (long) TAT.getVolatile(this);
            long base = current - now > 0 ? current : now;
            long next = base + period;
            if (next - now > tolerance) {
                return false;
            }
            if (TAT.compareAndSet(this, current, next)) {
                return true;
            }
        }
    }

    /** Gives back one token taken by {@link #tryAcquire(long)}. */
    public void release() {
        TAT.getAndAdd(this, -period);
    }

    /**
     * @param now a ticker reading
     * @return the whole tokens available at {@code now} (for tests and diagnostics)
     */
    public long available(long now) {
        long current = (long) TAT.getVolatile(this);
        long base = current - now > 0 ? current : now;
        return (tolerance - (base - now)) / period;
    }
}
