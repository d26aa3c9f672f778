package io.mqttsentinel.ratelimit;

import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Immutable configuration of a {@link TieredRateLimiter}: rate and burst of each of the six tiers, and the
 * bounds of per-key memory. {@link #builder()}, {@link #toBuilder()} and {@link #ofDefaults()} make one in code;
 * {@link #settings()} lists the environment variables ({@code SENTINEL_RL_<TIER>_RATE}, {@code _BURST},
 * {@code SENTINEL_RL_MAX_KEYS}, {@code SENTINEL_RL_IDLE_SECONDS}, {@code SENTINEL_RL_IPV6_PREFIX}) with their
 * defaults and ranges, and {@link #fromEnvironment(Map)} reads them.
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
    /** Longest IPv6 prefix the IP and CONNECT tiers may key on. */
    public static final int MAX_IPV6_PREFIX = 64;
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
     * Reads the variables of {@link #settings()} over the defaults; a variable that is missing or blank keeps its
     * default. Variables under {@value #ENV_REDIS_PREFIX} are left to {@code sentinel-ratelimit-redis}; any other
     * unknown {@code SENTINEL_RL_*} variable is refused, so that a misspelt key does not pass unnoticed.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @return the configuration
     * @throws io.mqttsentinel.config.InvalidSettingException naming the variable, its value, the parameter and its
     *                                                        range
     * @throws IllegalArgumentException                       naming an unknown {@code SENTINEL_RL_*} variable
     */
    public static RateLimitConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<String> known = settings().stream().map(Setting::key).collect(Collectors.toList());
        for (String key : env.keySet()) {
            if (key != null && key.startsWith(ENV_PREFIX) && !key.startsWith(ENV_REDIS_PREFIX) && !known.contains(key)) {
                throw new IllegalArgumentException("unknown rate-limit setting " + key + ": expected one of "
                        + String.join(", ", known));
            }
        }
        return SettingsReader.apply(settings(), env, builder()).build();
    }

    /**
     * Every environment variable of the rate limiter: its key, builder parameter, default, range and
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
            RateLimitConfig d = ofDefaults();
            List<Setting<Builder>> s = new ArrayList<>();
            for (RateLimitTier t : TIERS) {
                String scope = scope(t);
                s.add(Setting.longInteger(rateKey(t), rateParameter(t), 1, MAX_RATE, d.rate(t),
                        "Rate-limit tier " + t + " (" + scope + "): packets per second", (b, v) -> b.rate(t, v)));
                s.add(Setting.longInteger(burstKey(t), burstParameter(t), 1, MAX_BURST, d.burst(t),
                        "Rate-limit tier " + t + " (" + scope + "): packets at once (bucket size)",
                        (b, v) -> b.burst(t, v)));
            }
            s.add(Setting.integer(ENV_MAX_KEYS, "maxKeysPerTier", 1, MAX_MAX_KEYS, d.maxKeysPerTier(),
                    "Most keys (addresses, client ids) tracked per keyed tier; a new key beyond it is rejected",
                    Builder::maxKeysPerTier));
            s.add(Setting.duration(ENV_IDLE_SECONDS, "idleTimeout", Duration.ZERO, Duration.ofSeconds(MAX_IDLE_SECONDS),
                    d.idleTimeout(), "A bucket full for this long is forgotten (a bare number is seconds)",
                    Builder::idleTimeout));
            s.add(Setting.integer(ENV_IPV6_PREFIX, "ipv6PrefixLength", 1, MAX_IPV6_PREFIX, d.ipv6PrefixLength(),
                    "IPv6 sources share the IP and CONNECT buckets per prefix of this length",
                    Builder::ipv6PrefixLength));
            return List.copyOf(s);
        }

        private static String scope(RateLimitTier t) {
            switch (t) {
                case GLOBAL:
                    return "all packets of the proxy";
                case IP:
                    return "per source address";
                case CONNECT:
                    return "CONNECTs per source address";
                case PUBLISH:
                    return "PUBLISHes per client id";
                case SUBSCRIBE:
                    return "SUBSCRIBEs per client id";
                default:
                    return "all packets per client id";
            }
        }
    }

    private static String rateParameter(RateLimitTier tier) {
        return "rate(" + tier + ")";
    }

    private static String burstParameter(RateLimitTier tier) {
        return "burst(" + tier + ")";
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
            rates[tier.ordinal()] = Values.checkRange(rateParameter(tier), ratePerSecond, 1, MAX_RATE);
            return this;
        }

        /**
         * @param tier  the tier
         * @param burst its bucket capacity, 1 .. {@value RateLimitConfig#MAX_BURST} packets
         * @return this builder
         */
        public Builder burst(RateLimitTier tier, long burst) {
            Objects.requireNonNull(tier, "tier");
            bursts[tier.ordinal()] = Values.checkRange(burstParameter(tier), burst, 1, MAX_BURST);
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
            this.maxKeysPerTier = Values.checkRange("maxKeysPerTier", maxKeys, 1, MAX_MAX_KEYS);
            return this;
        }

        /**
         * @param idle how long a full bucket is kept, 0 .. {@value RateLimitConfig#MAX_IDLE_SECONDS} s
         * @return this builder
         */
        public Builder idleTimeout(Duration idle) {
            this.idleTimeout = Values.checkRange("idleTimeout", idle, Duration.ZERO, Duration.ofSeconds(MAX_IDLE_SECONDS));
            return this;
        }

        /**
         * @param prefixLength the IPv6 prefix length that IPv6 sources are limited by, 1 .. {@value RateLimitConfig#MAX_IPV6_PREFIX}
         * @return this builder
         */
        public Builder ipv6PrefixLength(int prefixLength) {
            this.ipv6PrefixLength = Values.checkRange("ipv6PrefixLength", prefixLength, 1, MAX_IPV6_PREFIX);
            return this;
        }

        /** @return the configuration (a copy: later changes to this builder do not affect it) */
        public RateLimitConfig build() {
            return new RateLimitConfig(this);
        }
    }
}
