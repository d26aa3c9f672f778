package io.mqttsentinel.ratelimit;

import java.util.function.LongSupplier;

import io.mqttsentinel.testkit.ratelimit.GlobalTierContract;

/** {@link GlobalTier#local}: an exact bucket on the kit's clock, so no tolerance. */
class LocalGlobalTierContractTest extends GlobalTierContract {
    @Override
    protected Tier newTier(long ratePerSecond, long burst, LongSupplier nanoClock) {
        GlobalTier tier = GlobalTier.local(ratePerSecond, burst, nanoClock::getAsLong);
        return new Tier() {
            @Override
            public boolean tryAcquire(long nanoTime) {
                return tier.tryAcquire(nanoTime);
            }

            @Override
            public void release() {
                tier.release();
            }
        };
    }
}
