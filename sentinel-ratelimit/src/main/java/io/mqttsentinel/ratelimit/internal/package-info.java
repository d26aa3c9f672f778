/**
 * Implementation of {@code io.mqttsentinel.ratelimit}: GCRA arithmetic, the lock-free bucket, the bounded
 * per-key bucket table and key hashing. Not an API: may change in any release.
 */
package io.mqttsentinel.ratelimit.internal;
