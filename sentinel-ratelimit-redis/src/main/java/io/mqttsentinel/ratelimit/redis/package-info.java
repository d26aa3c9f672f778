/**
 * A fleet-wide GLOBAL rate-limit tier on Redis.
 *
 * <p>Entry point: {@link io.mqttsentinel.ratelimit.redis.RedisGlobalTier#builder(RedisGlobalTierConfig)}, with a
 * {@link io.mqttsentinel.ratelimit.redis.RedisGlobalTierConfig} made in code or read from the
 * {@code SENTINEL_RL_REDIS_*} variables; plug the result into
 * {@code io.mqttsentinel.ratelimit.TieredRateLimiter.builder().globalTier(...)}.
 */
package io.mqttsentinel.ratelimit.redis;
