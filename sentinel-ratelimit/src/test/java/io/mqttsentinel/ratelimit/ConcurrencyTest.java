package io.mqttsentinel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.internal.GcraBucket;
import io.mqttsentinel.ratelimit.internal.KeyedBuckets;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads hammer one bucket while the test moves a manual clock: the bucket never admits more than
 * burst + rate x elapsed, and, once drained at the end, exactly that many (no token lost or duplicated by a
 * race, including the give-backs of the tiered limiter).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrencyTest {
    private static final int THREADS = 4;
    private static final long STEP = 1_000_000L; // 1 ms
    private static final int STEPS = 200;
    private static final int DRAIN_ATTEMPTS = 20_000;

    /**
     * Runs {@code attempt} on THREADS threads while the clock advances STEPS times; before each step the
     * test waits until a thread has seen the bucket empty at the current time, so that no token is lost to a
     * full bucket; returns the admissions.
     */
    private static long hammer(ManualTicker clock, long start, long burst, long ratePerSecond, LongPredicate attempt)
            throws InterruptedException {
        AtomicLong admitted = new AtomicLong();
        AtomicLong emptyAt = new AtomicLong(Long.MIN_VALUE);
        AtomicBoolean clockStopped = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    // bounded: at most 50M attempts per thread even if the clock thread stalls
                    for (long i = 0; i < 50_000_000L && !clockStopped.get(); i++) {
                        long now = clock.nanoTime();
                        if (attempt.test(now)) {
                            admitted.incrementAndGet();
                        } else {
                            emptyAt.accumulateAndGet(now - start, Math::max);
                        }
                    }
                    for (int i = 0; i < DRAIN_ATTEMPTS; i++) {
                        if (attempt.test(clock.nanoTime())) {
                            admitted.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "hammer-" + t);
            threads.add(thread);
            thread.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (int s = 1; s <= STEPS; s++) {
            long elapsed = clock.nanoTime() - start;
            while (emptyAt.get() < elapsed) {
                assertThat(System.nanoTime() - deadline).as("workers stalled").isNegative();
                Thread.onSpinWait();
            }
            clock.advanceNanos(STEP);
            elapsed += STEP;
            // counted admissions lag real ones, so this bound also holds for the real ones at this moment
            assertThat(admitted.get()).isLessThanOrEqualTo(burst + ratePerSecond * elapsed / 1_000_000_000L);
        }
        clockStopped.set(true);
        assertThat(done.await(50, TimeUnit.SECONDS)).isTrue();
        for (Thread thread : threads) {
            thread.join();
        }
        return admitted.get();
    }

    @Test
    void gcraBucket_manyThreads_admitExactlyBurstPlusRateTimesTime() throws InterruptedException {
        ManualTicker clock = new ManualTicker(Long.MAX_VALUE - 100_000_000L); // crosses the overflow too
        long start = clock.nanoTime();
        GcraBucket bucket = new GcraBucket(10_000, 500, start);
        long admitted = hammer(clock, start, 500, 10_000, bucket::tryAcquire);
        assertThat(admitted).isEqualTo(500 + 10_000 * STEPS / 1_000);
    }

    @Test
    void keyedBucket_manyThreads_admitExactlyBurstPlusRateTimesTime() throws InterruptedException {
        ManualTicker clock = new ManualTicker();
        KeyedBuckets buckets = new KeyedBuckets(5_000, 100, 1_000, 0, 7); // idle 0: expiry races too
        long admitted = hammer(clock, 0, 100, 5_000, now -> {
            KeyedBuckets.Bucket b = buckets.tryAcquire(42, now);
            if ((now / STEP) % 3 == 0) {
                buckets.sweep(now);
            }
            return b != KeyedBuckets.REJECTED && b != KeyedBuckets.NO_CAPACITY;
        });
        assertThat(admitted).isEqualTo(100 + 5_000 * STEPS / 1_000);
    }

    @Test
    void tieredLimiter_manyThreads_exactCountAndEveryGiveBackAccounted() throws Exception {
        ManualTicker clock = new ManualTicker();
        AtomicLong globalHeld = new AtomicLong();
        GlobalTier counting = new GlobalTier() {
            @Override
            public boolean tryAcquire(long nanoTime) {
                globalHeld.incrementAndGet();
                return true;
            }

            @Override
            public void release() {
                globalHeld.decrementAndGet();
            }
        };
        RateLimitConfig config = RateLimitConfig.builder()
                .limit(RateLimitTier.IP, 1_000_000_000L, 1_000_000_000L)
                .limit(RateLimitTier.PUBLISH, 1_000_000_000L, 1_000_000_000L)
                .limit(RateLimitTier.CLIENT, 2_000, 300).build();
        TieredRateLimiter limiter = TieredRateLimiter.builder().config(config).ticker(clock).globalTier(counting)
                .build();
        InetAddress source = InetAddress.getByName("192.0.2.77");
        long admitted = hammer(clock, 0, 300, 2_000,
                now -> limiter.tryAcquire(PacketKind.PUBLISH, source, "shared-client").isAllowed());
        assertThat(admitted).isEqualTo(300 + 2_000 * STEPS / 1_000);
        // GLOBAL kept a token for each admitted packet only: every rejected packet gave its token back
        assertThat(globalHeld.get()).isEqualTo(admitted);
    }
}
