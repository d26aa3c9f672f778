/**
 * The six-tier rate limiter of the edge proxy.
 *
 * <p>Entry point: {@link io.mqttsentinel.ratelimit.TieredRateLimiter#builder()}, configured by an immutable
 * {@link io.mqttsentinel.ratelimit.RateLimitConfig} ({@code ofDefaults()}, {@code fromEnvironment(env)} or
 * its builder). The GLOBAL tier is pluggable through {@link io.mqttsentinel.ratelimit.GlobalTier}, so a fleet
 * can share it (see {@code sentinel-ratelimit-redis}). Time comes from a {@link io.mqttsentinel.api.Ticker}.
 */
package io.mqttsentinel.ratelimit;
