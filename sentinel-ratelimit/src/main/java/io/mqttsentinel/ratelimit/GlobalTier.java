package io.mqttsentinel.ratelimit;

import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.ratelimit.internal.GcraBucket;

/**
 * The GLOBAL tier of a {@link TieredRateLimiter}: one bucket for all the traffic of a node, or, shared
 * through Redis ({@code sentinel-ratelimit-redis}), of a whole fleet of proxies.
 *
 * <p>The limiter calls {@link #tryAcquire(long)} for every packet, first of all tiers; when a later tier
 * rejects the packet it calls {@link #release()} once, to give the token back. Implementations are
 * thread-safe, never block and never wait on I/O: a fleet-wide implementation leases tokens in the
 * background.
 */
public interface GlobalTier {

    /**
     * Takes one token if one is available.
     *
     * @param nanoTime a reading of the limiter's {@link Ticker}, taken once for the packet
     * @return {@code true} when the packet may pass this tier
     */
    boolean tryAcquire(long nanoTime);

    /** Gives back one token taken by a successful {@link #tryAcquire(long)} whose packet a later tier rejected. */
    void release();

    /**
     * A GLOBAL tier local to this JVM: an exact GCRA token bucket (see {@link TieredRateLimiter}).
     *
     * @param ratePerSecond sustained rate, 1 to {@value RateLimitConfig#MAX_RATE}
     * @param burst         bucket capacity, 1 to {@value RateLimitConfig#MAX_BURST}; the bucket starts full
     * @param ticker        the ticker whose readings will be passed to {@link #tryAcquire(long)}
     * @return a new tier
     * @throws IllegalArgumentException when a value is out of range
     */
    static GlobalTier local(long ratePerSecond, long burst, Ticker ticker) {
        Values.checkRange("ratePerSecond", ratePerSecond, 1, RateLimitConfig.MAX_RATE);
        Values.checkRange("burst", burst, 1, RateLimitConfig.MAX_BURST);
        if (ticker == null) {
            throw new IllegalArgumentException("ticker must not be null");
        }
        GcraBucket bucket = new GcraBucket(ratePerSecond, burst, ticker.nanoTime());
        return new GlobalTier() {
            @Override
            public boolean tryAcquire(long nanoTime) {
                return bucket.tryAcquire(nanoTime);
            }

            @Override
            public void release() {
                bucket.release();
            }

            @Override
            public String toString() {
                return "GlobalTier.local[" + ratePerSecond + "/s, burst " + burst + "]";
            }
        };
    }
}
