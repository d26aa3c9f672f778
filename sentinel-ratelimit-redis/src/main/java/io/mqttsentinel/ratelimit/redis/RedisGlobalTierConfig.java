package io.mqttsentinel.ratelimit.redis;

import io.lettuce.core.RedisURI;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where and how a {@link RedisGlobalTier} shares the GLOBAL tier: the Redis URI and key, the fleet size, the lease
 * size and the timeouts. Immutable; {@link RedisGlobalTier#builder(RedisGlobalTierConfig)} takes it, with the
 * GLOBAL rate and burst of the {@link RateLimitConfig}. {@link #settings()} lists the environment variables
 * ({@code SENTINEL_RL_REDIS_*}) with their defaults and ranges; {@link #fromEnvironment(Map)} reads them.
 *
 * <pre>{@code
 * RedisGlobalTier tier = RedisGlobalTier.builder(RedisGlobalTierConfig.fromEnvironment(System.getenv()))
 *         .limit(rateLimitConfig)
 *         .meterRegistry(registry)
 *         .build();
 * }</pre>
 */
public final class RedisGlobalTierConfig {
    /** The default Redis URI. */
    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";
    /** Longest lease timeout. */
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    /** Shortest lease timeout. */
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    /** Shortest refresh interval. */
    private static final Duration MIN_REFRESH = Duration.ofMillis(1);
    /** Longest refresh interval. */
    private static final Duration MAX_REFRESH = Duration.ofSeconds(1);
    private static final String URI_ALLOWED = "a Redis URI: redis://[:password@]host[:port][/db], or rediss:// for TLS";

    private final String redisUri;
    private final String keyPrefix;
    private final int fleetSize;
    private final long leaseSize;
    private final Duration refreshInterval;
    private final Duration timeout;

    private RedisGlobalTierConfig(Builder b) {
        this.redisUri = b.redisUri;
        this.keyPrefix = b.keyPrefix;
        this.fleetSize = b.fleetSize;
        this.leaseSize = b.leaseSize;
        this.refreshInterval = b.refreshInterval;
        this.timeout = b.timeout;
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.redisUri = redisUri;
        b.keyPrefix = keyPrefix;
        b.fleetSize = fleetSize;
        b.leaseSize = leaseSize;
        b.refreshInterval = refreshInterval;
        b.timeout = timeout;
        return b;
    }

    /** @return the configuration with every default */
    public static RedisGlobalTierConfig ofDefaults() {
        return builder().build();
    }

    /**
     * Reads the variables of {@link #settings()} over the defaults; a variable that is missing or blank keeps its
     * default. Any other {@code SENTINEL_RL_REDIS_*} variable is refused, so that a misspelt key does not pass
     * unnoticed.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @return the configuration
     * @throws io.mqttsentinel.config.InvalidSettingException naming the variable, its value, the parameter and its
     *                                                        range
     * @throws IllegalArgumentException                       naming an unknown {@code SENTINEL_RL_REDIS_*} variable
     */
    public static RedisGlobalTierConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<String> known = settings().stream().map(Setting::key).collect(Collectors.toList());
        for (String key : env.keySet()) {
            if (key != null && key.startsWith(RateLimitConfig.ENV_REDIS_PREFIX) && !known.contains(key)) {
                throw new IllegalArgumentException("unknown Redis rate-limit setting " + key + ": expected one of "
                        + String.join(", ", known));
            }
        }
        return SettingsReader.apply(settings(), env, builder()).build();
    }

    /**
     * Every environment variable of the fleet-wide GLOBAL tier: its key, builder parameter, default, range and
     * documentation. The only place where they are written.
     *
     * @return the settings, in the order they are read
     */
    public static List<Setting<Builder>> settings() {
        return Catalogue.SETTINGS;
    }

    /** The settings list, built on first use. */
    private static final class Catalogue {
        static final List<Setting<Builder>> SETTINGS = build();

        private static List<Setting<Builder>> build() {
            RedisGlobalTierConfig d = ofDefaults();
            List<Setting<Builder>> s = new ArrayList<>();
            s.add(Setting.text(RedisGlobalTier.ENV_URI, "redisUri", d.redisUri(), URI_ALLOWED,
                    "Redis that holds the fleet-wide GLOBAL bucket (the launcher uses it only when this is set)",
                    Builder::redisUri));
            s.add(Setting.integer(RedisGlobalTier.ENV_FLEET_SIZE, "fleetSize", 1, RedisGlobalTier.MAX_FLEET_SIZE,
                    d.fleetSize(), "Proxies sharing the limit; while Redis is unreachable each admits 1/fleetSize of it",
                    Builder::fleetSize));
            s.add(Setting.text(RedisGlobalTier.ENV_KEY_PREFIX, "keyPrefix", d.keyPrefix(),
                    "text; the same on every proxy of a fleet", "Prefix of the Redis key of the shared bucket",
                    Builder::keyPrefix));
            s.add(Setting.longInteger(RedisGlobalTier.ENV_LEASE_SIZE, "leaseSize", 1, RateLimitConfig.MAX_BURST, 1,
                    "Tokens taken from Redis at a time, at most the GLOBAL burst", Builder::leaseSize)
                    .defaultText("10 ms of the GLOBAL rate (at least 1, at most the burst)"));
            s.add(Setting.duration(RedisGlobalTier.ENV_TIMEOUT_MS, "timeout", MIN_TIMEOUT, MAX_TIMEOUT, d.timeout(),
                    "Lease (and connect) deadline before the local share is used; a bare number is milliseconds",
                    Builder::timeout));
            return List.copyOf(s);
        }
    }

    /** @return the Redis URI */
    public String redisUri() {
        return redisUri;
    }

    /** @return the prefix of the Redis key of the shared bucket ({@code <prefix>global}) */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** @return how many proxies share the limit */
    public int fleetSize() {
        return fleetSize;
    }

    /** @return tokens per lease, 0 = 10 ms of the GLOBAL rate (at least 1, at most the burst) */
    public long leaseSize() {
        return leaseSize;
    }

    /** @return how often the local pool is checked and topped up */
    public Duration refreshInterval() {
        return refreshInterval;
    }

    /** @return how long a lease (and a connect) may take before the local share is used */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RedisGlobalTierConfig)) {
            return false;
        }
        RedisGlobalTierConfig c = (RedisGlobalTierConfig) o;
        return redisUri.equals(c.redisUri) && keyPrefix.equals(c.keyPrefix) && fleetSize == c.fleetSize
                && leaseSize == c.leaseSize && refreshInterval.equals(c.refreshInterval) && timeout.equals(c.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(redisUri, keyPrefix, fleetSize, leaseSize, refreshInterval, timeout);
    }

    /** @return the settings; the URI's user info (a password) is not shown */
    @Override
    public String toString() {
        return "RedisGlobalTierConfig[uri=" + redisUri.replaceAll("//[^@/]*@", "//****@") + ", keyPrefix=" + keyPrefix
                + ", fleetSize=" + fleetSize + ", leaseSize=" + (leaseSize == 0 ? "auto" : leaseSize)
                + ", refreshInterval=" + Values.format(refreshInterval) + ", timeout=" + Values.format(timeout) + "]";
    }

    /**
     * Builds a {@link RedisGlobalTierConfig}; every setter checks its value at once and names the parameter and its
     * range. Not thread-safe.
     */
    public static final class Builder {
        private String redisUri = DEFAULT_URI;
        private String keyPrefix = "sentinel:rl:";
        private int fleetSize = 1;
        private long leaseSize;
        private Duration refreshInterval = Duration.ofMillis(5);
        private Duration timeout = Duration.ofMillis(500);

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
                throw new IllegalArgumentException("redisUri must be " + URI_ALLOWED, e);
            }
            this.redisUri = uri;
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
         * @param proxies how many proxies share the limit, 1 .. {@value RedisGlobalTier#MAX_FLEET_SIZE} (default 1);
         *                while Redis is unreachable each proxy admits 1/{@code proxies} of it
         * @return this builder
         */
        public Builder fleetSize(int proxies) {
            this.fleetSize = Values.checkRange("fleetSize", proxies, 1, RedisGlobalTier.MAX_FLEET_SIZE);
            return this;
        }

        /**
         * @param tokens tokens per lease, 1 .. {@value RateLimitConfig#MAX_BURST} and at most the GLOBAL burst
         *               (checked when the tier is built; default: 10 ms of the rate, at least 1, at most the burst)
         * @return this builder
         */
        public Builder leaseSize(long tokens) {
            this.leaseSize = Values.checkRange("leaseSize", tokens, 1, RateLimitConfig.MAX_BURST);
            return this;
        }

        /**
         * @param interval how often the pool is checked and topped up, 1ms .. 1s (default 5ms)
         * @return this builder
         */
        public Builder refreshInterval(Duration interval) {
            this.refreshInterval = Values.checkRange("refreshInterval", interval, MIN_REFRESH, MAX_REFRESH);
            return this;
        }

        /**
         * @param timeout how long a lease (and a connect) may take before the local share is used, 10ms .. 10s
         *                (default 500ms: long enough that a busy machine's scheduling delays are not taken for an
         *                outage; the pool keeps serving, then fails closed, meanwhile)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Values.checkRange("timeout", timeout, MIN_TIMEOUT, MAX_TIMEOUT);
            return this;
        }

        /** @return the configuration (a copy: later changes to this builder do not affect it) */
        public RedisGlobalTierConfig build() {
            return new RedisGlobalTierConfig(this);
        }
    }
}
