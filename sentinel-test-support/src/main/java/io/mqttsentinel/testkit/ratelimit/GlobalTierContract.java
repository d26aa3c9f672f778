package io.mqttsentinel.testkit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.mqttsentinel.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of the GLOBAL tier ({@code io.mqttsentinel.ratelimit.GlobalTier}): every
 * implementation's test extends this class and so keeps its contract: it admits the burst and then rejects;
 * a {@code release()} gives one token back; time refills the bucket; many threads together admit no more
 * than the limit; and {@code tryAcquire} never waits, not even when its backing store is unreachable.
 *
 * <p>The interface lives in {@code sentinel-ratelimit}, and this module depends on {@code sentinel-api}
 * only, so an implementation's test hands the kit a {@link Tier}, usually {@code tier::tryAcquire} and
 * {@code tier::release} of the real one (see {@link #newTier}). The kit's clock is a number it moves by hand
 * ({@link #advance}); an implementation that also refills on a clock of its own (a Redis server's) says how
 * many tokens it may admit beyond the burst in {@link #tolerance}.
 */
public abstract class GlobalTierContract {

    /** The two calls of a GLOBAL tier, as the rate limiter makes them. */
    public interface Tier extends AutoCloseable {
        /**
         * @param nanoTime a reading of the clock given to {@link #newTier}
         * @return whether the packet may pass
         */
        boolean tryAcquire(long nanoTime);

        /** Gives back a token taken by a successful {@link #tryAcquire(long)}. */
        void release();

        /** Releases what the tier holds (threads, connections); nothing by default. Declares no exception. */
        @Override
        default void close() {
        }
    }

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Tier> tiers = new ArrayList<>();

    /**
     * @param ratePerSecond the sustained rate
     * @param burst         the bucket's capacity; the bucket starts full
     * @param nanoClock     the clock whose readings the kit passes to {@code tryAcquire}
     * @return a new tier over storage of its own
     * @throws Exception when it cannot be made
     */
    protected abstract Tier newTier(long ratePerSecond, long burst, LongSupplier nanoClock) throws Exception;

    /**
     * @param ratePerSecond the sustained rate
     * @param burst         the capacity
     * @param nanoClock     the clock
     * @return a tier whose backing store (a Redis server) is unreachable, or {@code null} when it has none
     *         (the check is skipped)
     * @throws Exception when it cannot be made
     */
    protected Tier newTierWithoutItsStore(long ratePerSecond, long burst, LongSupplier nanoClock) throws Exception {
        return null;
    }

    /**
     * @param ratePerSecond the tier's rate
     * @param burst         the tier's burst
     * @param elapsed       how long the check ran, in real time
     * @return how many tokens beyond the burst the tier may admit in that time (tokens leased ahead, a
     *         refill on a clock of its own); 0, an exact bucket on the kit's clock, by default
     */
    protected long tolerance(long ratePerSecond, long burst, Duration elapsed) {
        return 0;
    }

    /** @return how long the tier may take to hand out tokens it has (leases fetched in the background) */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /** @return the kit's clock, as given to {@link #newTier} */
    protected final long nanoTime() {
        return now.get();
    }

    /** @param d how far to move the kit's clock */
    protected final void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /**
     * Runs after every tier of the test is closed, to delete what they left in their store.
     *
     * @throws Exception when it fails
     */
    protected void afterTiersClosed() throws Exception {
    }

    @AfterEach
    void closeTiers() throws Exception {
        for (Tier t : tiers) {
            t.close();
        }
        afterTiersClosed();
    }

    private Tier tier(long rate, long burst) throws Exception {
        Tier t = newTier(rate, burst, now::get);
        tiers.add(t);
        return t;
    }

    /** Takes tokens until the tier admitted {@code burst} and then refused one; returns how many it admitted. */
    private long exhaust(Tier tier, long burst) {
        long[] admitted = {0};
        boolean[] refused = {false};
        Await.until("the tier to admit its burst of " + burst + " and then refuse", patience(), () -> {
            boolean ok = tier.tryAcquire(now.get());
            if (ok) {
                admitted[0]++;
            }
            refused[0] = !ok && admitted[0] >= burst;
            return refused[0];
        });
        return admitted[0];
    }

    @Test
    void tryAcquire_fullBucket_admitsTheBurstThenRejects() throws Exception {
        long rate = 1;
        long burst = 20;
        long start = System.nanoTime();
        Tier tier = tier(rate, burst);
        long admitted = exhaust(tier, burst);
        for (int i = 0; i < 1_000; i++) {
            if (tier.tryAcquire(now.get())) {
                admitted++;
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(admitted).as("tokens admitted from a bucket of %d in %s", burst, elapsed)
                .isBetween(burst, burst + tolerance(rate, burst, elapsed));
    }

    @Test
    void release_afterARejection_letsOneMorePacketPass() throws Exception {
        Tier tier = tier(1, 5);
        exhaust(tier, 5);
        tier.release();
        assertThat(tier.tryAcquire(now.get())).as("tryAcquire after a release").isTrue();
    }

    @Test
    void tryAcquire_afterTimeToRefill_admitsAgain() throws Exception {
        Tier tier = tier(10, 5);
        exhaust(tier, 5);
        advance(Duration.ofSeconds(1));
        Await.until("a token after a second at 10/s", patience(), () -> tier.tryAcquire(now.get()));
    }

    @Test
    void tryAcquire_concurrentCallers_admitNoMoreThanTheLimit() throws Exception {
        long rate = 1;
        long burst = 1_000;
        long start = System.nanoTime();
        Tier tier = tier(rate, burst);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                counts.add(pool.submit(() -> {
                    go.await();
                    long n = 0;
                    // for a while rather than a number of calls: a shared store answers its first lease
                    // asynchronously, and on a loaded machine 20,000 calls can end before it has
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    for (int i = 0; i < 20_000 || System.nanoTime() < until; i++) {
                        if (tier.tryAcquire(now.get())) {
                            n++;
                        }
                    }
                    return n;
                }));
            }
            go.countDown();
            long admitted = 0;
            for (Future<Long> c : counts) {
                admitted += c.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertThat(admitted).as("tokens admitted to %d threads from a bucket of %d in %s", threads, burst, elapsed)
                    .isPositive().isLessThanOrEqualTo(burst + tolerance(rate, burst, elapsed));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tryAcquire_storeUnreachable_neverWaitsNorThrows() throws Exception {
        Tier tier = newTierWithoutItsStore(100, 100, now::get);
        assumeThat(tier).as("this tier has no backing store").isNotNull();
        tiers.add(tier);
        long start = System.nanoTime();
        assertThatCode(() -> {
            for (int i = 0; i < 10_000; i++) {
                if (tier.tryAcquire(now.get())) {
                    tier.release();
                }
            }
        }).doesNotThrowAnyException();
        // a call that waited for the store would take its timeout; the bound is loose for a busy machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("10,000 calls with the store unreachable")
                .isLessThan(Duration.ofSeconds(5));
    }
}
