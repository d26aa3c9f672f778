package io.mqttsentinel.ratelimit.redis;

import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.Clock;
import io.mqttsentinel.ratelimit.GlobalTier;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.redis.internal.LeasePool;
import io.mqttsentinel.ratelimit.redis.internal.RedisLeaseSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p><b>How.</b> The fleet-wide bucket (rate, burst) lives in Redis under one key and is updated atomically by
 * a Lua script on the Redis server's clock. Each proxy leases tokens from it in batches of
 * {@link Builder#leaseSize(long)} into a local pool; {@link #tryAcquire(long)} only takes from that pool and
 * never waits on Redis. A background thread ({@code sentinel-redis-global-lease}) tops the pool up every
 * {@link Builder#refreshInterval(Duration)}, and at once when it runs half empty. Together the proxies admit
 * the global rate; tokens leased but not yet used (at most one lease per proxy) may add to the burst.
 *
 * <p><b>When Redis is unreachable</b> (connection refused, an error, or no answer within
 * {@link Builder#timeout(Duration)}) the tier falls back to a local bucket holding this proxy's share of the
 * global limit, rate / {@link Builder#fleetSize(int)} and burst / fleet size (at least 1 each), counts the
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
    /** Environment variable of {@link Builder#redisUri(String)}. */
    public static final String ENV_URI = "SENTINEL_RL_REDIS_URI";
    /** Environment variable of {@link Builder#fleetSize(int)}. */
    public static final String ENV_FLEET_SIZE = "SENTINEL_RL_REDIS_FLEET_SIZE";
    /** Environment variable of {@link Builder#keyPrefix(String)}. */
    public static final String ENV_KEY_PREFIX = "SENTINEL_RL_REDIS_KEY_PREFIX";
    /** Environment variable of {@link Builder#leaseSize(long)}. */
    public static final String ENV_LEASE_SIZE = "SENTINEL_RL_REDIS_LEASE_SIZE";
    /** Environment variable of {@link Builder#timeout(Duration)}, in milliseconds. */
    public static final String ENV_TIMEOUT_MS = "SENTINEL_RL_REDIS_TIMEOUT_MS";
    /** Highest fleet-wide rate, packets per second. */
    public static final long MAX_RATE = 10_000_000L;
    /** Highest fleet size. */
    public static final int MAX_FLEET_SIZE = 10_000;

    private final LeasePool pool;
    private final RedisLeaseSource source;
    private final ScheduledExecutorService scheduler;
    private final String description;

    private RedisGlobalTier(Builder b) {
        long fleetRate = Math.max(1, b.rate / b.fleetSize);
        long fleetBurst = Math.max(1, b.burst / b.fleetSize);
        GlobalTier localShare = GlobalTier.local(fleetRate, fleetBurst, b.clock);
        Counter fallbacks = Counter.builder(METRIC_FALLBACK)
                .description("Switches of the fleet-wide GLOBAL rate limit to the local share (Redis unreachable)")
                .register(b.registry);
        long lease = b.leaseSize > 0 ? b.leaseSize : defaultLeaseSize(b.rate, b.burst);
        this.source = new RedisLeaseSource(RedisURI.create(b.uri), b.keyPrefix + "global", b.rate, b.burst, b.timeout);
        this.pool = new LeasePool(source, lease, b.timeout.toNanos(), localShare, fallbacks);
        Gauge.builder(METRIC_FALLBACK_ACTIVE, pool, p -> p.inFallback() ? 1 : 0)
                .description("1 while the GLOBAL rate limit uses the local share because Redis is unreachable")
                .register(b.registry);
        this.description = "RedisGlobalTier[" + b.rate + "/s, burst " + b.burst + ", fleet " + b.fleetSize
                + ", lease " + lease + ", key " + b.keyPrefix + "global]";
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-redis-global-lease");
            t.setDaemon(true);
            return t;
        });
        Clock clock = b.clock;
        Runnable refresh = () -> {
            try {
                pool.refresh(clock.nanoTime());
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
        long every = b.refreshInterval.toNanos();
        scheduler.scheduleWithFixedDelay(refresh, 0, every, TimeUnit.NANOSECONDS);
    }

    /** @return a builder with the architecture's GLOBAL defaults (10,000/s, burst 5,000) */
    public static Builder builder() {
        return new Builder();
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

    /** Builds a {@link RedisGlobalTier}; setters validate at once. Not thread-safe. */
    public static final class Builder {
        private String uri = "redis://127.0.0.1:6379";
        private String keyPrefix = "sentinel:rl:";
        private long rate = RateLimitTier.GLOBAL.defaultRate();
        private long burst = RateLimitTier.GLOBAL.defaultBurst();
        private int fleetSize = 1;
        private long leaseSize;
        private Duration refreshInterval = Duration.ofMillis(5);
        private Duration timeout = Duration.ofMillis(500);
        private Clock clock = Clock.system();
        private MeterRegistry registry;

        Builder() {
        }

        /**
         * @param uri the Redis URI, e.g. {@code redis://127.0.0.1:6379} (default); {@code rediss://} for TLS
         * @return this builder
         */
        public Builder redisUri(String uri) {
            Objects.requireNonNull(uri, "redisUri");
            try {
                RedisURI.create(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("redisUri '" + uri + "' is not a Redis URI: " + e.getMessage(), e);
            }
            this.uri = uri;
            return this;
        }

        /**
         * @param prefix prefix of the Redis key of the shared bucket (default {@code sentinel:rl:}, so the key is
         *               {@code sentinel:rl:global}); every proxy of one fleet must use the same one
         * @return this builder
         */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = Objects.requireNonNull(prefix, "keyPrefix");
            return this;
        }

        /**
         * @param ratePerSecond fleet-wide rate, 1 .. {@value RedisGlobalTier#MAX_RATE} (default 10,000)
         * @param burst         fleet-wide burst, 1 .. {@value RateLimitConfig#MAX_BURST} (default 5,000)
         * @return this builder
         */
        public Builder limit(long ratePerSecond, long burst) {
            if (ratePerSecond < 1 || ratePerSecond > MAX_RATE) {
                throw new IllegalArgumentException("rate must be 1.." + MAX_RATE + " packets/s, was " + ratePerSecond);
            }
            if (burst < 1 || burst > RateLimitConfig.MAX_BURST) {
                throw new IllegalArgumentException("burst must be 1.." + RateLimitConfig.MAX_BURST + ", was " + burst);
            }
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
         * @param proxies how many proxies share the limit, 1 .. {@value RedisGlobalTier#MAX_FLEET_SIZE}
         *                (default 1); while Redis is unreachable each proxy admits 1/{@code proxies} of it
         * @return this builder
         */
        public Builder fleetSize(int proxies) {
            if (proxies < 1 || proxies > MAX_FLEET_SIZE) {
                throw new IllegalArgumentException("fleetSize must be 1.." + MAX_FLEET_SIZE + ", was " + proxies);
            }
            this.fleetSize = proxies;
            return this;
        }

        /**
         * @param tokens tokens per lease, 1 .. burst (default: 10 ms of the rate, at least 1, at most the burst)
         * @return this builder
         */
        public Builder leaseSize(long tokens) {
            if (tokens < 1 || tokens > RateLimitConfig.MAX_BURST) {
                throw new IllegalArgumentException("leaseSize must be 1.." + RateLimitConfig.MAX_BURST + ", was " + tokens);
            }
            this.leaseSize = tokens;
            return this;
        }

        /**
         * @param interval how often the pool is checked and topped up, 1 ms .. 1 s (default 5 ms)
         * @return this builder
         */
        public Builder refreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "refreshInterval");
            if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("refreshInterval must be 1 ms..1 s, was " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * @param timeout how long a lease (and a connect) may take before the local share is used,
         *                10 ms .. 10 s (default 500 ms: long enough that a busy machine's scheduling delays
         *                are not taken for an outage; the pool keeps serving, then fails closed, meanwhile)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.compareTo(Duration.ofMillis(10)) < 0 || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("timeout must be 10 ms..10 s, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param clock the clock whose readings the rate limiter passes (default {@link Clock#system()})
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
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
         * Applies the {@code SENTINEL_RL_REDIS_*} variables present in {@code env}: {@value RedisGlobalTier#ENV_URI},
         * {@value RedisGlobalTier#ENV_FLEET_SIZE}, {@value RedisGlobalTier#ENV_KEY_PREFIX},
         * {@value RedisGlobalTier#ENV_LEASE_SIZE} and {@value RedisGlobalTier#ENV_TIMEOUT_MS}.
         *
         * @param env the environment, e.g. {@link System#getenv()}
         * @return this builder
         * @throws IllegalArgumentException naming the variable, its value and the allowed range, or an unknown
         *                                  {@code SENTINEL_RL_REDIS_*} variable
         */
        public Builder environment(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            for (String key : env.keySet()) {
                if (key != null && key.startsWith(RateLimitConfig.ENV_REDIS_PREFIX) && !KNOWN_ENV.contains(key)) {
                    throw new IllegalArgumentException("unknown Redis rate-limit setting " + key + ": expected one of "
                            + String.join(", ", KNOWN_ENV));
                }
            }
            String v = env.get(ENV_URI);
            if (v != null) {
                named(ENV_URI, v, () -> redisUri(v.trim()));
            }
            String prefix = env.get(ENV_KEY_PREFIX);
            if (prefix != null) {
                keyPrefix(prefix);
            }
            String fleet = env.get(ENV_FLEET_SIZE);
            if (fleet != null) {
                named(ENV_FLEET_SIZE, fleet, () -> fleetSize(Math.toIntExact(parse(ENV_FLEET_SIZE, fleet))));
            }
            String lease = env.get(ENV_LEASE_SIZE);
            if (lease != null) {
                named(ENV_LEASE_SIZE, lease, () -> leaseSize(parse(ENV_LEASE_SIZE, lease)));
            }
            String ms = env.get(ENV_TIMEOUT_MS);
            if (ms != null) {
                named(ENV_TIMEOUT_MS, ms, () -> timeout(Duration.ofMillis(parse(ENV_TIMEOUT_MS, ms))));
            }
            return this;
        }

        private static final List<String> KNOWN_ENV =
                List.of(ENV_URI, ENV_FLEET_SIZE, ENV_KEY_PREFIX, ENV_LEASE_SIZE, ENV_TIMEOUT_MS);

        private static long parse(String key, String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "='" + value + "' is not an integer");
            }
        }

        private static void named(String key, String value, Runnable apply) {
            try {
                apply.run();
            } catch (IllegalArgumentException | ArithmeticException e) {
                String message = e.getMessage();
                throw new IllegalArgumentException(message != null && message.startsWith(key) ? message
                        : key + "='" + value + "': " + message, e);
            }
        }

        /**
         * Starts the background lease thread; Redis need not be reachable yet.
         *
         * @return a new tier; close it when the proxy stops
         */
        public RedisGlobalTier build() {
            if (leaseSize > burst) {
                throw new IllegalArgumentException("leaseSize must be 1..burst (" + burst + "), was " + leaseSize);
            }
            if (registry == null) {
                registry = new CompositeMeterRegistry();
            }
            return new RedisGlobalTier(this);
        }
    }
}
