/** Implementation of {@code io.mqttsentinel.ratelimit.redis}: the lease pool and the Redis script. Not an API. */
package io.mqttsentinel.ratelimit.redis.internal;
