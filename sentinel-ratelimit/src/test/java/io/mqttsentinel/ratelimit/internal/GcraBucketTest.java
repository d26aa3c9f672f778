package io.mqttsentinel.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcraBucketTest {
    private static final long SECOND = 1_000_000_000L;

    private static int drain(GcraBucket b, long now, int max) {
        int n = 0;
        while (n < max && b.tryAcquire(now)) {
            n++;
        }
        return n;
    }

    @Test
    void tryAcquire_fullBucket_admitsExactlyBurst() {
        GcraBucket b = new GcraBucket(10_000, 5_000, 0);
        assertThat(drain(b, 0, 100_000)).isEqualTo(5_000);
        assertThat(b.tryAcquire(0)).isFalse();
    }

    @Test
    void tryAcquire_steadyRate_admitsRateTimesElapsed() {
        GcraBucket b = new GcraBucket(100, 1_000, 0);
        drain(b, 0, 10_000);
        int admitted = 0;
        // 10 s in 1 ms steps: exactly 100/s * 10 s
        for (long t = 1; t <= 10_000; t++) {
            admitted += drain(b, t * 1_000_000L, 10_000);
        }
        assertThat(admitted).isEqualTo(1_000);
    }

    @Test
    void tryAcquire_partialRefill_givesWholeTokensOnly() {
        GcraBucket b = new GcraBucket(10, 500, 0); // one token per 100 ms
        drain(b, 0, 1_000);
        assertThat(b.tryAcquire(99_999_999L)).isFalse();
        assertThat(b.tryAcquire(100_000_000L)).isTrue();
        assertThat(b.tryAcquire(100_000_000L)).isFalse();
        assertThat(drain(b, 350_000_000L, 1_000)).isEqualTo(2);
    }

    @Test
    void tryAcquire_refillNeverExceedsBurst() {
        GcraBucket b = new GcraBucket(20, 500, 0);
        drain(b, 0, 1_000);
        assertThat(drain(b, 3_600 * SECOND, 10_000)).isEqualTo(500);
    }

    @Test
    void release_givesBackExactlyOneToken() {
        GcraBucket b = new GcraBucket(50, 500, 0);
        drain(b, 0, 1_000);
        b.release();
        b.release();
        assertThat(drain(b, 0, 1_000)).isEqualTo(2);
    }

    @Test
    void release_onFullBucket_doesNotRaiseAboveBurst() {
        GcraBucket b = new GcraBucket(50, 500, 0);
        assertThat(b.tryAcquire(0)).isTrue();
        b.release();
        assertThat(drain(b, 10 * SECOND, 1_000)).isEqualTo(500);
    }

    @Test
    void tryAcquire_clockNearOverflow_staysExact() {
        long start = Long.MAX_VALUE - 5 * SECOND;
        GcraBucket b = new GcraBucket(100, 1_000, start);
        assertThat(drain(b, start, 10_000)).isEqualTo(1_000);
        // crosses Long.MAX_VALUE: nanoTime readings wrap, differences stay right
        assertThat(drain(b, start + 10 * SECOND, 10_000)).isEqualTo(1_000);
        assertThat(drain(b, start + 10 * SECOND + 50_000_000L, 10_000)).isEqualTo(5);
    }

    @Test
    void tryAcquire_extremeRateAndBurst_noOverflow() {
        GcraBucket fastest = new GcraBucket(1_000_000_000L, 1_000_000_000L, 0);
        assertThat(fastest.available(0)).isEqualTo(1_000_000_000L);
        assertThat(fastest.tryAcquire(0)).isTrue();
        GcraBucket slowest = new GcraBucket(1, 1_000_000_000L, 0); // tolerance 10^18 ns
        assertThat(slowest.available(0)).isEqualTo(1_000_000_000L);
        assertThat(slowest.available(100L * 365 * 86_400 * SECOND)).isEqualTo(1_000_000_000L);
        assertThat(slowest.tryAcquire(Long.MAX_VALUE / 2)).isTrue();
    }

    @Test
    void tryAcquire_longIdle_bucketFullNotMore() {
        GcraBucket b = new GcraBucket(1, 1, 0);
        assertThat(b.tryAcquire(0)).isTrue();
        long later = 200L * 365 * 86_400 * SECOND; // 200 years
        assertThat(drain(b, later, 10)).isEqualTo(1);
    }

    @Test
    void period_rateNotDividingOneSecond_roundsUpSoNeverOverAdmits() {
        assertThat(Gcra.period(3)).isEqualTo(333_333_334L);
        GcraBucket b = new GcraBucket(3, 1, 0);
        assertThat(b.tryAcquire(0)).isTrue();
        int admitted = 0;
        for (long t = 1; t <= 3_000; t++) {
            admitted += drain(b, t * 1_000_000L, 10); // 3 s in 1 ms steps
        }
        assertThat(admitted).isEqualTo(8); // at 333.33 ms, 666.67 ms, ..., 2.67 s; the 9th is due at 3.000000002 s
    }
}
