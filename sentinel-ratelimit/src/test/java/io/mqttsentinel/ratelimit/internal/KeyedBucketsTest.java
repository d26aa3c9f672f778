package io.mqttsentinel.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.ratelimit.internal.KeyedBuckets.Bucket;
import org.junit.jupiter.api.Test;

class KeyedBucketsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long IDLE = 30 * SECOND;

    private static KeyedBuckets buckets(long rate, long burst, int maxKeys) {
        return new KeyedBuckets(rate, burst, maxKeys, IDLE, 42);
    }

    private static int drain(KeyedBuckets b, long key, long now) {
        int n = 0;
        while (n < 1_000_000 && !isRejection(b.tryAcquire(key, now))) {
            n++;
        }
        return n;
    }

    private static boolean isRejection(Bucket b) {
        return b == KeyedBuckets.REJECTED || b == KeyedBuckets.NO_CAPACITY;
    }

    @Test
    void tryAcquire_keysAreIndependent() {
        KeyedBuckets b = buckets(100, 500, 1_000);
        assertThat(drain(b, 1, 0)).isEqualTo(500);
        assertThat(drain(b, 2, 0)).isEqualTo(500);
        assertThat(b.tryAcquire(1, 0)).isSameAs(KeyedBuckets.REJECTED);
        assertThat(b.size()).isEqualTo(2);
    }

    @Test
    void tryAcquire_manyKeys_eachFoundAgainAfterGrowth() {
        KeyedBuckets b = buckets(10, 2, 100_000);
        for (long k = 0; k < 50_000; k++) {
            assertThat(b.tryAcquire(k, 0)).isNotSameAs(KeyedBuckets.REJECTED);
        }
        for (long k = 0; k < 50_000; k++) {
            assertThat(b.available(k, 0)).as("key %d", k).isEqualTo(1);
        }
        assertThat(b.size()).isEqualTo(50_000);
    }

    @Test
    void sweep_dropsOnlyBucketsFullForTheIdleTimeout() {
        KeyedBuckets b = buckets(100, 100, 1_000); // refills completely in 1 s
        drain(b, 1, 0);
        assertThat(b.tryAcquire(2, 0)).isNotSameAs(KeyedBuckets.REJECTED);
        // key 1 is full at 1 s, key 2 at 10 ms: key 2 idle-full for 30 s at 30.01 s, key 1 at 31 s
        b.sweep(30 * SECOND + 10_000_000L);
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.available(2, 30 * SECOND + 10_000_000L)).isEqualTo(-1);
        assertThat(b.available(1, 30 * SECOND + 10_000_000L)).isEqualTo(100);
        b.sweep(31 * SECOND);
        assertThat(b.size()).isZero();
    }

    @Test
    void tryAcquire_afterExpiry_newBucketIsFull() {
        KeyedBuckets b = buckets(1, 5, 10);
        drain(b, 7, 0);
        b.sweep(100 * SECOND);
        assertThat(b.size()).isZero();
        assertThat(drain(b, 7, 100 * SECOND)).isEqualTo(5);
    }

    @Test
    void tryAcquire_capReached_newKeyRefusedKnownKeyServed() {
        KeyedBuckets b = buckets(1, 10, 3);
        for (long k = 1; k <= 3; k++) {
            assertThat(b.tryAcquire(k, 0)).isNotSameAs(KeyedBuckets.NO_CAPACITY);
        }
        assertThat(b.tryAcquire(4, 0)).isSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.tryAcquire(5, 0)).isSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.tryAcquire(2, 0)).isNotSameAs(KeyedBuckets.NO_CAPACITY).isNotSameAs(KeyedBuckets.REJECTED);
        assertThat(b.size()).isEqualTo(3);
    }

    @Test
    void tryAcquire_capReached_idleKeysMakeRoomAfterTimeout() {
        KeyedBuckets b = buckets(1, 10, 3);
        for (long k = 1; k <= 3; k++) {
            b.tryAcquire(k, 0);
        }
        assertThat(b.tryAcquire(4, 0)).isSameAs(KeyedBuckets.NO_CAPACITY);
        // each key is full again at 1 s, idle-full for 30 s at 31 s
        assertThat(b.tryAcquire(4, 30 * SECOND)).isSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.tryAcquire(4, 31 * SECOND)).isNotSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void tryAcquire_capReached_sweepAtMostOncePerInterval() {
        KeyedBuckets b = buckets(1, 1, 1);
        b.tryAcquire(1, 0); // key 1 is full again at 1 s, droppable from 31 s
        long ms = 1_000_000L;
        assertThat(b.tryAcquire(2, 30_500 * ms)).isSameAs(KeyedBuckets.NO_CAPACITY); // swept: nothing to drop
        // droppable now, but the last sweep was 0.7 s ago: no new sweep yet
        assertThat(b.tryAcquire(3, 31_200 * ms)).isSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.size()).isEqualTo(1);
        // 1.1 s after the last sweep: sweeps, drops key 1, admits key 3
        assertThat(b.tryAcquire(3, 31_600 * ms)).isNotSameAs(KeyedBuckets.NO_CAPACITY);
        assertThat(b.available(1, 31_600 * ms)).isEqualTo(-1);
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void release_afterExpiry_isIgnored() {
        KeyedBuckets b = buckets(1, 1, 10);
        Bucket taken = b.tryAcquire(1, 0);
        b.sweep(100 * SECOND);
        b.release(taken);
        assertThat(b.size()).isZero();
        assertThat(drain(b, 1, 100 * SECOND)).isEqualTo(1);
    }

    @Test
    void release_givesTokenBackToItsKey() {
        KeyedBuckets b = buckets(1, 3, 10);
        Bucket first = b.tryAcquire(9, 0);
        drain(b, 9, 0);
        b.release(first);
        assertThat(b.available(9, 0)).isEqualTo(1);
    }

    @Test
    void sweep_shrinksTableWhenKeysLeave() {
        KeyedBuckets b = buckets(1_000, 1, 100_000);
        for (long k = 0; k < 20_000; k++) {
            b.tryAcquire(k, 0);
        }
        b.sweep(60 * SECOND);
        assertThat(b.size()).isZero();
        for (long k = 0; k < 20_000; k++) {
            assertThat(b.available(k, 60 * SECOND)).isEqualTo(-1);
        }
    }
}
