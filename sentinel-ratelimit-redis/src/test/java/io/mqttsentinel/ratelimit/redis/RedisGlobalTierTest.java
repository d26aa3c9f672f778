package io.mqttsentinel.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.mqttsentinel.ratelimit.redis.internal.RedisLeaseSource;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.Services;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Against the real Redis on 127.0.0.1:6379, under a key prefix of its own that it deletes afterwards. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisGlobalTierTest {
    private static final String URI = "redis://127.0.0.1:6379";

    private final String prefix = "sentinel-test:" + UUID.randomUUID() + ":";
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void redisIsThere() {
        Services.assumeReachable("Redis", "127.0.0.1", 6379);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
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

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    @Test
    void leaseScript_grantsUpToTheBurstThenOnlyWhatRefilled() throws Exception {
        // 1 token/s: during this test at most a few tokens refill
        RedisLeaseSource source = closeLater(
                new RedisLeaseSource(RedisURI.create(URI), prefix + "global", 1, 100, Duration.ofSeconds(2)));
        long first = source.lease(60).toCompletableFuture().get(5, TimeUnit.SECONDS);
        long probe = source.lease(0).toCompletableFuture().get(5, TimeUnit.SECONDS);
        long second = source.lease(60).toCompletableFuture().get(5, TimeUnit.SECONDS);
        long third = source.lease(60).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first).isEqualTo(60);
        assertThat(probe).isZero();
        assertThat(second).isBetween(40L, 42L);
        assertThat(third).isBetween(0L, 2L);
    }

    /**
     * The one real-time test: two tiers standing in for two proxies hammer the shared bucket for 10 s and
     * together admit the global rate (plus its burst), not twice it. The lease timeout is long so that a
     * loaded CI machine's scheduling delays are not taken for a Redis outage (the fallback is tested apart).
     */
    @Test
    void twoProxies_admitTheGlobalRateTogether_notTwiceIt() throws Exception {
        long rate = 2_000;
        long burst = 200;
        RedisGlobalTier[] proxies = new RedisGlobalTier[2];
        for (int i = 0; i < 2; i++) {
            proxies[i] = closeLater(RedisGlobalTier.builder(RedisGlobalTierConfig.builder().redisUri(URI).keyPrefix(prefix)
                    .fleetSize(2).leaseSize(20).timeout(Duration.ofSeconds(2)).build()).limit(rate, burst).build());
        }
        AtomicLong[] admitted = {new AtomicLong(), new AtomicLong()};
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(10);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RedisGlobalTier tier = proxies[i];
            AtomicLong count = admitted[i];
            Thread t = new Thread(() -> {
                long now;
                while ((now = System.nanoTime()) < end) {
                    if (tier.tryAcquire(now)) {
                        count.incrementAndGet();
                    } else {
                        LockSupport.parkNanos(50_000); // a device retrying, not a spinning CPU
                    }
                }
            }, "proxy-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = admitted[0].get() + admitted[1].get();
        double expected = rate * seconds + burst;
        System.out.printf("two proxies admitted %d + %d = %d in %.2f s; expected %.0f +- %.0f%n", admitted[0].get(),
                admitted[1].get(), total, seconds, expected, 0.1 * rate * seconds);
        assertThat(proxies[0].inFallback()).isFalse();
        assertThat(proxies[1].inFallback()).isFalse();
        assertThat(admitted[0].get()).isPositive();
        assertThat(admitted[1].get()).isPositive();
        assertThat((double) total).as("admitted by both proxies in %.2f s", seconds)
                .isBetween(expected - 0.1 * rate * seconds, expected + 0.1 * rate * seconds);
    }

    @Test
    void redisUnreachable_fallsBackToTheLocalShareAndCountsIt() throws Exception {
        int closedPort = FreePorts.next();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long[] now = {0};
        RedisGlobalTier tier = closeLater(RedisGlobalTier.builder(RedisGlobalTierConfig.builder()
                .redisUri("redis://127.0.0.1:" + closedPort).keyPrefix(prefix).fleetSize(4).timeout(Duration.ofMillis(100))
                .build()).limit(1_000, 400).ticker(() -> now[0]).meterRegistry(registry).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!tier.inFallback() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(tier.inFallback()).isTrue();
        int admitted = 0;
        while (admitted < 10_000 && tier.tryAcquire(now[0])) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(100); // burst 400 / 4 proxies
        now[0] += 1_000_000_000L;
        admitted = 0;
        while (admitted < 10_000 && tier.tryAcquire(now[0])) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(100); // 250/s share, capped by the share's burst of 100
        String scrape = registry.scrape();
        assertThat(scrape).contains("mqtt_proxy_rate_limit_redis_fallback_total 1.0")
                .contains("mqtt_proxy_rate_limit_redis_fallback_active 1.0");
    }

    /**
     * A Redis of the test's own on a free port: down when the proxy starts, then up, then killed. The tier
     * starts in fallback, leaves it once Redis answers (connects are retried every second) and falls back
     * again when Redis dies. Waits are bounded polls for a state, with traffic flowing meanwhile.
     */
    @Test
    void redisOutage_fallsBackThenReturnsWhenRedisIsBackThenFallsBackAgain() throws Exception {
        String binary = Services.assumeBinary("redis-server");
        int port = FreePorts.next();
        RedisGlobalTier tier = closeLater(RedisGlobalTier.builder(RedisGlobalTierConfig.builder()
                .redisUri("redis://127.0.0.1:" + port).keyPrefix(prefix).fleetSize(2).leaseSize(10).build())
                .limit(1_000, 100).build());
        awaitWithTraffic(tier, true);
        Process redis = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitWithTraffic(tier, false);
            long admitted = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (admitted == 0 && System.nanoTime() < deadline) {
                admitted += tier.tryAcquire(System.nanoTime()) ? 1 : 0;
                LockSupport.parkNanos(1_000_000);
            }
            assertThat(admitted).as("admitted on leased tokens").isPositive();
            redis.destroy();
            assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
            awaitWithTraffic(tier, true);
        } finally {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends packets (which drain the pool and so make the tier ask Redis) until the fallback state is {@code expected}. */
    private static void awaitWithTraffic(RedisGlobalTier tier, boolean expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (tier.inFallback() != expected && System.nanoTime() < deadline) {
            tier.tryAcquire(System.nanoTime());
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(tier.inFallback()).as("in fallback").isEqualTo(expected);
    }

    @Test
    void pluggedIntoTieredRateLimiter_globalRejectionsCarryTheGlobalTier() throws Exception {
        RedisGlobalTier tier = closeLater(RedisGlobalTier.builder(RedisGlobalTierConfig.builder().redisUri(URI).keyPrefix(prefix)
                .leaseSize(30).build()).limit(1, 30).build());
        TieredRateLimiter limiter = TieredRateLimiter.builder().globalTier(tier)
                .config(RateLimitConfig.builder().limit(RateLimitTier.IP, 1_000, 1_000).build()).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int admitted = 0;
        InetAddress source = InetAddress.getByName("192.0.2.1");
        // the first lease arrives in the background; keep asking until it has (bounded), then drain
        while (admitted < 30 && System.nanoTime() < deadline) {
            if (limiter.tryAcquire(PacketKind.OTHER, source, null).isAllowed()) {
                admitted++;
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        }
        assertThat(admitted).isEqualTo(30);
        assertThat(limiter.tryAcquire(PacketKind.OTHER, source, null).rejectedBy()).contains(RateLimitTier.GLOBAL);
    }

    @Test
    void environment_appliesEveryRedisSetting() {
        RedisGlobalTier tier = closeLater(RedisGlobalTier.builder(RedisGlobalTierConfig.fromEnvironment(
                Map.of("SENTINEL_RL_REDIS_URI", URI, "SENTINEL_RL_REDIS_FLEET_SIZE", "4",
                        "SENTINEL_RL_REDIS_KEY_PREFIX", prefix, "SENTINEL_RL_REDIS_LEASE_SIZE", "7",
                        "SENTINEL_RL_REDIS_TIMEOUT_MS", "300", "SENTINEL_RL_GLOBAL_RATE", "ignored here")))
                .limit(RateLimitConfig.ofDefaults()).build());
        assertThat(tier.toString()).isEqualTo("RedisGlobalTier[10000/s, burst 5000, fleet 4, lease 7, key "
                + prefix + "global]");
    }
}
