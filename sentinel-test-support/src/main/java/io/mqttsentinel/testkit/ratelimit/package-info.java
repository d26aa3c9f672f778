/**
 * The compatibility kit of the rate limiter's pluggable GLOBAL tier ({@code io.mqttsentinel.ratelimit.GlobalTier}):
 * {@link io.mqttsentinel.testkit.ratelimit.GlobalTierContract}, which the local tier and the Redis tier extend.
 */
package io.mqttsentinel.testkit.ratelimit;
