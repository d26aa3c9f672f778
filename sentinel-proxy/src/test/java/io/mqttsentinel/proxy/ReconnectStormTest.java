package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.proxy.auth.AuthEndpoint;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;

/**
 * A reconnect storm (CI size: 2,000 devices at once; the 8,000 run is {@code ReconnectStorm} in sentinel-bench)
 * against a real HTTP endpoint that serves 64 calls at once, ~5 ms each: the calls queue in the proxy instead of
 * timing out and opening the breaker, a CONNECT waiting its turn is held on top of the proxy's own auth timeout
 * (left at its default) instead of being refused, so every device gets in and none is refused for an outage, nor
 * for the proxy's queue.
 */
class ReconnectStormTest {
    private static final int DEVICES = 2_000;
    private static final int ENDPOINT_THREADS = 64;

    @TempDir
    Path dir;

    @Test
    void storm_2000Devices_allConnected_noneRefusedForAnOutage_endpointNeverAboveItsConcurrency() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // the GLOBAL tier shapes the storm: 500 CONNECTs at once, then 2,000/s; the rest are refused with 0x05
        // before any auth call and come back after their backoff
        TieredRateLimiter limiter = TieredRateLimiter.builder().meterRegistry(registry)
                .config(RateLimitConfig.builder().limit(RateLimitTier.GLOBAL, 2_000, 500).build()).build();
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 2; i < 10; i++) {
            sources.add(InetAddress.getByName("127.0.0." + i)); // 250 each: within the CONNECT tier's burst per address
        }
        try (AuthEndpoint endpoint = AuthEndpoint.start(ENDPOINT_THREADS, Duration.ofMillis(5))) {
            // the queue (10,000 waiting at most 20 s) and the proxy's auth timeout (5 s on top of the queue's wait)
            // are the defaults; the call's timeout and the device-side timeouts are raised because this machine's
            // two cores are shared with other builds: a starved JVM makes a 5 ms call or a handshake take seconds,
            // which is the machine's outage, not the endpoint's nor the proxy's queueing
            HttpAuthCallout http = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(ENDPOINT_THREADS)
                    .timeout(Duration.ofSeconds(10)).build();
            CachingAuthCallout auth = CachingAuthCallout.builder(http).meterRegistry(registry).build();
            try (ProxyHarness h = new ProxyHarness(dir, registry,
                    c -> c.limits(ProxyLimits.ofDefaults().withMaxConnectionsPerIp(DEVICES)
                            .withTlsHandshakeTimeout(Duration.ofSeconds(30)).withConnectTimeout(Duration.ofSeconds(60))
                            .withUpstreamConnectTimeout(Duration.ofSeconds(30))),
                    p -> p.authCallout(auth).rateLimiter(limiter), null);
                 DeviceSwarm swarm = new DeviceSwarm(h.proxy.tlsPort(), h.ca.caFile())) {
                long nanos = swarm.connectAll(DEVICES, "storm-", sources, Duration.ofSeconds(120));
                assertThat(nanos).as("all %d connected (%d connected, %d refusals, %d cut off)", DEVICES,
                        swarm.connected(), swarm.refused.get(), swarm.failed.get()).isPositive();
                System.out.printf("storm: %d devices connected in %d ms; %d refused by CONNACK, %d cut off, "
                                + "endpoint at most %d in flight, %d calls%n", DEVICES, TimeUnit.NANOSECONDS.toMillis(nanos),
                        swarm.refused.get(), swarm.failed.get(), endpoint.maxInFlight(), endpoint.calls());

                h.registry.getMeters().stream()
                        .filter(m -> m instanceof io.micrometer.core.instrument.Counter
                                && ((io.micrometer.core.instrument.Counter) m).count() > 0)
                        .forEach(m -> System.out.println("  " + m.getId().getName() + m.getId().getTags() + " = "
                                + ((io.micrometer.core.instrument.Counter) m).count()));
                assertThat(h.count("mqtt.proxy.auth.requests", "result", "error")).as("outages").isZero();
                assertThat(h.count("mqtt.proxy.auth.requests", "result", "timeout")).as("timeouts").isZero();
                assertThat(h.count("mqtt.proxy.auth.requests", "result", "busy")).as("queue full").isZero();
                assertThat(h.count("mqtt.proxy.auth.requests", "result", "queue_timeout")).as("queue waits").isZero();
                // a broker that does not answer in time (Mosquitto on a starved machine) refuses with 0x03 after the
                // allow; the device comes back and is allowed again from the cache: the broker's refusal, not auth's
                double broker = h.count("mqtt.proxy.upstream.failures", "reason", "connack_timeout")
                        + h.count("mqtt.proxy.upstream.failures", "reason", "connect");
                assertThat(h.count("mqtt.proxy.auth.requests", "result", "allow")).isEqualTo(DEVICES + broker);
                assertThat(http.isBreakerOpen()).isFalse();
                assertThat(endpoint.maxInFlight()).isLessThanOrEqualTo(ENDPOINT_THREADS);
                assertThat(endpoint.calls()).as("one call per device: refusals by a tier make none").isEqualTo(DEVICES);
                double limited = h.count("mqtt.proxy.rate.limit.rejected", "tier", "global");
                assertThat(swarm.refused.get()).as("every refusal was a rate tier's or the broker's, none auth's")
                        .isEqualTo((int) (limited + broker));
                assertThat(swarm.connected()).isEqualTo(DEVICES);
            }
        }
    }
}
