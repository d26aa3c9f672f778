package io.mqttsentinel.ratelimit.redis;

import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.ratelimit.GlobalTier;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.redis.internal.LeasePool;
import io.mqttsentinel.ratelimit.redis.internal.RedisLeaseSource;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GLOBAL tier shared by every proxy of a fleet through Redis: plug it into
 * {@code TieredRateLimiter.builder().globalTier(...)}.
 *
 * <pre>{@code
 * RedisGlobalTier tier = RedisGlobalTier.builder(RedisGlobalTierConfig.builder().redisUri("redis://redis:6379").build())
 *         .limit(rateLimitConfig)                  // the GLOBAL rate and burst
 *         .meterRegistry(registry)
 *         .build();
 * }</pre>
 *
 * <p><b>How.</b> The fleet-wide bucket (rate, burst) lives in Redis under one key and is updated atomically by
 * a Lua script on the Redis server's clock. Each proxy leases tokens from it in batches of
 * {@link RedisGlobalTierConfig.Builder#leaseSize(long)} into a local pool; {@link #tryAcquire(long)} only takes from that pool and
 * never waits on Redis. A background thread ({@code sentinel-redis-global-lease}) tops the pool up every
 * {@link RedisGlobalTierConfig.Builder#refreshInterval(Duration)}, and at once when it runs half empty. Together the proxies admit
 * the global rate; tokens leased but not yet used (at most one lease per proxy) may add to the burst.
 *
 * <p><b>When Redis is unreachable</b> (connection refused, an error, or no answer within
 * {@link RedisGlobalTierConfig.Builder#timeout(Duration)}) the tier falls back to a local bucket holding this proxy's share of the
 * global limit, rate / {@link RedisGlobalTierConfig.Builder#fleetSize(int)} and burst / fleet size (at least 1 each), counts the
 * switch in {@code mqtt_proxy_rate_limit_redis_fallback_total} and shows it in the gauge
 * {@code mqtt_proxy_rate_limit_redis_fallback_active}; it returns to the shared bucket with the first lease
 * that succeeds. Redis may be down when the proxy starts.
 *
 * <p>Thread-safe. {@link #close()} stops the background thread and the Redis client.
 */
public final class RedisGlobalTier implements GlobalTier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisGlobalTier.class);
    /** Micrometer name of the fallback counter (Prometheus: {@code mqtt_proxy_rate_limit_redis_fallback_total}). */
    public static final String METRIC_FALLBACK = "mqtt.proxy.rate.limit.redis.fallback";
    /** Micrometer name of the gauge that is 1 while the fallback is in use. */
    public static final String METRIC_FALLBACK_ACTIVE = "mqtt.proxy.rate.limit.redis.fallback.active";
    /** Environment variable of {@link RedisGlobalTierConfig.Builder#redisUri(String)}. */
    public static final String ENV_URI = "SENTINEL_RL_REDIS_URI";
    /** Environment variable of {@link RedisGlobalTierConfig.Builder#fleetSize(int)}. */
    public static final String ENV_FLEET_SIZE = "SENTINEL_RL_REDIS_FLEET_SIZE";
    /** Environment variable of {@link RedisGlobalTierConfig.Builder#keyPrefix(String)}. */
    public static final String ENV_KEY_PREFIX = "SENTINEL_RL_REDIS_KEY_PREFIX";
    /** Environment variable of {@link RedisGlobalTierConfig.Builder#leaseSize(long)}. */
    public static final String ENV_LEASE_SIZE = "SENTINEL_RL_REDIS_LEASE_SIZE";
    /** Environment variable of {@link RedisGlobalTierConfig.Builder#timeout(Duration)}, in milliseconds. */
    public static final String ENV_TIMEOUT_MS = "SENTINEL_RL_REDIS_TIMEOUT_MS";
    /** Highest fleet-wide rate, packets per second. */
    public static final long MAX_RATE = 10_000_000L;
    /** Highest fleet size. */
    public static final int MAX_FLEET_SIZE = 10_000;

    private final LeasePool pool;
    private final RedisLeaseSource source;
    private final ScheduledExecutorService scheduler;
    private final String description;

    private RedisGlobalTier(RedisGlobalTierConfig c, long rate, long burst, Ticker ticker, MeterRegistry registry) {
        long fleetRate = Math.max(1, rate / c.fleetSize());
        long fleetBurst = Math.max(1, burst / c.fleetSize());
        GlobalTier localShare = GlobalTier.local(fleetRate, fleetBurst, ticker);
        Counter fallbacks = Counter.builder(METRIC_FALLBACK)
                .description("Switches of the fleet-wide GLOBAL rate limit to the local share (Redis unreachable)")
                .register(registry);
        long lease = c.leaseSize() > 0 ? c.leaseSize() : defaultLeaseSize(rate, burst);
        this.source = new RedisLeaseSource(RedisURI.create(c.redisUri()), c.keyPrefix() + "global", rate, burst, c.timeout(), ticker);
        this.pool = new LeasePool(source, lease, c.timeout().toNanos(), localShare, fallbacks);
        Gauge.builder(METRIC_FALLBACK_ACTIVE, pool, p -> p.inFallback() ? 1 : 0)
                .description("1 while the GLOBAL rate limit uses the local share because Redis is unreachable")
                .register(registry);
        this.description = "RedisGlobalTier[" + rate + "/s, burst " + burst + ", fleet " + c.fleetSize()
                + ", lease " + lease + ", key " + c.keyPrefix() + "global]";
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-redis-global-lease");
            t.setDaemon(true);
            return t;
        });
        Runnable refresh = () -> {
            try {
                pool.refresh(ticker.nanoTime());
            } catch (RuntimeException e) {
                // keep the schedule alive; the pool has already switched to its fallback if Redis failed
                LOG.warn("lease refresh failed", e);
            }
        };
        pool.onLow(() -> {
            try {
                scheduler.execute(refresh);
            } catch (RejectedExecutionException closed) {
                // closing
            }
        });
        long every = c.refreshInterval().toNanos();
        scheduler.scheduleWithFixedDelay(refresh, 0, every, TimeUnit.NANOSECONDS);
    }

    /**
     * @param config the Redis URI and key, the fleet size, the lease size and the timeouts
     * @return a builder with the architecture's GLOBAL rate and burst (10,000/s, burst 5,000)
     */
    public static Builder builder(RedisGlobalTierConfig config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /**
     * A builder from the {@code SENTINEL_RL_REDIS_*} variables of {@link RedisGlobalTierConfig#settings()}, read by
     * {@link RedisGlobalTierConfig#fromEnvironment(Map)}, when {@value #ENV_URI} is set: the fleet-wide tier is an
     * opt-in. The GLOBAL limit and the meters are the caller's to add.
     *
     * @param env the variables
     * @return the builder, or empty when {@value #ENV_URI} is unset (the GLOBAL tier stays local to the proxy)
     * @throws IllegalArgumentException naming the key, the value and what is allowed, for an invalid value
     */
    public static Optional<Builder> fromEnvironment(Map<String, String> env) {
        return env.get(ENV_URI) == null ? Optional.empty() : Optional.of(builder(RedisGlobalTierConfig.fromEnvironment(env)));
    }

    static long defaultLeaseSize(long rate, long burst) {
        // 10 ms of the global rate, at least 1, at most the burst
        return Math.max(1, Math.min(burst, rate / 100));
    }

    @Override
    public boolean tryAcquire(long nanoTime) {
        return pool.tryAcquire(nanoTime);
    }

    @Override
    public void release() {
        pool.release();
    }

    /** @return whether the local share is in use because Redis is unreachable */
    public boolean inFallback() {
        return pool.inFallback();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Gives a {@link RedisGlobalTier} the GLOBAL limit it shares and its collaborators; the
     * {@link RedisGlobalTierConfig} holds the rest. Setters validate at once. Not thread-safe.
     */
    public static final class Builder {
        private final RedisGlobalTierConfig config;
        private long rate = RateLimitTier.GLOBAL.defaultRate();
        private long burst = RateLimitTier.GLOBAL.defaultBurst();
        private Ticker ticker = Ticker.system();
        private MeterRegistry registry;

        Builder(RedisGlobalTierConfig config) {
            this.config = config;
        }

        /**
         * @param ratePerSecond fleet-wide rate, 1 .. {@value RedisGlobalTier#MAX_RATE} (default 10,000)
         * @param burst         fleet-wide burst, 1 .. {@value RateLimitConfig#MAX_BURST} (default 5,000)
         * @return this builder
         */
        public Builder limit(long ratePerSecond, long burst) {
            Values.checkRange("rate", ratePerSecond, 1, MAX_RATE);
            Values.checkRange("burst", burst, 1, RateLimitConfig.MAX_BURST);
            this.rate = ratePerSecond;
            this.burst = burst;
            return this;
        }

        /**
         * @param config takes the GLOBAL rate and burst of this configuration
         * @return this builder
         */
        public Builder limit(RateLimitConfig config) {
            return limit(config.rate(RateLimitTier.GLOBAL), config.burst(RateLimitTier.GLOBAL));
        }

        /**
         * @param ticker the ticker whose readings the rate limiter passes (default {@link Ticker#system()}): the
         *               same as the limiter's {@code TieredRateLimiter.Builder.ticker}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param registry where the fallback metrics are registered (default: none)
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Starts the background lease thread; Redis need not be reachable yet.
         *
         * @return a new tier; close it when the proxy stops
         * @throws IllegalArgumentException when the lease size is larger than the burst
         */
        public RedisGlobalTier build() {
            if (config.leaseSize() > burst) {
                throw new IllegalArgumentException("leaseSize (" + ENV_LEASE_SIZE + ") must be 1 to the GLOBAL burst ("
                        + burst + "), was " + config.leaseSize());
            }
            return new RedisGlobalTier(config, rate, burst, ticker, registry != null ? registry : new CompositeMeterRegistry());
        }
    }
}
