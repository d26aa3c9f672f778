/**
 * A fleet-wide GLOBAL rate-limit tier on Redis.
 *
 * <p>Entry point: {@link io.mqttsentinel.ratelimit.redis.RedisGlobalTier#builder()}; plug the result into
 * {@code io.mqttsentinel.ratelimit.TieredRateLimiter.builder().globalTier(...)}.
 */
package io.mqttsentinel.ratelimit.redis;
