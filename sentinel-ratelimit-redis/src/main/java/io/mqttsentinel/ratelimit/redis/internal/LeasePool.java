package io.mqttsentinel.ratelimit.redis.internal;

import io.micrometer.core.instrument.Counter;
import io.mqttsentinel.ratelimit.GlobalTier;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local side of a fleet-wide GLOBAL tier: a pool of tokens leased in batches from a {@link LeaseSource}.
 *
 * <p>The hot path ({@link #tryAcquire(long)}) only decrements the pool: it never waits for the source. One
 * background thread calls {@link #refresh(long)} periodically; when the pool has fallen to half a lease or
 * less it asks the source for enough tokens to fill it to a whole lease, with at most one request in
 * flight. A request that fails, or is not answered within the timeout, switches the tier to its
 * <i>fallback</i>: a local bucket holding this proxy's share of the global rate, until a request succeeds
 * again (in fallback every refresh asks, for nothing if the pool is full, to find out). Tokens granted late
 * still go into the pool, since the shared bucket has already counted them.
 */
public final class LeasePool implements GlobalTier {
    private static final Logger LOG = LoggerFactory.getLogger(LeasePool.class);

    private final LeaseSource source;
    private final long leaseSize;
    private final long lowWater;
    private final long timeoutNanos;
    private final GlobalTier fallback;
    private final Counter fallbackCounter;
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong pending = new AtomicLong(); // id of the request in flight, 0 when none
    private long requestSeq; // refresh() is called by one thread at a time
    private volatile long pendingSince;
    private volatile boolean inFallback;
    private volatile Runnable onLow = () -> { };

    /**
     * @param source          the shared bucket
     * @param leaseSize       tokens per lease, at least 1
     * @param timeoutNanos    how long a request may take before the fallback is used
     * @param fallback        the local share of the global rate, used while the source fails
     * @param fallbackCounter counts every switch to the fallback
     */
    public LeasePool(LeaseSource source, long leaseSize, long timeoutNanos, GlobalTier fallback,
            Counter fallbackCounter) {
        this.source = source;
        this.leaseSize = leaseSize;
        this.lowWater = leaseSize / 2;
        this.timeoutNanos = timeoutNanos;
        this.fallback = fallback;
        this.fallbackCounter = fallbackCounter;
    }

    /** @param onLow run (on the hot path, so it must only hand work off) when the pool falls to the low-water mark */
    public void onLow(Runnable onLow) {
        this.onLow = onLow;
    }

    @Override
    public boolean tryAcquire(long nanoTime) {
        if (inFallback) {
            return fallback.tryAcquire(nanoTime);
        }
        for (;;) {
            long n = tokens.get();
            if (n <= 0) {
                return false;
            }
            if (tokens.compareAndSet(n, n - 1)) {
                if (n - 1 == lowWater) {
                    onLow.run();
                }
                return true;
            }
        }
    }

    @Override
    public void release() {
        if (inFallback) {
            fallback.release();
        } else {
            tokens.incrementAndGet();
        }
    }

    /**
     * One round of the background work: notices a request that timed out, and asks for a lease when the pool
     * is low. Called by one thread at a time.
     *
     * @param nanoTime a clock reading
     */
    public void refresh(long nanoTime) {
        long inFlight = pending.get();
        if (inFlight != 0) {
            if (nanoTime - pendingSince < timeoutNanos || !pending.compareAndSet(inFlight, 0)) {
                return;
            }
            failed(new TimeoutException("no lease within " + timeoutNanos / 1_000_000 + " ms"));
        }
        long pool = tokens.get();
        boolean low = pool <= lowWater;
        if (!low && !inFallback) {
            return;
        }
        // In fallback the pool is not drawn from, so it may stay full: then ask for nothing, only to learn
        // whether the shared bucket answers again.
        long wanted = low ? leaseSize - pool : 0;
        long id = ++requestSeq;
        pendingSince = nanoTime;
        pending.set(id);
        CompletionStage<Long> answer;
        try {
            answer = source.lease(wanted);
        } catch (RuntimeException e) {
            completed(id, null, e);
            return;
        }
        answer.whenComplete((granted, error) -> completed(id, granted, error));
    }

    /** @return whether the fallback (local share) is in use */
    public boolean inFallback() {
        return inFallback;
    }

    /** @return the tokens leased and not yet used */
    public long pooled() {
        return tokens.get();
    }

    private void completed(long id, Long granted, Throwable error) {
        boolean current = pending.compareAndSet(id, 0);
        if (error == null && granted != null) {
            tokens.addAndGet(granted);
            if (current && inFallback) {
                inFallback = false;
                LOG.info("fleet-wide GLOBAL rate limit reachable again: leaving the local fallback");
            }
        } else if (current) {
            failed(error);
        }
    }

    private void failed(Throwable error) {
        if (!inFallback) {
            inFallback = true;
            fallbackCounter.increment();
            LOG.warn("fleet-wide GLOBAL rate limit unreachable ({}): using this proxy's local share", String.valueOf(error));
        }
    }
}
