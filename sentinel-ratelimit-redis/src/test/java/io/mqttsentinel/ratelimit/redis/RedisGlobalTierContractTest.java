package io.mqttsentinel.ratelimit.redis;

import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.Services;
import io.mqttsentinel.testkit.ratelimit.GlobalTierContract;
import org.junit.jupiter.api.BeforeEach;

/**
 * Against the real Redis on 127.0.0.1:6379, under a key prefix of its own that it deletes afterwards. The
 * shared bucket refills on the Redis server's clock, and one lease may sit in the local pool, so the tier
 * may admit that much beyond the burst.
 */
class RedisGlobalTierContractTest extends GlobalTierContract {
    private static final String URI = "redis://127.0.0.1:6379";
    private static final long LEASE = 1;

    private final String prefix = "sentinel-contract:" + UUID.randomUUID() + ":";

    @BeforeEach
    void redisIsThere() {
        Services.assumeReachable("Redis", "127.0.0.1", 6379);
    }

    private static Tier adapt(RedisGlobalTier tier) {
        return new Tier() {
            @Override
            public boolean tryAcquire(long nanoTime) {
                return tier.tryAcquire(nanoTime);
            }

            @Override
            public void release() {
                tier.release();
            }

            @Override
            public void close() {
                tier.close();
            }
        };
    }

    @Override
    protected Tier newTier(long ratePerSecond, long burst, LongSupplier nanoClock) {
        return adapt(RedisGlobalTier.builder(RedisGlobalTierConfig.builder().redisUri(URI).keyPrefix(prefix)
                .leaseSize(LEASE).build()).limit(ratePerSecond, burst).ticker(nanoClock::getAsLong).build());
    }

    @Override
    protected Tier newTierWithoutItsStore(long ratePerSecond, long burst, LongSupplier nanoClock) {
        return adapt(RedisGlobalTier.builder(RedisGlobalTierConfig.builder().redisUri("redis://127.0.0.1:" + FreePorts.next())
                .keyPrefix(prefix).timeout(Duration.ofMillis(50)).build()).limit(ratePerSecond, burst)
                .ticker(nanoClock::getAsLong).build());
    }

    @Override
    protected long tolerance(long ratePerSecond, long burst, Duration elapsed) {
        long refilled = (long) Math.ceil(ratePerSecond * (elapsed.toNanos() / 1e9));
        return LEASE + refilled + 1;
    }

    @Override
    protected void afterTiersClosed() {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*"));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
