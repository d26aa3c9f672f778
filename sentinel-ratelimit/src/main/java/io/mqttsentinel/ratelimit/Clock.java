package io.mqttsentinel.ratelimit;

/**
 * The time source of the rate limiters: a monotonic nanosecond counter with an arbitrary origin, like
 * {@link System#nanoTime()}.
 *
 * <p>Limiters only ever subtract two readings, so the origin does not matter; readings must not go
 * backwards. Tests pass a manual clock (e.g. an {@code AtomicLong::get}) to control time exactly.
 */
@FunctionalInterface
public interface Clock {

    /** @return the current reading, in nanoseconds since an arbitrary fixed origin */
    long nanoTime();

    /** @return the clock of the JVM, {@link System#nanoTime()} */
    static Clock system() {
        return System::nanoTime;
    }
}
