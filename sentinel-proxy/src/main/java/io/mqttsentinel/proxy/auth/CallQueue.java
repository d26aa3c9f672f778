package io.mqttsentinel.proxy.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.mqttsentinel.api.Ticker;

/**
 * Lets at most {@code permits} calls run at once and makes the others wait in arrival order (first come,
 * first served), at most {@code maxQueued} of them and each at most {@code maxWait}. A caller that finds the
 * queue full fails at once with {@link AuthUnavailableException.Reason#BUSY}, one that waits past its deadline
 * with {@link AuthUnavailableException.Reason#QUEUE_TIMEOUT}; neither call is made, so the proxy's own
 * queueing is never reported to the endpoint's circuit breaker, nor to the proxy, as the endpoint's outage.
 * A caller that cancels the future it got while it waits gives its place up: no call is made for a device
 * that has gone.
 *
 * <p>Every waiter has the same {@code maxWait}, so deadlines run in arrival order: one timer task, armed for
 * the deadline at the head of the queue, expires the waiters, and a slot that frees up never starts a waiter
 * whose deadline has passed. Time is read from the {@link Ticker}; the {@link Timer} only wakes the queue up,
 * so a late timer never lets anyone wait longer than a slot takes to free up.
 *
 * <p>Memory: at most {@code maxQueued} waiters hold their call (and its request); a cancelled or expired one
 * drops it at once, and the few bytes of its place are reclaimed when it reaches the head or, at the latest,
 * when the queue's array holds twice {@code maxQueued} places.
 *
 * <p>Thread-safe. Outcomes are delivered outside the queue's lock.
 */
final class CallQueue {
    /** Wakes the queue up after a delay (a {@code ScheduledExecutorService}; tests pass one they run by hand). */
    @FunctionalInterface
    interface Timer {
        /**
         * @param task       what to run
         * @param delayNanos after how long
         */
        void schedule(Runnable task, long delayNanos);
    }

    private enum State { WAITING, STARTED, EXPIRED, CANCELLED }

    private final int permits;
    private final int maxQueued;
    private final long maxWaitNanos;
    private final Ticker ticker;
    private final Timer timer;
    private final Executor starter;
    /** Arrival order, which is also deadline order; holds dead places until they reach the head. */
    private final ArrayDeque<Waiter<?>> waiting = new ArrayDeque<>();
    private int running;
    /** Waiters still waiting (the deque may hold more places: cancelled or expired ones not yet removed). */
    private int queued;
    private boolean expiryArmed;

    /**
     * @param permits   calls in flight at once
     * @param maxQueued callers that may wait for a slot (0: a caller that finds no slot fails at once)
     * @param maxWait   how long a caller may wait for a slot
     * @param ticker    the time source of the deadlines
     * @param timer     wakes the queue up to expire waiters
     * @param starter   starts the calls of waiters (so that a call completing on the caller's thread does not
     *                  start the next one in a growing stack)
     */
    CallQueue(int permits, int maxQueued, Duration maxWait, Ticker ticker, Timer timer, Executor starter) {
        this.permits = permits;
        this.maxQueued = maxQueued;
        this.maxWaitNanos = maxWait.toNanos();
        this.ticker = ticker;
        this.timer = timer;
        this.starter = starter;
    }

