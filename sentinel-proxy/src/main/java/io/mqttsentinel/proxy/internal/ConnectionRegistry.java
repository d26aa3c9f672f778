package io.mqttsentinel.proxy.internal;

import io.mqttsentinel.api.Ticker;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts connections in total and per source address, and keeps one bandwidth bucket per source address
 * shared by all its connections. An address's entry lives exactly as long as it has connections, so the
 * memory it takes is bounded by the connection limit.
 */
public final class ConnectionRegistry {
    private final int maxTotal;
    private final int maxPerIp;
    private final long bytesPerSecond;
    private final long burst;
    private final Ticker nanoTime;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Source> sources = new ConcurrentHashMap<>();

    /** Why {@link #tryOpen} refused. */
    public enum Refusal {
        /** Admitted. */
        NONE,
        /** The total limit is reached. */
        MAX_TOTAL,
        /** The per-address limit is reached. */
        MAX_PER_IP
    }

    /**
     * @param maxTotal       connections in total
     * @param maxPerIp       connections per address
     * @param bytesPerSecond bytes per second per address, 0 = unlimited
     * @param burst          bucket capacity in bytes
     * @param nanoTime       the ticker of the bandwidth buckets
     */
    public ConnectionRegistry(int maxTotal, int maxPerIp, long bytesPerSecond, long burst, Ticker nanoTime) {
        this.maxTotal = maxTotal;
        this.maxPerIp = maxPerIp;
        this.bytesPerSecond = bytesPerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /**
     * @param address a new connection's source address
     * @return {@link Refusal#NONE} when admitted (then {@link #close} must follow), else why not
     */
    public Refusal tryOpen(InetAddress address) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Refusal.MAX_TOTAL;
        }
        boolean[] admitted = new boolean[1];
        sources.compute(address, (a, s) -> {
            Source src = s == null ? new Source(burst, nanoTime.nanoTime()) : s;
            if (src.connections < maxPerIp) {
                src.connections++;
                admitted[0] = true;
            }
            return src.connections == 0 ? null : src;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return Refusal.MAX_PER_IP;
        }
        return Refusal.NONE;
    }

    /** @param address the source address of a connection admitted by {@link #tryOpen} that closed */
    public void close(InetAddress address) {
        sources.computeIfPresent(address, (a, s) -> --s.connections <= 0 ? null : s);
        total.decrementAndGet();
    }

    /** @return connections held */
    public int total() {
        return total.get();
    }

    /** @return addresses with at least one connection */
    public int addresses() {
        return sources.size();
    }

    /**
     * Takes {@code bytes} from the address's bandwidth bucket.
     *
     * @param address the source address
     * @param bytes   bytes just read
     * @return 0 when the address is within its bandwidth, else nanoseconds to pause its reads
     */
    public long consume(InetAddress address, int bytes) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        Source s = sources.get(address);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            long now = nanoTime.nanoTime();
            double refill = (now - s.lastRefill) * (bytesPerSecond / 1e9);
            s.tokens = Math.min(burst, s.tokens + refill);
            s.lastRefill = now;
            s.tokens -= bytes;
            if (s.tokens >= 0) {
                return 0;
            }
            return (long) Math.ceil(-s.tokens / bytesPerSecond * 1e9);
        }
    }

    private static final class Source {
        int connections;
        double tokens;
        long lastRefill;

        Source(long burst, long now) {
            this.tokens = burst;
            this.lastRefill = now;
        }
    }
}
