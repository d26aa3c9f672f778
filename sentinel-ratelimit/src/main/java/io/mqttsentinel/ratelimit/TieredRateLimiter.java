package io.mqttsentinel.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.api.RateLimiter;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.ratelimit.internal.Hashing;
import io.mqttsentinel.ratelimit.internal.KeyedBuckets;
import io.mqttsentinel.ratelimit.internal.KeyedBuckets.Bucket;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The six rate-limit tiers of the edge proxy: GLOBAL, IP, CONNECT, PUBLISH, SUBSCRIBE and CLIENT, evaluated
 * in that order; the first tier that rejects a packet wins.
 *
 * <table>
 * <caption>Which tiers apply to a packet</caption>
 * <tr><th>tier</th><th>key</th><th>packets</th></tr>
 * <tr><td>GLOBAL</td><td>none (one bucket, or fleet-wide: {@link Builder#globalTier})</td><td>all</td></tr>
 * <tr><td>IP</td><td>source address (IPv6: its prefix, /64 by default)</td><td>all</td></tr>
 * <tr><td>CONNECT</td><td>source address</td><td>CONNECT</td></tr>
 * <tr><td>PUBLISH</td><td>client id</td><td>PUBLISH</td></tr>
 * <tr><td>SUBSCRIBE</td><td>client id</td><td>SUBSCRIBE</td></tr>
 * <tr><td>CLIENT</td><td>client id</td><td>all</td></tr>
 * </table>
 * The client-id tiers are skipped while the client id is {@code null} (not yet known).
 *
 * <p><b>Buckets.</b> Each bucket is a token bucket of the tier's rate and burst, stored as one number in
 * the form of the generic cell rate algorithm (GCRA): the time at which the bucket will be full again,
 * updated by compare-and-set, with no lock. Buckets start full. Admission counts are exact for every rate
 * that divides 10^9 (the defaults do); other rates are rounded down by less than one part in
 * 10^9/rate, never up.
 *
 * <p><b>Rejection at a later tier: tokens are given back.</b> A packet takes a token from each tier in
 * order; when tier <i>k</i> rejects it, the tokens it already took from tiers 1..<i>k</i>-1 are given back,
 * so a rejected packet costs no tier anything. This was chosen over "check every tier, then take from
 * every tier" because it touches each bucket once on the common path (the packet is admitted), which is
 * what the per-packet budget pays for, and because a GCRA give-back is exact and cheap (one
 * compare-and-set subtracting one emission interval), while check-then-take is not atomic across tiers
 * anyway and costs a second pass. A packet that another thread sees in flight may briefly hold a token
 * that is then returned: no packet is ever admitted beyond a tier's limit.
 *
 * <p><b>Memory.</b> The keyed tiers keep one bucket per key (about 40 bytes) in a bounded table per tier:
 * at most {@link RateLimitConfig#maxKeysPerTier()} keys. A bucket that has been full for
 * {@link RateLimitConfig#idleTimeout()} is dropped (a full bucket and a new one behave the same, so this
 * never changes a decision). When the cap is reached and nothing can be dropped, a packet with a
 * <i>new</i> key is rejected by that tier (fails closed) and counted in
 * {@code mqtt_proxy_rate_limit_new_keys_refused_total{tier}}; known keys keep working. Client ids are
 * hashed with SipHash under a per-instance random key, and addresses mixed with a random seed: nobody can
 * make two keys share a bucket or a probe chain on purpose.
 *
 * <p><b>Metrics</b> (Prometheus names): {@code mqtt_proxy_rate_limit_rejected_total{tier}} for every
 * rejection, {@code mqtt_proxy_rate_limit_new_keys_refused_total{tier}}, and the gauge
 * {@code mqtt_proxy_rate_limit_tracked_keys{tier}} for the keyed tiers. The {@code tier} label is
 * {@link RateLimitTier#label()}.
 *
 * <p>Thread-safe; {@link #tryAcquire} never blocks on another thread in the steady state (only
 * inserting a new key takes a short per-stripe lock) and allocates nothing for a known IPv4 source.
 */
public final class TieredRateLimiter implements RateLimiter {
    /** Micrometer name of the rejection counter (Prometheus: {@code mqtt_proxy_rate_limit_rejected_total}). */
    public static final String METRIC_REJECTED = "mqtt.proxy.rate.limit.rejected";
    /** Micrometer name of the new-key refusal counter. */
    public static final String METRIC_NEW_KEYS_REFUSED = "mqtt.proxy.rate.limit.new.keys.refused";
    /** Micrometer name of the tracked-keys gauge. */
    public static final String METRIC_TRACKED_KEYS = "mqtt.proxy.rate.limit.tracked.keys";

    private static final RateLimitTier[] TIERS = RateLimitTier.values();
    private static final int IP = RateLimitTier.IP.ordinal();
    private static final int CONNECT = RateLimitTier.CONNECT.ordinal();
    private static final int PUBLISH = RateLimitTier.PUBLISH.ordinal();
    private static final int SUBSCRIBE = RateLimitTier.SUBSCRIBE.ordinal();
    private static final int CLIENT = RateLimitTier.CLIENT.ordinal();

    private final RateLimitConfig config;
    private final Ticker ticker;
    private final long origin;
    private final GlobalTier global;
    private final KeyedBuckets[] keyed = new KeyedBuckets[TIERS.length];
    private final Counter[] rejected = new Counter[TIERS.length];
    private final Counter[] refused = new Counter[TIERS.length];
    private final long v6Mask;
    private final long sipK0;
    private final long sipK1;

    private TieredRateLimiter(Builder b) {
        this.config = b.config;
        this.ticker = b.ticker;
        this.origin = ticker.nanoTime();
        this.global = b.global != null ? b.global
                : GlobalTier.local(config.rate(RateLimitTier.GLOBAL), config.burst(RateLimitTier.GLOBAL), ticker);
        this.v6Mask = Hashing.prefixMask(config.ipv6PrefixLength());
        SecureRandom random = new SecureRandom();
        this.sipK0 = random.nextLong();
        this.sipK1 = random.nextLong();
        long idleNanos = config.idleTimeout().toNanos();
        MeterRegistry registry = b.registry;
        for (RateLimitTier tier : TIERS) {
            int i = tier.ordinal();
            rejected[i] = Counter.builder(METRIC_REJECTED).tag("tier", tier.label())
                    .description("Packets rejected by a rate-limit tier").register(registry);
            if (tier == RateLimitTier.GLOBAL) {
                continue;
            }
            KeyedBuckets buckets = new KeyedBuckets(config.rate(tier), config.burst(tier), config.maxKeysPerTier(),
                    idleNanos, random.nextLong());
            keyed[i] = buckets;
            refused[i] = Counter.builder(METRIC_NEW_KEYS_REFUSED).tag("tier", tier.label())
                    .description("Packets with a new key rejected because the tier's key cap was reached")
                    .register(registry);
            Gauge.builder(METRIC_TRACKED_KEYS, buckets, KeyedBuckets::size).tag("tier", tier.label())
                    .description("Keys (addresses or client ids) with a bucket in memory").register(registry);
        }
    }

    /** @return a builder with the default configuration, the system ticker and no metrics */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param config the configuration
     * @return a limiter with the system ticker, a local GLOBAL tier and no metrics
     */
    public static TieredRateLimiter create(RateLimitConfig config) {
        return builder().config(config).build();
    }

    @Override
    public RateLimitDecision tryAcquire(PacketKind kind, InetAddress source, String clientId) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        long nanoTime = ticker.nanoTime();
        if (!global.tryAcquire(nanoTime)) {
            return reject(RateLimitTier.GLOBAL.ordinal());
        }
        long now = nanoTime - origin;
        long sourceKey = Hashing.sourceKey(source, v6Mask);
        Bucket ip = keyed[IP].tryAcquire(sourceKey, now);
        if (isRejection(ip)) {
            global.release();
            return reject(IP, ip);
        }
        Bucket connect = null;
        if (kind == PacketKind.CONNECT) {
            connect = keyed[CONNECT].tryAcquire(sourceKey, now);
            if (isRejection(connect)) {
                keyed[IP].release(ip);
                global.release();
                return reject(CONNECT, connect);
            }
        }
        if (clientId == null) {
            return RateLimitDecision.allowed();
        }
        long clientKey = Hashing.sipHash13(clientId, sipK0, sipK1);
        int kindTier = kind == PacketKind.PUBLISH ? PUBLISH : kind == PacketKind.SUBSCRIBE ? SUBSCRIBE : -1;
        Bucket byKind = null;
        if (kindTier >= 0) {
            byKind = keyed[kindTier].tryAcquire(clientKey, now);
            if (isRejection(byKind)) {
                keyed[IP].release(ip);
                global.release();
                return reject(kindTier, byKind);
            }
        }
        Bucket client = keyed[CLIENT].tryAcquire(clientKey, now);
        if (isRejection(client)) {
            if (byKind != null) {
                keyed[kindTier].release(byKind);
            }
            if (connect != null) {
                keyed[CONNECT].release(connect);
            }
            keyed[IP].release(ip);
            global.release();
            return reject(CLIENT, client);
        }
        return RateLimitDecision.allowed();
    }

    /**
     * Drops from memory every bucket that has been full for the idle timeout, in every keyed tier. The
     * limiter does this by itself as tables grow and when a key cap is reached; a launcher may also call it
     * periodically (e.g. every idle timeout) to return memory after a burst of short-lived keys.
     */
    public void cleanUp() {
        long now = ticker.nanoTime() - origin;
        for (KeyedBuckets buckets : keyed) {
            if (buckets != null) {
                buckets.sweep(now);
            }
        }
    }

    /**
     * @param tier a keyed tier (not GLOBAL)
     * @return the number of keys that tier tracks now
     */
    public int trackedKeys(RateLimitTier tier) {
        if (tier == RateLimitTier.GLOBAL) {
            throw new IllegalArgumentException("tier must be a keyed tier (not GLOBAL), was " + tier);
        }
        return keyed[tier.ordinal()].size();
    }

    /** @return the configuration this limiter was built with */
    public RateLimitConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "TieredRateLimiter[" + config + ", global=" + global + "]";
    }

    private static boolean isRejection(Bucket bucket) {
        return bucket == KeyedBuckets.REJECTED || bucket == KeyedBuckets.NO_CAPACITY;
    }

    private RateLimitDecision reject(int tier, Bucket outcome) {
        if (outcome == KeyedBuckets.NO_CAPACITY) {
            refused[tier].increment();
        }
        return reject(tier);
    }

    private RateLimitDecision reject(int tier) {
        rejected[tier].increment();
        return RateLimitDecision.rejected(TIERS[tier]);
    }

    /** Builds a {@link TieredRateLimiter}. Not thread-safe. */
    public static final class Builder {
        private RateLimitConfig config = RateLimitConfig.ofDefaults();
        private Ticker ticker = Ticker.system();
        private MeterRegistry registry;
        private GlobalTier global;

        Builder() {
        }

        /**
         * @param config rates, bursts and memory bounds (default {@link RateLimitConfig#ofDefaults()})
         * @return this builder
         */
        public Builder config(RateLimitConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param ticker the time source (default {@link Ticker#system()}); tests pass one they move by hand
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param registry where the metrics are registered (default: none, metrics are discarded)
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Replaces the local GLOBAL tier, e.g. by the fleet-wide one of {@code sentinel-ratelimit-redis}.
         * The GLOBAL rate and burst of the configuration are then not used by this limiter; the tier must
         * be given readings of the same {@link Ticker} as this builder's.
         *
         * @param globalTier the GLOBAL tier (default: {@link GlobalTier#local} with the configured rate)
         * @return this builder
         */
        public Builder globalTier(GlobalTier globalTier) {
            this.global = Objects.requireNonNull(globalTier, "globalTier");
            return this;
        }

        /** @return a new limiter; every call builds an independent one */
        public TieredRateLimiter build() {
            if (registry == null) {
                registry = new CompositeMeterRegistry();
            }
            return new TieredRateLimiter(this);
        }
    }
}
