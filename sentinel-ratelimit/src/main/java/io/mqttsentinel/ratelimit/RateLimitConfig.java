package io.mqttsentinel.ratelimit;

import io.mqttsentinel.api.RateLimitTier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable configuration of a {@link TieredRateLimiter}: rate and burst of each of the six tiers, and the
 * bounds of per-key memory.
 *
 * <table>
 * <caption>Settings, their environment variables, defaults and allowed ranges</caption>
 * <tr><th>setting</th><th>environment variable</th><th>default</th><th>allowed</th></tr>
 * <tr><td>rate of a tier (packets/s)</td><td>{@code SENTINEL_RL_<TIER>_RATE}</td>
 *     <td>GLOBAL 10000, IP 100, CONNECT 10, PUBLISH 100, SUBSCRIBE 20, CLIENT 50</td>
 *     <td>1 .. {@value #MAX_RATE}</td></tr>
 * <tr><td>burst of a tier (packets)</td><td>{@code SENTINEL_RL_<TIER>_BURST}</td>
 *     <td>GLOBAL 5000, IP 1000, CONNECT 500, PUBLISH 500, SUBSCRIBE 500, CLIENT 500</td>
 *     <td>1 .. {@value #MAX_BURST}</td></tr>
 * <tr><td>{@link #maxKeysPerTier()}</td><td>{@code SENTINEL_RL_MAX_KEYS}</td>
 *     <td>{@value #DEFAULT_MAX_KEYS}</td><td>1 .. {@value #MAX_MAX_KEYS}</td></tr>
 * <tr><td>{@link #idleTimeout()}</td><td>{@code SENTINEL_RL_IDLE_SECONDS}</td>
 *     <td>{@value #DEFAULT_IDLE_SECONDS}</td><td>0 .. {@value #MAX_IDLE_SECONDS}</td></tr>
 * <tr><td>{@link #ipv6PrefixLength()}</td><td>{@code SENTINEL_RL_IPV6_PREFIX}</td>
 *     <td>{@value #DEFAULT_IPV6_PREFIX}</td><td>1 .. 64</td></tr>
 * </table>
 *
 * <p>{@code <TIER>} is one of {@code GLOBAL, IP, CONNECT, PUBLISH, SUBSCRIBE, CLIENT}. The defaults are
 * those of the architecture ({@link RateLimitTier#defaultRate()}, {@link RateLimitTier#defaultBurst()}).
 */
public final class RateLimitConfig {
    /** Highest rate of a tier: one packet per nanosecond. */
    public static final long MAX_RATE = 1_000_000_000L;
    /** Highest burst of a tier. */
    public static final long MAX_BURST = 1_000_000_000L;
    /** Default cap on the keys tracked by each keyed tier (2^20). */
    public static final int DEFAULT_MAX_KEYS = 1_048_576;
    /** Highest cap on the keys tracked by each keyed tier (2^27). */
    public static final int MAX_MAX_KEYS = 134_217_728;
    /** Default idle timeout of a full bucket, in seconds. */
    public static final long DEFAULT_IDLE_SECONDS = 30;
    /** Highest idle timeout, in seconds (one day). */
    public static final long MAX_IDLE_SECONDS = 86_400;
    /** Default length of the IPv6 prefix that the IP and CONNECT tiers key on. */
    public static final int DEFAULT_IPV6_PREFIX = 64;
    /** Prefix of every environment variable read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_PREFIX = "SENTINEL_RL_";
    /** Environment variable of {@link #maxKeysPerTier()}. */
    public static final String ENV_MAX_KEYS = "SENTINEL_RL_MAX_KEYS";
    /** Environment variable of {@link #idleTimeout()}, in whole seconds. */
    public static final String ENV_IDLE_SECONDS = "SENTINEL_RL_IDLE_SECONDS";
    /** Environment variable of {@link #ipv6PrefixLength()}. */
    public static final String ENV_IPV6_PREFIX = "SENTINEL_RL_IPV6_PREFIX";
    /** Variables under this prefix belong to {@code sentinel-ratelimit-redis} and are ignored here. */
    public static final String ENV_REDIS_PREFIX = "SENTINEL_RL_REDIS_";

    private static final RateLimitTier[] TIERS = RateLimitTier.values();

    private final long[] rates;
    private final long[] bursts;
    private final int maxKeysPerTier;
    private final Duration idleTimeout;
    private final int ipv6PrefixLength;

    private RateLimitConfig(Builder b) {
        this.rates = b.rates.clone();
        this.bursts = b.bursts.clone();
        this.maxKeysPerTier = b.maxKeysPerTier;
        this.idleTimeout = b.idleTimeout;
        this.ipv6PrefixLength = b.ipv6PrefixLength;
    }

    /** @return the architecture's defaults */
    public static RateLimitConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder that starts from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(rates, 0, b.rates, 0, rates.length);
        System.arraycopy(bursts, 0, b.bursts, 0, bursts.length);
        b.maxKeysPerTier = maxKeysPerTier;
        b.idleTimeout = idleTimeout;
        b.ipv6PrefixLength = ipv6PrefixLength;
        return b;
    }

    /**
     * Reads the {@code SENTINEL_RL_*} variables of {@code env} (see the table above) over the defaults.
     * Variables under {@value #ENV_REDIS_PREFIX} are left to {@code sentinel-ratelimit-redis}; any other
     * unknown {@code SENTINEL_RL_*} variable is refused, so that a misspelt key does not pass unnoticed.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the variable, its value and the allowed range, when a value
     *                                  is not an integer, out of range, or the variable is unknown
     */
    public static RateLimitConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Builder b = builder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = e.getKey();
            if (key == null || !key.startsWith(ENV_PREFIX) || key.startsWith(ENV_REDIS_PREFIX)) {
                continue;
            }
            String value = e.getValue();
            RateLimitTier tier = tierOf(key);
            if (tier != null && key.endsWith("_RATE")) {
                b.rate(tier, parse(key, value, 1, MAX_RATE));
            } else if (tier != null && key.endsWith("_BURST")) {
                b.burst(tier, parse(key, value, 1, MAX_BURST));
            } else if (key.equals(ENV_MAX_KEYS)) {
                b.maxKeysPerTier((int) parse(key, value, 1, MAX_MAX_KEYS));
            } else if (key.equals(ENV_IDLE_SECONDS)) {
                b.idleTimeout(Duration.ofSeconds(parse(key, value, 0, MAX_IDLE_SECONDS)));
            } else if (key.equals(ENV_IPV6_PREFIX)) {
                b.ipv6PrefixLength((int) parse(key, value, 1, 64));
            } else {
                throw new IllegalArgumentException("unknown rate-limit setting " + key + ": expected one of "
                        + knownKeys());
            }
        }
        return b.build();
    }

    /**
     * @param tier a tier
     * @return the name of its rate variable, e.g. {@code SENTINEL_RL_GLOBAL_RATE}
     */
    public static String rateKey(RateLimitTier tier) {
        return ENV_PREFIX + tier.name() + "_RATE";
    }

    /**
     * @param tier a tier
     * @return the name of its burst variable, e.g. {@code SENTINEL_RL_GLOBAL_BURST}
     */
    public static String burstKey(RateLimitTier tier) {
        return ENV_PREFIX + tier.name() + "_BURST";
    }

    /**
     * @param tier a tier
     * @return its sustained rate, in packets per second
     */
    public long rate(RateLimitTier tier) {
        return rates[tier.ordinal()];
    }

    /**
     * @param tier a tier
     * @return its burst (bucket capacity), in packets
     */
    public long burst(RateLimitTier tier) {
        return bursts[tier.ordinal()];
    }

    /**
     * @return the cap on keys (source addresses or client ids) tracked by each keyed tier; a new key beyond
     *         it is rejected (the tier fails closed) until idle keys expire
     */
    public int maxKeysPerTier() {
        return maxKeysPerTier;
    }

    /** @return how long a bucket must have been full (unused) before it is dropped from memory */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return the length of the IPv6 prefix that IPv6 sources are limited by, 1 .. 64 (default /64) */
    public int ipv6PrefixLength() {
        return ipv6PrefixLength;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RateLimitConfig)) {
            return false;
        }
        RateLimitConfig c = (RateLimitConfig) o;
        return Arrays.equals(rates, c.rates) && Arrays.equals(bursts, c.bursts) && maxKeysPerTier == c.maxKeysPerTier
                && idleTimeout.equals(c.idleTimeout) && ipv6PrefixLength == c.ipv6PrefixLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(rates), Arrays.hashCode(bursts), maxKeysPerTier, idleTimeout,
                ipv6PrefixLength);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RateLimitConfig[");
        for (RateLimitTier t : TIERS) {
            s.append(t.label()).append('=').append(rate(t)).append("/s burst ").append(burst(t)).append(", ");
        }
        return s.append("maxKeysPerTier=").append(maxKeysPerTier).append(", idleTimeout=").append(idleTimeout)
                .append(", ipv6Prefix=/").append(ipv6PrefixLength).append(']').toString();
    }

    static void checkRate(String name, long rate) {
        if (rate < 1 || rate > MAX_RATE) {
            throw new IllegalArgumentException(name + " must be 1.." + MAX_RATE + " packets/s, was " + rate);
        }
    }

    static void checkBurst(String name, long burst) {
        if (burst < 1 || burst > MAX_BURST) {
            throw new IllegalArgumentException(name + " must be 1.." + MAX_BURST + " packets, was " + burst);
        }
    }

    private static RateLimitTier tierOf(String key) {
        for (RateLimitTier t : TIERS) {
            if (key.equals(rateKey(t)) || key.equals(burstKey(t))) {
                return t;
            }
        }
        return null;
    }

    private static long parse(String key, String value, long min, long max) {
        String v = value == null ? "" : value.trim();
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is not an integer; allowed " + min + ".." + max);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(key + "=" + parsed + " is out of range; allowed " + min + ".." + max);
        }
        return parsed;
    }

    private static String knownKeys() {
        StringBuilder s = new StringBuilder();
        for (RateLimitTier t : TIERS) {
            s.append(rateKey(t)).append(", ").append(burstKey(t)).append(", ");
        }
        return s.append(ENV_MAX_KEYS).append(", ").append(ENV_IDLE_SECONDS).append(", ").append(ENV_IPV6_PREFIX)
                .toString();
    }

    /** Builds a {@link RateLimitConfig}; every setter validates at once. Not thread-safe. */
    public static final class Builder {
        private final long[] rates = new long[TIERS.length];
        private final long[] bursts = new long[TIERS.length];
        private int maxKeysPerTier = DEFAULT_MAX_KEYS;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_SECONDS);
        private int ipv6PrefixLength = DEFAULT_IPV6_PREFIX;

        Builder() {
            for (RateLimitTier t : TIERS) {
                rates[t.ordinal()] = t.defaultRate();
                bursts[t.ordinal()] = t.defaultBurst();
            }
        }

        /**
         * @param tier          the tier
         * @param ratePerSecond its sustained rate, 1 .. {@value RateLimitConfig#MAX_RATE} packets per second
         * @return this builder
         */
        public Builder rate(RateLimitTier tier, long ratePerSecond) {
            Objects.requireNonNull(tier, "tier");
            checkRate("rate of tier " + tier, ratePerSecond);
            rates[tier.ordinal()] = ratePerSecond;
            return this;
        }

        /**
         * @param tier  the tier
         * @param burst its bucket capacity, 1 .. {@value RateLimitConfig#MAX_BURST} packets
         * @return this builder
         */
        public Builder burst(RateLimitTier tier, long burst) {
            Objects.requireNonNull(tier, "tier");
            checkBurst("burst of tier " + tier, burst);
            bursts[tier.ordinal()] = burst;
            return this;
        }

        /**
         * @param tier          the tier
         * @param ratePerSecond its sustained rate, see {@link #rate}
         * @param burst         its bucket capacity, see {@link #burst}
         * @return this builder
         */
        public Builder limit(RateLimitTier tier, long ratePerSecond, long burst) {
            return rate(tier, ratePerSecond).burst(tier, burst);
        }

        /**
         * @param maxKeys cap on keys per keyed tier, 1 .. {@value RateLimitConfig#MAX_MAX_KEYS}
         * @return this builder
         */
        public Builder maxKeysPerTier(int maxKeys) {
            if (maxKeys < 1 || maxKeys > MAX_MAX_KEYS) {
                throw new IllegalArgumentException("maxKeysPerTier must be 1.." + MAX_MAX_KEYS + ", was " + maxKeys);
            }
            this.maxKeysPerTier = maxKeys;
            return this;
        }

        /**
         * @param idle how long a full bucket is kept, 0 .. {@value RateLimitConfig#MAX_IDLE_SECONDS} s
         * @return this builder
         */
        public Builder idleTimeout(Duration idle) {
            Objects.requireNonNull(idle, "idleTimeout");
            if (idle.isNegative() || idle.compareTo(Duration.ofSeconds(MAX_IDLE_SECONDS)) > 0) {
                throw new IllegalArgumentException("idleTimeout must be 0.." + MAX_IDLE_SECONDS + " s, was " + idle);
            }
            this.idleTimeout = idle;
            return this;
        }

        /**
         * @param prefixLength the IPv6 prefix length that IPv6 sources are limited by, 1 .. 64
         * @return this builder
         */
        public Builder ipv6PrefixLength(int prefixLength) {
            if (prefixLength < 1 || prefixLength > 64) {
                throw new IllegalArgumentException("ipv6PrefixLength must be 1..64, was " + prefixLength);
            }
            this.ipv6PrefixLength = prefixLength;
            return this;
        }

        /** @return the configuration (a copy: later changes to this builder do not affect it) */
        public RateLimitConfig build() {
            return new RateLimitConfig(this);
        }
    }
}
