package io.mqttsentinel.inspect.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets per key (a client id or a source address): capacity {@code limit}, refilled at
 * {@code limit} per second, one token per event. Time comes from the caller (an injected ticker, in
 * milliseconds).
 * Memory is bounded: past {@code maxKeys} keys, buckets idle for two seconds (full again) are swept at
 * most once a second; when none can be swept, new keys are not tracked (the proxy's rate limiter is the
 * enforcement layer; this one is a detector).
 */
public final class RateTracker {

    private static final long SCALE = 1000; // milli-tokens, so that a millisecond clock refills smoothly

    private final long limit;
    private final int maxKeys;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param limit   events per second allowed per key
     * @param maxKeys keys tracked at most
     */
    public RateTracker(int limit, int maxKeys) {
        this.limit = limit;
        this.maxKeys = maxKeys;
    }

    /**
     * Takes a token for {@code key}.
     *
     * @param key       the client id or source address
     * @param nowMillis the ticker's reading in milliseconds (only differences matter)
     * @return {@code true} when the key is above the rate (no token left)
     */
    public boolean exceeded(String key, long nowMillis) {
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= maxKeys && !sweep(nowMillis)) {
                return false;
            }
            b = buckets.computeIfAbsent(key, k -> new Bucket(limit * SCALE, nowMillis));
        }
        return !b.take(nowMillis, limit);
    }

    private boolean sweep(long now) {
        long last = lastSweep.get();
        if ((last != Long.MIN_VALUE && now - last < 1000) || !lastSweep.compareAndSet(last, now)) {
            return buckets.size() < maxKeys;
        }
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (now - it.next().last() > 2000) {
                it.remove();
            }
        }
        return buckets.size() < maxKeys;
    }

    /** @return how many keys are tracked */
    public int size() {
        return buckets.size();
    }

    private static final class Bucket {
        private long tokens;
        private long last;

        Bucket(long tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(long now, long limit) {
            long elapsed = now - last;
            if (elapsed > 0) {
                tokens = Math.min(limit * SCALE, tokens + elapsed * limit);
                last = now;
            }
            if (tokens >= SCALE) {
                tokens -= SCALE;
                return true;
            }
            return false;
        }

        synchronized long last() {
            return last;
        }
    }
}