    /**
     * @param call starts the call; invoked once, when a slot is free
     * @return the call's outcome, or an {@link AuthUnavailableException} ({@code BUSY} or {@code QUEUE_TIMEOUT})
     *         when it could not get a slot; cancelling it while it waits gives the place up
     */
    <T> CompletableFuture<T> submit(Supplier<? extends CompletionStage<T>> call) {
        Waiter<T> w = new Waiter<>(call);
        boolean startNow = false;
        boolean arm = false;
        synchronized (this) {
            if (running < permits && queued == 0) {
                running++;
                w.state = State.STARTED;
                startNow = true;
            } else if (queued >= maxQueued) {
                return CompletableFuture.failedFuture(new AuthUnavailableException(AuthUnavailableException.Reason.BUSY,
                        "auth calls: " + running + " in flight and " + queued + " waiting, the queue is full", null));
            } else {
                if (waiting.size() >= 2 * maxQueued) {
                    // at least maxQueued places are dead: reclaim them (amortised O(1) per submit)
                    waiting.removeIf(x -> x.state != State.WAITING);
                }
                w.deadline = ticker.nanoTime() + maxWaitNanos;
                waiting.add(w);
                queued++;
                arm = !expiryArmed;
                expiryArmed = true;
            }
        }
        if (startNow) {
            // a local, not w.state: once w is queued, another thread may start it at any moment
            start(w);
            return w.result;
        }
        if (arm) {
            timer.schedule(this::expireDue, maxWaitNanos);
        }
        w.result.whenComplete((v, e) -> {
            if (w.result.isCancelled()) {
                cancel(w);
            }
        });
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

    /** @return places the queue's array holds, dead ones included (for tests of the memory bound) */
    synchronized int places() {
        return waiting.size();
    }

    /** Expires the waiters at the head whose deadline has passed, and arms the timer for the next one. */
    private void expireDue() {
        List<Waiter<?>> expired = new ArrayList<>();
        long next;
        synchronized (this) {
            long now = ticker.nanoTime();
            Waiter<?> head;
            while ((head = waiting.peek()) != null && (head.state != State.WAITING || now - head.deadline >= 0)) {
                waiting.poll();
                if (head.state == State.WAITING) {
                    expire(head, expired);
                }
            }
            next = head == null ? -1 : head.deadline - now;
            expiryArmed = head != null;
        }
        if (next > 0) {
            timer.schedule(this::expireDue, next);
        }
        fail(expired);
    }

    private void cancel(Waiter<?> w) {
        synchronized (this) {
            if (w.state != State.WAITING) {
                return;
            }
            w.state = State.CANCELLED;
            w.call = null;
            queued--;
        }
    }

    private <T> void start(Waiter<T> w) {
        Supplier<? extends CompletionStage<T>> call = w.call;
        w.call = null;
        CompletionStage<T> stage;
        try {
            stage = call.get();
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

    /** A call ended: its slot goes to the first waiter still within its deadline, or back to the pool. */
    private void release() {
        Waiter<?> next = null;
        List<Waiter<?>> expired = null;
        synchronized (this) {
            long now = ticker.nanoTime();
            Waiter<?> w;
            while (next == null && (w = waiting.poll()) != null) {
                if (w.state != State.WAITING) {
                    continue;
                }
                if (now - w.deadline >= 0) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expire(w, expired);
                    continue;
                }
                w.state = State.STARTED;
                queued--;
                next = w;
            }
            if (next == null) {
                running--;
            }
        }
        if (expired != null) {
            fail(expired);
        }
        if (next != null) {
            Waiter<?> n = next;
            starter.execute(() -> start(n));
        }
    }

    /** Guarded by the queue. */
    private void expire(Waiter<?> w, List<Waiter<?>> expired) {
        w.state = State.EXPIRED;
        w.call = null;
        queued--;
        expired.add(w);
    }

    private void fail(List<Waiter<?>> expired) {
        for (Waiter<?> w : expired) {
            w.result.completeExceptionally(new AuthUnavailableException(AuthUnavailableException.Reason.QUEUE_TIMEOUT,
                    "no auth call slot within " + Duration.ofNanos(maxWaitNanos) + " (" + permits + " in flight)",
                    null));
        }
    }

    private static final class Waiter<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        /** Dropped once started, cancelled or expired, so that a dead place does not keep the request. */
        Supplier<? extends CompletionStage<T>> call;
        State state = State.WAITING; // guarded by the queue
        long deadline; // guarded by the queue

        Waiter(Supplier<? extends CompletionStage<T>> call) {
            this.call = call;
        }
    }
}
