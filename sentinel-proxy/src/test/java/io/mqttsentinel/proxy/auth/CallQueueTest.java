package io.mqttsentinel.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The auth call queue on a hand-moved ticker and timer: calls are started only while a slot is free and in
 * arrival order, a full queue refuses at once as BUSY, a wait past its bound ends as QUEUE_TIMEOUT (never as
 * an outage, and without a call), a caller that gives up frees its place, and dead places do not pile up.
 */
class CallQueueTest {
    private static final Duration MAX_WAIT = Duration.ofSeconds(20);

    private final AtomicLong now = new AtomicLong(-5_000); // any origin: only differences count
    private final ManualTimer timer = new ManualTimer();
    /** The calls the queue started, in order, each completed by the test. */
    private final List<Call> started = new ArrayList<>();

    private CallQueue queue(int permits, int maxQueued) {
        return new CallQueue(permits, maxQueued, MAX_WAIT, now::get, timer, Runnable::run);
    }

    private CompletableFuture<String> submit(CallQueue q, String name) {
        return q.submit(() -> {
            Call c = new Call(name);
            started.add(c);
            return c.answer;
        });
    }

    private List<String> startedNames() {
        return started.stream().map(c -> c.name).toList();
    }

    private static AuthUnavailableException.Reason reason(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("no failure");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(AuthUnavailableException.class);
            return ((AuthUnavailableException) e.getCause()).reason();
        }
    }

    @Test
    void callsBeyondThePermits_waitAndStartInArrivalOrder_asSlotsFree() {
        CallQueue q = queue(2, 10);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            results.add(submit(q, id));
        }
        assertThat(startedNames()).containsExactly("a", "b");
        assertThat(q.running()).isEqualTo(2);
        assertThat(q.queued()).isEqualTo(3);

        started.get(1).answer.complete("b-ok");
        assertThat(startedNames()).containsExactly("a", "b", "c");
        started.get(0).answer.complete("a-ok");
        started.get(2).answer.complete("c-ok");
        assertThat(startedNames()).containsExactly("a", "b", "c", "d", "e");
        assertThat(q.queued()).isZero();
        started.get(3).answer.complete("d-ok");
        started.get(4).answer.complete("e-ok");

        assertThat(results).extracting(CompletableFuture::join).containsExactly("a-ok", "b-ok", "c-ok", "d-ok", "e-ok");
        assertThat(q.running()).isZero();
    }

    @Test
    void fullQueue_refusesAtOnce_asBusy_withoutACall() {
        CallQueue q = queue(1, 2);
        submit(q, "running");
        submit(q, "w1");
        submit(q, "w2");

        CompletableFuture<String> refused = submit(q, "one-too-many");

        assertThat(reason(refused)).isEqualTo(AuthUnavailableException.Reason.BUSY);
        assertThat(startedNames()).containsExactly("running");
        assertThat(q.queued()).isEqualTo(2);
    }

    @Test
    void noQueue_refusesAsBusy_onlyWhenNoSlotIsFree() {
        CallQueue q = queue(1, 0);
        CompletableFuture<String> first = submit(q, "first");
        assertThat(reason(submit(q, "second"))).isEqualTo(AuthUnavailableException.Reason.BUSY);
        started.get(0).answer.complete("ok");
        assertThat(first.join()).isEqualTo("ok");
        assertThat(submit(q, "third")).isNotDone();
        assertThat(startedNames()).containsExactly("first", "third");
    }

    @Test
    void waitingPastTheBound_endsAsQueueTimeout_withoutACall_andFreesThePlace() {
        CallQueue q = queue(1, 1);
        submit(q, "slow"); // the endpoint is slow but alive: its call neither answers nor times out here
        timer.advance(Duration.ofSeconds(5));
        CompletableFuture<String> waiting = submit(q, "w");

        timer.advance(MAX_WAIT.minusNanos(1));
        assertThat(waiting).as("held for its whole bound, not refused").isNotDone();
        timer.advance(Duration.ofNanos(1));

        assertThat(reason(waiting)).isEqualTo(AuthUnavailableException.Reason.QUEUE_TIMEOUT);
        assertThat(startedNames()).containsExactly("slow");
        assertThat(q.queued()).isZero();
        assertThat(submit(q, "next")).as("the place is free again").isNotDone();
        assertThat(q.queued()).isEqualTo(1);
    }

    @Test
    void eachWaiter_hasItsOwnDeadline_fromItsArrival() {
        CallQueue q = queue(1, 10);
        submit(q, "slow");
        CompletableFuture<String> early = submit(q, "early");
        timer.advance(Duration.ofSeconds(8));
        CompletableFuture<String> late = submit(q, "late");

        timer.advance(Duration.ofSeconds(12));
        assertThat(reason(early)).isEqualTo(AuthUnavailableException.Reason.QUEUE_TIMEOUT);
        assertThat(late).isNotDone();
        timer.advance(Duration.ofSeconds(8));
        assertThat(reason(late)).isEqualTo(AuthUnavailableException.Reason.QUEUE_TIMEOUT);
        assertThat(timer.pending()).as("nothing left to wake up for").isZero();
    }

    @Test
    void aSlotThatFreesAfterTheDeadline_isNotSpentOnAnExpiredWaiter_evenWhenTheTimerIsLate() {
        CallQueue q = queue(1, 10);
        submit(q, "slow");
        CompletableFuture<String> stale = submit(q, "stale");
        timer.advance(Duration.ofSeconds(10));
        CompletableFuture<String> fresh = submit(q, "fresh");
        now.addAndGet(MAX_WAIT.minusSeconds(1).toNanos()); // past the stale one's deadline; the timer has not run yet

        started.get(0).answer.complete("ok");

        assertThat(reason(stale)).isEqualTo(AuthUnavailableException.Reason.QUEUE_TIMEOUT);
        assertThat(startedNames()).containsExactly("slow", "fresh");
        assertThat(fresh).isNotDone();
    }

    @Test
    void aCallerThatGivesUp_freesItsPlace_andIsNeverCalled() {
        CallQueue q = queue(1, 2);
        submit(q, "running");
        CompletableFuture<String> gone = submit(q, "gone");
        CompletableFuture<String> stays = submit(q, "stays");

        gone.cancel(false);

        assertThat(q.queued()).isEqualTo(1);
        assertThat(submit(q, "newcomer")).as("its place went to someone else").isNotDone();
        started.get(0).answer.complete("ok");
        assertThat(startedNames()).containsExactly("running", "stays");
        assertThat(stays).isNotDone();
    }

    @Test
    void deadPlaces_doNotPileUp_beyondTwiceTheBound() {
        CallQueue q = queue(1, 4);
        submit(q, "running");
        submit(q, "head"); // stays, so that the dead places behind it are not removed from the head
        for (int i = 0; i < 1_000; i++) {
            submit(q, "gone-" + i).cancel(false);
            assertThat(q.places()).isLessThanOrEqualTo(2 * 4);
        }
        assertThat(q.queued()).isEqualTo(1);
    }

    @Test
    void aCallThatFails_passesItsFailureOn_andFreesItsSlot() {
        CallQueue q = queue(1, 1);
        CompletableFuture<String> failing = submit(q, "failing");
        CompletableFuture<String> next = submit(q, "next");

        started.get(0).answer.completeExceptionally(new AuthUnavailableException("auth endpoint answered 500"));

        assertThat(reason(failing)).isEqualTo(AuthUnavailableException.Reason.OUTAGE);
        assertThat(startedNames()).containsExactly("failing", "next");
        assertThat(next).isNotDone();
    }

    @Test
    void underContention_everyCallStartsExactlyOnce_andNeverMoreThanThePermits() throws Exception {
        int permits = 4;
        int perThread = 5_000;
        int threads = 4;
        CallQueue q = new CallQueue(permits, 1_000_000, Duration.ofMinutes(5), System::nanoTime,
                (task, nanos) -> { }, Runnable::run);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.ExecutorService endpoint = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicIntegerArray starts = new java.util.concurrent.atomic.AtomicIntegerArray(
                threads * perThread);
        List<CompletableFuture<Integer>> results = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<java.util.concurrent.Future<?>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                submitted.add(callers.submit(() -> {
                    for (int i = base; i < base + perThread; i++) {
                        int id = i;
                        results.add(q.submit(() -> {
                            starts.incrementAndGet(id);
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            return CompletableFuture.supplyAsync(() -> {
                                inFlight.decrementAndGet();
                                return id;
                            }, endpoint);
                        }));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : submitted) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
            endpoint.shutdownNow();
        }
        for (int i = 0; i < starts.length(); i++) {
            assertThat(starts.get(i)).as("starts of call %d", i).isEqualTo(1);
        }
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(permits);
        assertThat(q.running()).isZero();
        assertThat(q.queued()).isZero();
    }

    private static final class Call {
        final String name;
        final CompletableFuture<String> answer = new CompletableFuture<>();

        Call(String name) {
            this.name = name;
        }
    }

    /** Runs the tasks scheduled on it when the test moves the shared ticker past their time. */
    private final class ManualTimer implements CallQueue.Timer {
        private record Task(long due, long order, Runnable run) {
        }

        private final PriorityQueue<Task> tasks = new PriorityQueue<>(
                Comparator.comparingLong(Task::due).thenComparingLong(Task::order));
        private long order;

        @Override
        public void schedule(Runnable task, long delayNanos) {
            tasks.add(new Task(now.get() + delayNanos, order++, task));
        }

        void advance(Duration d) {
            long target = now.get() + d.toNanos();
            for (int i = 0; i < 10_000 && !tasks.isEmpty() && tasks.peek().due - target <= 0; i++) {
                Task t = tasks.poll();
                now.set(Math.max(now.get(), t.due));
                t.run.run();
            }
            now.set(target);
        }

        int pending() {
            return tasks.size();
        }
    }
}
