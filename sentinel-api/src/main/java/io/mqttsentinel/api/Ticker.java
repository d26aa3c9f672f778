package io.mqttsentinel.api;

/**
 * The one monotonic time source of MQTT Sentinel: a nanosecond counter with an arbitrary origin, like
 * {@link System#nanoTime()}, for everything that measures time (rate limits, TTLs, timeouts, back-off,
 * latencies). Wall-clock time ({@link java.time.Clock}) is only for timestamps: event times, log records,
 * expiry instants given by someone else.
 *
 * <p>Only the difference of two readings means something, so the origin does not matter (it may be
 * negative, and readings may wrap around {@link Long#MAX_VALUE}: compare with {@code a - b > 0}, not {@code
 * a > b}); readings never go backwards. Builders that measure time take a {@code Ticker}, so that tests can
 * pass one they move by hand, e.g. {@code AtomicLong::get}.
 */
@FunctionalInterface
public interface Ticker {

    /** @return the current reading, in nanoseconds since an arbitrary fixed origin */
    long nanoTime();

    /** @return the JVM's monotonic clock, {@link System#nanoTime()} */
    static Ticker system() {
        return System::nanoTime;
    }
}
