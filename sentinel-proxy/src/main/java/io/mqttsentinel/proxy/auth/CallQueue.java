package io.mqttsentinel.proxy.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Lets at most {@code permits} calls run at once and makes the others wait in arrival order (first come,
 * first served), at most {@code maxQueued} of them and each at most {@code maxWait}. A caller that finds the
 * queue full, or waits past its deadline, fails with {@link AuthUnavailableException} without the call being
 * made: the proxy's own queueing is never reported to the endpoint's circuit breaker as the endpoint's
 * failure.
 *
 * <p>Thread-safe. A waiter whose deadline passed is only marked; the slot it held in the queue is skipped
 * when it comes to the front, so expiry costs O(1).
 */
final class CallQueue {
    private final int permits;
    private final int maxQueued;
    private final long maxWaitNanos;
    private final Executor starter;
    private final ArrayDeque<Waiter<?>> waiting = new ArrayDeque<>();
    private int running;
    private int queued;

    /**
     * @param permits   calls in flight at once
     * @param maxQueued callers that may wait for a slot (0: a caller that finds no slot fails at once)
     * @param maxWait   how long a caller may wait for a slot
     * @param starter   starts the calls of waiters (so that a call completing on the caller's thread does not
     *                  start the next one in a growing stack)
     */
    CallQueue(int permits, int maxQueued, Duration maxWait, Executor starter) {
        this.permits = permits;
        this.maxQueued = maxQueued;
        this.maxWaitNanos = maxWait.toNanos();
        this.starter = starter;
    }

    /**
     * @param call starts the call; invoked once, when a slot is free
     * @return the call's outcome, or an {@link AuthUnavailableException} when it could not get a slot
     */
    <T> CompletableFuture<T> submit(Supplier<? extends CompletionStage<T>> call) {
        Waiter<T> w = new Waiter<>(call);
        synchronized (this) {
            if (running < permits && queued == 0) {
                running++;
            } else if (queued >= maxQueued) {
                return CompletableFuture.failedFuture(new AuthUnavailableException(
                        "auth calls: " + running + " in flight and " + queued + " waiting, the queue is full"));
            } else {
                waiting.add(w);
                queued++;
                CompletableFuture.delayedExecutor(maxWaitNanos, TimeUnit.NANOSECONDS).execute(() -> expire(w));
                return w.result;
            }
        }
        start(w);
        return w.result;
    }

    /** @return calls in flight now */
    synchronized int running() {
        return running;
    }

    /** @return callers waiting for a slot now */
    synchronized int queued() {
        return queued;
    }

    private void expire(Waiter<?> w) {
        synchronized (this) {
            if (w.started || w.expired) {
                return;
            }
            w.expired = true;
            queued--;
        }
        w.result.completeExceptionally(new AuthUnavailableException("no auth call slot within "
                + Duration.ofNanos(maxWaitNanos) + " (" + permits + " in flight)",
                new TimeoutException("auth queue wait")));
    }

    private <T> void start(Waiter<T> w) {
        CompletionStage<T> stage;
        try {
            stage = w.call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((v, e) -> {
            release();
            if (e == null) {
                w.result.complete(v);
            } else {
                w.result.completeExceptionally(e);
            }
        });
    }

    private void release() {
        Waiter<?> next;
        synchronized (this) {
            do {
                next = waiting.poll();
            } while (next != null && next.expired);
            if (next == null) {
                running--;
                return;
            }
            next.started = true;
            queued--;
        }
        Waiter<?> n = next;
        starter.execute(() -> start(n));
    }

    private static final class Waiter<T> {
        final Supplier<? extends CompletionStage<T>> call;
        final CompletableFuture<T> result = new CompletableFuture<>();
        boolean started; // guarded by the queue
        boolean expired; // guarded by the queue

        Waiter(Supplier<? extends CompletionStage<T>> call) {
            this.call = call;
        }
    }
}
