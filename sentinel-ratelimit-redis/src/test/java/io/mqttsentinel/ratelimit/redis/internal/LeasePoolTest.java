package io.mqttsentinel.ratelimit.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.ratelimit.GlobalTier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeasePoolTest {
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT = 200 * MS;

    /** A shared bucket whose answers the test gives by hand. */
    private static final class FakeSource implements LeaseSource {
        final List<Long> requests = new ArrayList<>();
        final ArrayDeque<CompletableFuture<Long>> open = new ArrayDeque<>();

        @Override
        public CompletionStage<Long> lease(long requested) {
            requests.add(requested);
            CompletableFuture<Long> f = new CompletableFuture<>();
            open.add(f);
            return f;
        }

        void grant(long n) {
            open.removeFirst().complete(n);
        }

        void fail() {
            open.removeFirst().completeExceptionally(new IllegalStateException("connection refused"));
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter fallbacks = registry.counter("fallbacks");
    private final FakeSource source = new FakeSource();
    private long now = 1_000 * MS;
    // local share: 1 token per ms, burst 5
    private final GlobalTier share = GlobalTier.local(1_000, 5, () -> now);
    private final LeasePool pool = new LeasePool(source, 100, TIMEOUT, share, fallbacks);

    private int drain() {
        int n = 0;
        while (n < 100_000 && pool.tryAcquire(now)) {
            n++;
        }
        return n;
    }

    @Test
    void tryAcquire_beforeAnyLease_rejects() {
        assertThat(pool.tryAcquire(now)).isFalse();
    }

    @Test
    void refresh_emptyPool_leasesAWholeBatchAndAdmitsExactlyIt() {
        pool.refresh(now);
        assertThat(source.requests).containsExactly(100L);
        source.grant(100);
        assertThat(drain()).isEqualTo(100);
        pool.refresh(now);
        source.grant(37); // the shared bucket had only 37 left
        assertThat(drain()).isEqualTo(37);
    }

    @Test
    void refresh_poolAboveHalf_asksNothing_belowHalf_topsUpToALease() {
        pool.refresh(now);
        source.grant(100);
        for (int i = 0; i < 49; i++) {
            pool.tryAcquire(now);
        }
        pool.refresh(now);
        assertThat(source.requests).hasSize(1);
        pool.tryAcquire(now); // 50 left: half a lease
        pool.refresh(now);
        assertThat(source.requests).containsExactly(100L, 50L);
    }

    @Test
    void refresh_requestInFlight_asksNoMore() {
        pool.refresh(now);
        pool.refresh(now + 10 * MS);
        pool.refresh(now + 20 * MS);
        assertThat(source.requests).hasSize(1);
    }

    @Test
    void tryAcquire_atLowWater_nudgesTheBackground() {
        AtomicInteger nudges = new AtomicInteger();
        pool.onLow(nudges::incrementAndGet);
        pool.refresh(now);
        source.grant(100);
        for (int i = 0; i < 49; i++) {
            pool.tryAcquire(now);
        }
        assertThat(nudges).hasValue(0);
        pool.tryAcquire(now);
        assertThat(nudges).hasValue(1);
    }

    @Test
    void release_givesTokenBackToThePool() {
        pool.refresh(now);
        source.grant(2);
        assertThat(pool.tryAcquire(now)).isTrue();
        pool.release();
        assertThat(drain()).isEqualTo(2);
    }

    @Test
    void refresh_sourceFails_fallsBackToLocalShareAndCounts() {
        pool.refresh(now);
        source.fail();
        assertThat(pool.inFallback()).isTrue();
        assertThat(fallbacks.count()).isEqualTo(1);
        assertThat(drain()).isEqualTo(5); // the local share's burst
        now += 3 * MS;
        assertThat(drain()).isEqualTo(3); // and its rate
        // still failing: no second count for the same outage
        pool.refresh(now);
        source.fail();
        assertThat(fallbacks.count()).isEqualTo(1);
    }

    @Test
    void refresh_sourceRecovers_leavesFallback() {
        pool.refresh(now);
        source.fail();
        pool.refresh(now);
        source.grant(100);
        assertThat(pool.inFallback()).isFalse();
        assertThat(drain()).isEqualTo(100);
    }

    @Test
    void refresh_inFallbackWithFullPool_probesAndLeavesFallbackWhenSourceAnswers() {
        pool.refresh(now);
        source.grant(100);
        for (int i = 0; i < 50; i++) {
            pool.tryAcquire(now);
        }
        pool.refresh(now); // half a lease left: asks for 50
        for (int i = 0; i < 50; i++) {
            pool.release(); // e.g. packets rejected by later tiers: the pool is full again
        }
        pool.refresh(now + TIMEOUT); // the request for 50 timed out: fallback, with a full pool
        assertThat(pool.inFallback()).isTrue();
        // the pool is not drawn from in fallback: without a probe the tier would never come back
        assertThat(source.requests).containsExactly(100L, 50L, 0L);
        source.open.removeLast().complete(0L); // the probe is answered; the abandoned request never is
        assertThat(pool.inFallback()).isFalse();
        assertThat(drain()).isEqualTo(100);
    }

    @Test
    void refresh_noAnswerWithinTimeout_fallsBackAndLateGrantStillCounts() {
        pool.refresh(now);
        pool.refresh(now + TIMEOUT - 1);
        assertThat(pool.inFallback()).isFalse();
        pool.refresh(now + TIMEOUT);
        assertThat(pool.inFallback()).isTrue();
        assertThat(source.requests).hasSize(2); // a new request after the abandoned one
        source.grant(40); // the abandoned one answers late: Redis counted these tokens, so they are ours
        assertThat(pool.inFallback()).isTrue();
        assertThat(pool.pooled()).isEqualTo(40);
        source.grant(60);
        assertThat(pool.inFallback()).isFalse();
        assertThat(drain()).isEqualTo(100);
    }

    @Test
    void refresh_sourceThrows_fallsBack() {
        LeasePool broken = new LeasePool(n -> {
            throw new IllegalStateException("boom");
        }, 10, TIMEOUT, share, fallbacks);
        broken.refresh(now);
        assertThat(broken.inFallback()).isTrue();
        assertThat(fallbacks.count()).isEqualTo(1);
    }
}
