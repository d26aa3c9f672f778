package io.mqttsentinel.ratelimit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GCRA buckets per 64-bit key, with a hard cap on the number of keys and expiry of idle buckets.
 *
 * <p><b>Layout.</b> 64 stripes, each an open-addressing table (linear probing, load at most 2/3) of
 * {@link Bucket} references; a bucket is one object of two longs (key and TAT, see {@link Gcra}).
 * The stripe and the slot come from a hash of the key with a secret seed, so an attacker cannot aim keys
 * at one stripe or one probe chain.
 *
 * <p><b>Concurrency.</b> Finding an existing key and taking a token are lock-free: a volatile read of the
 * stripe's table, a probe, a CAS on the bucket's TAT. Only structural changes take the stripe's lock:
 * inserting a key, and rebuilding the table (to grow, or to drop expired buckets). A rebuild never moves
 * tokens: it copies references to the same bucket objects, so a thread still probing the old table
 * updates the same bucket. An expired bucket is first marked dead by a CAS of its TAT to {@link #DEAD};
 * a thread whose CAS then fails sees the mark and looks the key up again under the lock, where it finds
 * or creates the live bucket. Because bucket objects are never reused, a token can never be taken from
 * or given back to the wrong key.
 *
 * <p><b>Expiry.</b> A bucket is dropped when it has been full for at least the idle timeout. A full
 * bucket and a new one behave the same, so dropping never changes a decision. Rebuilds happen when a
 * stripe must grow and, once the key cap is reached, at most once per {@link #FULL_SWEEP_INTERVAL_NANOS}
 * for all stripes; {@link #sweep(long)} drops expired buckets on demand.
 *
 * <p><b>Cap.</b> The number of live keys never exceeds {@code maxKeys}: a new key that finds the cap
 * reached (after a sweep) gets {@link #NO_CAPACITY}, and the caller fails closed.
 *
 * <p>Times are nanoseconds relative to the owner's start (never negative), so TATs can be compared
 * directly and {@link #DEAD} ({@link Long#MIN_VALUE}) can mark dead buckets.
 */
public final class KeyedBuckets {
    /** Returned by {@link #tryAcquire} when the key's bucket is empty. */
    public static final Bucket REJECTED = new Bucket(0);
    /** Returned by {@link #tryAcquire} when the key is new and the key cap is reached. */
    public static final Bucket NO_CAPACITY = new Bucket(0);
    /** At most one sweep of all stripes per second when the cap is reached. */
    public static final long FULL_SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    static final long DEAD = Long.MIN_VALUE;
    private static final int STRIPE_BITS = 6;
    private static final int MIN_TABLE = 8;
    private static final VarHandle TAT;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Bucket[].class);

    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(Bucket.class, "tat", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The bucket of one key: its TAT, or {@link #DEAD} once expired. */
    public static final class Bucket {
        final long key;
        volatile long tat;

        Bucket(long key) {
            this.key = key;
        }
    }

    private final long period;
    private final long tolerance;
    private final long idleNanos;
    private final long seed;
    private final int maxKeys;
    private final Stripe[] stripes = new Stripe[1 << STRIPE_BITS];
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long lastFullSweep = Long.MIN_VALUE / 2;

    /**
     * @param ratePerSecond 1 .. 10^9 (validated by the caller)
     * @param burst         1 .. 10^9 (validated by the caller)
     * @param maxKeys       the cap on live keys, at least 1
     * @param idleNanos     how long a bucket stays full before it may be dropped, at least 0
     * @param seed          a secret random seed of the slot hash
     */
    public KeyedBuckets(long ratePerSecond, long burst, int maxKeys, long idleNanos, long seed) {
        this.seed = seed;
        this.period = Gcra.period(ratePerSecond);
        this.tolerance = Gcra.tolerance(ratePerSecond, burst);
        this.maxKeys = maxKeys;
        this.idleNanos = idleNanos;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /**
     * Takes one token from the bucket of {@code key}, creating the bucket (full) when the key is new.
     *
     * @param key  the key
     * @param now  nanoseconds since the owner's start, not negative
     * @return the bucket a token was taken from (pass it to {@link #release}), or {@link #REJECTED}, or
     *         {@link #NO_CAPACITY}
     */
    public Bucket tryAcquire(long key, long now) {
        long hash = hash(key);
        Stripe stripe = stripes[(int) (hash >>> (64 - STRIPE_BITS))];
        Bucket bucket = stripe.find(key, (int) hash);
        for (;;) {
            if (bucket == null) {
                bucket = insert(stripe, key, (int) hash, now);
                if (bucket == NO_CAPACITY) {
                    return NO_CAPACITY;
                }
            }
            long tat = (long) TAT.getVolatile(bucket);
            if (tat == DEAD) {
                bucket = null;
                continue;
            }
            long next = Math.max(tat, now) + period;
            if (next - now > tolerance) {
                return REJECTED;
            }
            if (TAT.compareAndSet(bucket, tat, next)) {
                return bucket;
            }
        }
    }

    /**
     * Gives back the token taken from {@code bucket} by {@link #tryAcquire}. A bucket that has expired
     * since was full, so there is nothing to give back to.
     *
     * @param bucket a bucket returned by {@link #tryAcquire}
     */
    public void release(Bucket bucket) {
        for (;;) {
            long tat = (long) TAT.getVolatile(bucket);
            if (tat == DEAD || TAT.compareAndSet(bucket, tat, tat - period)) {
                return;
            }
        }
    }

    /** @return the number of keys tracked now (live buckets, including idle ones not yet swept) */
    public int size() {
        return size.get();
    }

    /** @return the cap on tracked keys */
    public int maxKeys() {
        return maxKeys;
    }

    /**
     * Drops every bucket that has been full for the idle timeout, in every stripe.
     *
     * @param now nanoseconds since the owner's start
     */
    public void sweep(long now) {
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                stripe.rebuild(now, false);
            }
        }
    }

    /**
     * @param key a key
     * @param now nanoseconds since the owner's start
     * @return the whole tokens left for {@code key}, or -1 when it is not tracked (tests, diagnostics)
     */
    public long available(long key, long now) {
        long hash = hash(key);
        Bucket bucket = stripes[(int) (hash >>> (64 - STRIPE_BITS))].find(key, (int) hash);
        if (bucket == null) {
            return -1;
        }
        long tat = bucket.tat;
        return tat == DEAD ? -1 : (tolerance - (Math.max(tat, now) - now)) / period;
    }

    private Bucket insert(Stripe stripe, long key, int hash, long now) {
        for (boolean swept = false; ; swept = true) {
            synchronized (stripe) {
                // Under the lock the table holds no dead bucket: a rebuild replaces it before unlocking.
                Bucket found = stripe.find(key, hash);
                if (found != null) {
                    return found;
                }
                if (reserveKey()) {
                    return stripe.add(new Bucket(key), hash, now);
                }
            }
            // Outside the stripe's lock: the sweep takes every stripe's lock in turn.
            if (swept || !sweepWhenFull(now)) {
                return NO_CAPACITY;
            }
        }
    }

    private boolean reserveKey() {
        for (;;) {
            int n = size.get();
            if (n >= maxKeys) {
                return false;
            }
            if (size.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private boolean sweepWhenFull(long now) {
        if (now - lastFullSweep < FULL_SWEEP_INTERVAL_NANOS || !sweeping.compareAndSet(false, true)) {
            return false;
        }
        try {
            lastFullSweep = now;
            sweep(now);
            return true;
        } finally {
            sweeping.set(false);
        }
    }

    /** Marks {@code bucket} dead when it has been full for the idle timeout; @return whether it died. */
    private boolean expire(Bucket bucket, long now) {
        for (;;) {
            long tat = (long) TAT.getVolatile(bucket);
            if (tat == DEAD) {
                return true;
            }
            if (now - tat < idleNanos) {
                return false;
            }
            if (TAT.compareAndSet(bucket, tat, DEAD)) {
                size.decrementAndGet();
                return true;
            }
        }
    }

    private final class Stripe {
        private volatile Bucket[] table = new Bucket[MIN_TABLE];
        private int used; // guarded by this

        Bucket find(long key, int hash) {
            Bucket[] t = table;
            int mask = t.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                Bucket b = (Bucket) SLOTS.getAcquire(t, i);
                if (b == null || b.key == key) {
                    return b;
                }
            }
        }

        Bucket add(Bucket bucket, int hash, long now) {
            if ((used + 1) * 3 > table.length * 2) {
                rebuild(now, true);
            }
            Bucket[] t = table;
            int mask = t.length - 1;
            int i = hash & mask;
            while (t[i] != null) {
                i = (i + 1) & mask;
            }
            SLOTS.setRelease(t, i, bucket);
            used++;
            return bucket;
        }

        /** Drops expired buckets; resizes so that the table is at most half full with room for one more. */
        void rebuild(long now, boolean forInsert) {
            Bucket[] old = table;
            int live = 0;
            for (Bucket b : old) {
                if (b != null && !expire(b, now)) {
                    live++;
                }
            }
            int extra = forInsert ? 1 : 0;
            if (live == used && (live + extra) * 3 <= old.length * 2) {
                return; // nothing dropped, still room: keep the table
            }
            int length = MIN_TABLE;
            while (length < (live + extra) * 2) {
                length <<= 1;
            }
            Bucket[] fresh = new Bucket[length];
            int mask = length - 1;
            for (Bucket b : old) {
                if (b != null && b.tat != DEAD) {
                    int i = (int) hash(b.key) & mask;
                    while (fresh[i] != null) {
                        i = (i + 1) & mask;
                    }
                    fresh[i] = b;
                }
            }
            used = live;
            table = fresh;
        }
    }

    private long hash(long key) {
        return Hashing.mix(key ^ seed);
    }
}
