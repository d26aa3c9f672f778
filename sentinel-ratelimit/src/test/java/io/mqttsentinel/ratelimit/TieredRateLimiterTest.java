package io.mqttsentinel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TieredRateLimiterTest {
    private static final long BIG = 1_000_000_000L;
    private final ManualTicker clock = new ManualTicker(123_456_789L);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Every tier effectively unlimited except {@code tier}, which gets {@code rate}/s and {@code burst}. */
    private static RateLimitConfig.Builder onlyTier(RateLimitTier tier, long rate, long burst) {
        RateLimitConfig.Builder b = RateLimitConfig.builder();
        for (RateLimitTier t : RateLimitTier.values()) {
            b.limit(t, BIG, BIG);
        }
        return b.limit(tier, rate, burst);
    }

    private TieredRateLimiter limiter(RateLimitConfig config) {
        return TieredRateLimiter.builder().config(config).ticker(clock).meterRegistry(registry).build();
    }

    private static int admitted(TieredRateLimiter l, int attempts, PacketKind kind, InetAddress src, String id) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (l.tryAcquire(kind, src, id).isAllowed()) {
                n++;
            }
        }
        return n;
    }

    private double rejected(RateLimitTier tier) {
        return registry.get(TieredRateLimiter.METRIC_REJECTED).tag("tier", tier.label()).counter().count();
    }

    @Test
    void tryAcquire_defaults_admitsUpToEachTiersBurst() {
        TieredRateLimiter l = limiter(RateLimitConfig.ofDefaults());
        // CONNECT tier: burst 500 per source
        assertThat(admitted(l, 600, PacketKind.CONNECT, ip("192.0.2.1"), null)).isEqualTo(500);
        assertThat(l.tryAcquire(PacketKind.CONNECT, ip("192.0.2.1"), null).rejectedBy())
                .contains(RateLimitTier.CONNECT);
        // IP tier: burst 1000 per source, 500 left after the CONNECTs
        assertThat(admitted(l, 600, PacketKind.OTHER, ip("192.0.2.1"), null)).isEqualTo(500);
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("192.0.2.1"), null).rejectedBy()).contains(RateLimitTier.IP);
    }

    @Test
    void tryAcquire_globalTier_rejectsAllTrafficBeyondBurstAndRefillsAtRate() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.GLOBAL, 10_000, 5_000).build());
        int n = 0;
        for (int i = 0; i < 6_000; i++) {
            if (l.tryAcquire(PacketKind.PUBLISH, ip("10.0.0." + (i % 250)), "c" + i).isAllowed()) {
                n++;
            }
        }
        assertThat(n).isEqualTo(5_000);
        assertThat(rejected(RateLimitTier.GLOBAL)).isEqualTo(1_000);
        clock.advance(Duration.ofMillis(10)); // 100 tokens
        assertThat(admitted(l, 1_000, PacketKind.OTHER, ip("10.0.0.1"), null)).isEqualTo(100);
    }

    @Test
    void tryAcquire_ipTier_perSourceAddress() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.IP, 100, 1_000).build());
        assertThat(admitted(l, 1_200, PacketKind.OTHER, ip("198.51.100.1"), null)).isEqualTo(1_000);
        assertThat(admitted(l, 1_200, PacketKind.PUBLISH, ip("198.51.100.2"), "x")).isEqualTo(1_000);
        clock.advance(Duration.ofSeconds(1));
        assertThat(admitted(l, 1_200, PacketKind.OTHER, ip("198.51.100.1"), null)).isEqualTo(100);
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("198.51.100.1"), null).rejectedBy()).contains(RateLimitTier.IP);
    }

    @Test
    void tryAcquire_ipTier_ipv6LimitedPerSlash64() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.IP, 1, 10).build());
        int n = 0;
        for (int i = 0; i < 20; i++) {
            // an attacker rotating through addresses of one /64
            n += l.tryAcquire(PacketKind.OTHER, ip("2001:db8:0:1::" + Integer.toHexString(i + 1)), null).isAllowed()
                    ? 1 : 0;
        }
        assertThat(n).isEqualTo(10);
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("2001:db8:0:2::1"), null).isAllowed()).isTrue();
        assertThat(l.trackedKeys(RateLimitTier.IP)).isEqualTo(2);
    }

    @Test
    void tryAcquire_ipTier_ipv6PrefixConfigurable() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.IP, 1, 10).ipv6PrefixLength(48).build());
        for (int i = 0; i < 10; i++) {
            assertThat(l.tryAcquire(PacketKind.OTHER, ip("2001:db8:0:" + i + "::1"), null).isAllowed()).isTrue();
        }
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("2001:db8:0:ff::1"), null).rejectedBy())
                .contains(RateLimitTier.IP);
    }

    @Test
    void tryAcquire_connectTier_onlyConnectPackets() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.CONNECT, 10, 500).build());
        InetAddress a = ip("192.0.2.9");
        assertThat(admitted(l, 700, PacketKind.CONNECT, a, null)).isEqualTo(500);
        assertThat(admitted(l, 700, PacketKind.PUBLISH, a, "dev")).isEqualTo(700);
        assertThat(admitted(l, 10, PacketKind.CONNECT, ip("192.0.2.10"), null)).isEqualTo(10);
        clock.advance(Duration.ofMillis(1_050));
        assertThat(admitted(l, 700, PacketKind.CONNECT, a, null)).isEqualTo(10);
        assertThat(rejected(RateLimitTier.CONNECT)).isEqualTo(200 + 690);
    }

    @Test
    void tryAcquire_publishTier_perClientIdPublishOnly() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.PUBLISH, 100, 500).build());
        InetAddress a = ip("192.0.2.1");
        assertThat(admitted(l, 600, PacketKind.PUBLISH, a, "sensor-1")).isEqualTo(500);
        assertThat(l.tryAcquire(PacketKind.PUBLISH, a, "sensor-1").rejectedBy()).contains(RateLimitTier.PUBLISH);
        assertThat(admitted(l, 600, PacketKind.SUBSCRIBE, a, "sensor-1")).isEqualTo(600);
        assertThat(admitted(l, 600, PacketKind.PUBLISH, a, "sensor-2")).isEqualTo(500);
        // same client id from another address shares the bucket
        assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.2"), "sensor-1").isAllowed()).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(admitted(l, 600, PacketKind.PUBLISH, a, "sensor-1")).isEqualTo(10);
    }

    @Test
    void tryAcquire_subscribeTier_perClientIdSubscribeOnly() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.SUBSCRIBE, 20, 500).build());
        InetAddress a = ip("192.0.2.1");
        assertThat(admitted(l, 600, PacketKind.SUBSCRIBE, a, "s")).isEqualTo(500);
        assertThat(l.tryAcquire(PacketKind.SUBSCRIBE, a, "s").rejectedBy()).contains(RateLimitTier.SUBSCRIBE);
        assertThat(admitted(l, 600, PacketKind.PUBLISH, a, "s")).isEqualTo(600);
        clock.advance(Duration.ofSeconds(1));
        assertThat(admitted(l, 600, PacketKind.SUBSCRIBE, a, "s")).isEqualTo(20);
    }

    @Test
    void tryAcquire_clientTier_everyPacketOfAClientId() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.CLIENT, 50, 500).build());
        InetAddress a = ip("192.0.2.1");
        assertThat(admitted(l, 200, PacketKind.PUBLISH, a, "c")).isEqualTo(200);
        assertThat(admitted(l, 200, PacketKind.SUBSCRIBE, a, "c")).isEqualTo(200);
        assertThat(admitted(l, 200, PacketKind.OTHER, a, "c")).isEqualTo(100);
        assertThat(l.tryAcquire(PacketKind.CONNECT, a, "c").rejectedBy()).contains(RateLimitTier.CLIENT);
        // unknown client id: the client-id tiers are skipped
        assertThat(admitted(l, 1_000, PacketKind.OTHER, a, null)).isEqualTo(1_000);
        clock.advance(Duration.ofSeconds(2));
        assertThat(admitted(l, 200, PacketKind.OTHER, a, "c")).isEqualTo(100);
    }

    @Test
    void tryAcquire_firstRejectingTierInSeedOrderWins() {
        RateLimitConfig.Builder b = RateLimitConfig.builder();
        for (RateLimitTier t : RateLimitTier.values()) {
            b.limit(t, 1, 1);
        }
        TieredRateLimiter l = limiter(b.build());
        assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.1"), "a").isAllowed()).isTrue();
        // every tier is empty now for that packet: GLOBAL is first
        assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.1"), "a").rejectedBy()).contains(RateLimitTier.GLOBAL);
        assertThat(rejected(RateLimitTier.GLOBAL)).isEqualTo(1);
        assertThat(rejected(RateLimitTier.IP)).isZero();
    }

    @Test
    void tryAcquire_orderAcrossTiers() {
        // IP (2) before CONNECT (1)
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.IP, 1, 2).limit(RateLimitTier.CONNECT, 1, 1).build());
        InetAddress a = ip("192.0.2.1");
        assertThat(l.tryAcquire(PacketKind.CONNECT, a, null).isAllowed()).isTrue();
        assertThat(l.tryAcquire(PacketKind.CONNECT, a, null).rejectedBy()).contains(RateLimitTier.CONNECT);
        assertThat(l.tryAcquire(PacketKind.OTHER, a, null).isAllowed()).isTrue(); // IP token was given back
        assertThat(l.tryAcquire(PacketKind.CONNECT, a, null).rejectedBy()).contains(RateLimitTier.IP);

        // PUBLISH (1) before CLIENT (1)
        TieredRateLimiter m = limiter(onlyTier(RateLimitTier.PUBLISH, 1, 1).limit(RateLimitTier.CLIENT, 1, 1).build());
        assertThat(m.tryAcquire(PacketKind.PUBLISH, a, "z").isAllowed()).isTrue();
        assertThat(m.tryAcquire(PacketKind.PUBLISH, a, "z").rejectedBy()).contains(RateLimitTier.PUBLISH);
        assertThat(m.tryAcquire(PacketKind.SUBSCRIBE, a, "z").rejectedBy()).contains(RateLimitTier.CLIENT);
    }

    @Test
    void tryAcquire_rejectionAtLaterTier_givesBackEarlierTokens() {
        RateLimitConfig config = RateLimitConfig.builder()
                .limit(RateLimitTier.GLOBAL, 1, 10).limit(RateLimitTier.IP, 1, 10)
                .limit(RateLimitTier.CONNECT, 1, 10).limit(RateLimitTier.PUBLISH, 1, 10)
                .limit(RateLimitTier.SUBSCRIBE, 1, 10).limit(RateLimitTier.CLIENT, 1, 3).build();
        TieredRateLimiter l = limiter(config);
        InetAddress a = ip("192.0.2.1");
        assertThat(admitted(l, 100, PacketKind.PUBLISH, a, "greedy")).isEqualTo(3);
        assertThat(rejected(RateLimitTier.CLIENT)).isEqualTo(97);
        // the 97 rejected packets cost GLOBAL, IP and PUBLISH nothing: 7 tokens are left on each
        assertThat(admitted(l, 100, PacketKind.PUBLISH, a, "other")).isEqualTo(3);
        assertThat(admitted(l, 100, PacketKind.OTHER, a, null)).isEqualTo(4);
        assertThat(l.tryAcquire(PacketKind.OTHER, a, null).rejectedBy()).contains(RateLimitTier.GLOBAL);
    }

    @Test
    void tryAcquire_keyCapReached_failsClosedForNewKeysOnly() {
        TieredRateLimiter l = limiter(RateLimitConfig.builder().maxKeysPerTier(100).build());
        for (int i = 0; i < 100; i++) {
            assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.1"), "dev-" + i).isAllowed()).isTrue();
        }
        // an attacker inventing client ids
        for (int i = 0; i < 50; i++) {
            assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.1"), "fake-" + i).rejectedBy())
                    .contains(RateLimitTier.PUBLISH);
        }
        assertThat(l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2.1"), "dev-7").isAllowed()).isTrue();
        assertThat(l.trackedKeys(RateLimitTier.PUBLISH)).isEqualTo(100);
        assertThat(l.trackedKeys(RateLimitTier.CLIENT)).isEqualTo(100);
        assertThat(registry.get(TieredRateLimiter.METRIC_NEW_KEYS_REFUSED).tag("tier", "publish").counter().count())
                .isEqualTo(50);
        assertThat(rejected(RateLimitTier.PUBLISH)).isEqualTo(50);
    }

    @Test
    void tryAcquire_spoofedSourcesBeyondCap_failClosedThenRecoverAfterIdle() {
        TieredRateLimiter l = limiter(RateLimitConfig.builder().maxKeysPerTier(1_000).build());
        int admitted = 0;
        for (int i = 0; i < 5_000; i++) {
            admitted += l.tryAcquire(PacketKind.OTHER, ip("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "."
                    + (i & 255)), null).isAllowed() ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(1_000);
        assertThat(l.trackedKeys(RateLimitTier.IP)).isEqualTo(1_000);
        assertThat(registry.get(TieredRateLimiter.METRIC_NEW_KEYS_REFUSED).tag("tier", "ip").counter().count())
                .isEqualTo(4_000);
        // one token used of a 1000 burst at 100/s: full after 10 ms; dropped after 30 s idle
        clock.advance(Duration.ofSeconds(31));
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("192.0.2.200"), null).isAllowed()).isTrue();
        assertThat(l.trackedKeys(RateLimitTier.IP)).isEqualTo(1);
    }

    @Test
    void cleanUp_dropsIdleBucketsOfEveryTier() {
        TieredRateLimiter l = limiter(RateLimitConfig.ofDefaults());
        for (int i = 0; i < 10; i++) {
            l.tryAcquire(PacketKind.CONNECT, ip("192.0.2." + i), "c" + i);
            l.tryAcquire(PacketKind.PUBLISH, ip("192.0.2." + i), "c" + i);
            l.tryAcquire(PacketKind.SUBSCRIBE, ip("192.0.2." + i), "c" + i);
        }
        assertThat(l.trackedKeys(RateLimitTier.SUBSCRIBE)).isEqualTo(10);
        clock.advance(Duration.ofSeconds(29));
        l.cleanUp();
        assertThat(l.trackedKeys(RateLimitTier.IP)).isEqualTo(10);
        clock.advance(Duration.ofSeconds(2));
        l.cleanUp();
        for (RateLimitTier t : new RateLimitTier[] {RateLimitTier.IP, RateLimitTier.CONNECT, RateLimitTier.PUBLISH,
                RateLimitTier.SUBSCRIBE, RateLimitTier.CLIENT}) {
            assertThat(l.trackedKeys(t)).as(t.name()).isZero();
        }
    }

    @Test
    void metrics_prometheusNamesAreExact() {
        TieredRateLimiter l = limiter(onlyTier(RateLimitTier.SUBSCRIBE, 1, 1).build());
        l.tryAcquire(PacketKind.SUBSCRIBE, ip("192.0.2.1"), "s");
        l.tryAcquire(PacketKind.SUBSCRIBE, ip("192.0.2.1"), "s");
        String scrape = registry.scrape();
        assertThat(scrape).contains("mqtt_proxy_rate_limit_rejected_total{tier=\"subscribe\"} 1.0")
                .contains("mqtt_proxy_rate_limit_rejected_total{tier=\"global\"} 0.0")
                .contains("mqtt_proxy_rate_limit_tracked_keys{tier=\"subscribe\"} 1.0")
                .contains("mqtt_proxy_rate_limit_tracked_keys{tier=\"ip\"} 1.0")
                .contains("mqtt_proxy_rate_limit_new_keys_refused_total{tier=\"client\"} 0.0");
    }

    @Test
    void builder_pluggableGlobalTier_isUsedAndGivenBack() {
        int[] released = {0};
        GlobalTier oneShot = new GlobalTier() {
            private int left = 1;

            @Override
            public boolean tryAcquire(long nanoTime) {
                if (left == 0) {
                    return false;
                }
                left--;
                return true;
            }

            @Override
            public void release() {
                released[0]++;
                left++;
            }
        };
        TieredRateLimiter l = TieredRateLimiter.builder().config(onlyTier(RateLimitTier.IP, 1, 1).build())
                .ticker(clock).globalTier(oneShot).build();
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("192.0.2.1"), null).isAllowed()).isTrue();
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("192.0.2.1"), null).rejectedBy()).contains(RateLimitTier.GLOBAL);
        assertThat(released[0]).isZero();
        oneShot.release();
        assertThat(l.tryAcquire(PacketKind.OTHER, ip("192.0.2.1"), null).rejectedBy()).contains(RateLimitTier.IP);
        assertThat(released[0]).isEqualTo(2);
    }

    @Test
    void tryAcquire_decisionsAreSharedInstances() {
        TieredRateLimiter l = limiter(RateLimitConfig.ofDefaults());
        RateLimitDecision d = l.tryAcquire(PacketKind.OTHER, ip("192.0.2.1"), null);
        assertThat(d).isSameAs(RateLimitDecision.allowed());
        assertThat(d.rejectedBy()).isEqualTo(Optional.empty());
    }
}
