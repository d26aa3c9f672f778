package io.mqttsentinel.proxy.internal;

import io.mqttsentinel.api.Ticker;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS handshakes per source address: a token bucket per address (rate per second, burst), checked when a
 * connection is accepted and before any TLS work, since the handshake is the expensive part of a connection
 * flood. The bucket is kept as the time at which it will be full again (GCRA); an address whose bucket is
 * full holds no information and is dropped when the table grows past its cap. When the cap is reached and
 * nothing can be dropped, new addresses are refused (fails closed, like the rate tiers).
 */
public final class HandshakeLimiter {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final int maxSources;
    private final Ticker nanoTime;
    private final ConcurrentHashMap<InetAddress, long[]> full = new ConcurrentHashMap<>();

    /**
     * @param perSecond  handshakes per second per address, 0 = unlimited
     * @param burst      handshakes an idle address may start at once (at least 1)
     * @param maxSources addresses tracked at most
     * @param nanoTime   the ticker of the handshake buckets
     */
    public HandshakeLimiter(long perSecond, int burst, int maxSources, Ticker nanoTime) {
        this.intervalNanos = perSecond == 0 ? 0 : 1_000_000_000L / perSecond;
        this.toleranceNanos = intervalNanos * Math.max(0, burst - 1);
        this.maxSources = maxSources;
        this.nanoTime = nanoTime;
    }

    /**
     * @param address a new connection's source address
     * @return whether it may start a TLS handshake now
     */
    public boolean tryAcquire(InetAddress address) {
        if (intervalNanos == 0) {
            return true;
        }
        long now = nanoTime.nanoTime();
        if (full.size() >= maxSources && !full.containsKey(address)) {
            full.values().removeIf(t -> t[0] <= now);
            if (full.size() >= maxSources) {
                return false;
            }
        }
        boolean[] allowed = new boolean[1];
        full.compute(address, (a, t) -> {
            long tat = t == null ? now : Math.max(t[0], now);
            if (tat - now > toleranceNanos) {
                return t;
            }
            allowed[0] = true;
            long[] next = t == null ? new long[1] : t;
            next[0] = tat + intervalNanos;
            return next;
        });
        return allowed[0];
    }

    /** @return addresses tracked now */
    public int sources() {
        return full.size();
    }
}
