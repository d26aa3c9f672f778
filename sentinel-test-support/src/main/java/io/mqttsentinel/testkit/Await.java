package io.mqttsentinel.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, bounded, for an effect that no callback announces (a counter after a close, a connection state,
 * another process). Time is read from a deadline on {@link System#nanoTime()}; between polls the caller's
 * thread parks for {@link #POLL_INTERVAL}, so callers never sleep themselves. A timeout fails the test with
 * an {@link AssertionError} that names what was awaited and for how long.
 */
public final class Await {
    /** How long a wait lasts when the caller does not say: long enough for a loaded CI machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Pause between two polls. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    /** An assertion that may fail (AssertJ, JUnit) until the awaited effect happened. */
    @FunctionalInterface
    public interface Check {
        /** @throws Exception when the effect has not happened yet (an {@link AssertionError} included) */
        void run() throws Exception;
    }

    private Await() {
    }

    /**
     * @param what      the awaited effect, for the failure message (e.g. "the breaker to close")
     * @param condition polled until it holds
     * @throws AssertionError when it did not hold within {@link #DEFAULT_TIMEOUT}
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /**
     * @param what      the awaited effect, for the failure message
     * @param timeout   how long to poll at most
     * @param condition polled until it holds
     * @throws AssertionError when it did not hold within {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        untilPasses(what, timeout, () -> {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("condition is false");
            }
        });
    }

    /**
     * Polls a condition until it holds or the time is up, for a caller that asserts on the answer itself (with
     * its own description) or waits for something that may legitimately not happen.
     *
     * @param timeout   how long to poll at most
     * @param condition polled every {@link #POLL_INTERVAL}
     * @return {@code true} when it held before the deadline (checked once more at the deadline)
     */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        }
        return condition.getAsBoolean();
    }

    /**
     * Runs {@code check} until it passes: for an effect best described by assertions.
     *
     * @param what    the awaited effect, for the failure message
     * @param timeout how long to retry at most
     * @param check   the assertions
     * @throws AssertionError when it still failed at the deadline; its cause is the last failure
     */
    public static void untilPasses(String what, Duration timeout, Check check) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(check, "check");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Throwable last;
            try {
                check.run();
                return;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + ": " + last, last);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, last);
            }
            LockSupport.parkNanos(Math.min(POLL_INTERVAL.toNanos(), Math.max(0, deadline - System.nanoTime())));
        }
    }
}
