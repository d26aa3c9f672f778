package io.mqttsentinel.ratelimit.redis.internal;

import java.util.concurrent.CompletionStage;

/** Where a {@link LeasePool} gets tokens: the fleet-wide bucket (Redis), or a fake in tests. */
public interface LeaseSource {

    /**
     * Asks for up to {@code requested} tokens of the shared bucket. Must not block.
     *
     * @param requested tokens wanted, at least 0 (0 only checks that the shared bucket answers)
     * @return the number granted (0 .. requested), or a failure when the shared bucket cannot be reached
     */
    CompletionStage<Long> lease(long requested);
}
