package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.inspect.AnomalyInspector;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.MutableClock;
import io.mqttsentinel.ratelimit.TieredRateLimiter;

/** The seed's rejection behaviour per packet type, with the real six-tier limiter of sentinel-ratelimit. */
class RateLimitTest {
    @TempDir
    Path dir;

    private static List<Mqtt3SubAckReturnCode> subscribe(Mqtt3BlockingClient c, String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().getReturnCodes();
        } catch (com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException e) {
            return e.getMqttMessage().getReturnCodes();
        }
    }

    @Test
    void tieredLimiter_connect05_publishQos0Dropped_subscribe80_countedOnceByTier() throws Exception {
        AtomicLong nanos = new AtomicLong(); // time stands still: only the bursts count
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        RateLimitConfig config = RateLimitConfig.builder()
                .limit(RateLimitTier.CONNECT, 1, 2)
                .limit(RateLimitTier.PUBLISH, 1, 3)
                .limit(RateLimitTier.SUBSCRIBE, 1, 1)
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TieredRateLimiter limiter = TieredRateLimiter.builder().config(config).ticker(nanos::get).meterRegistry(registry).build();
        try (ProxyHarness h = new ProxyHarness(dir, registry, c -> { }, p -> p.rateLimiter(limiter).eventSink(events::add), null)) {
            Mqtt3BlockingClient backend = h.direct("rl-backend");
            try (Mqtt3BlockingClient.Mqtt3Publishes seen = backend.publishes(MqttGlobalPublishFilter.ALL)) {
                backend.subscribeWith().topicFilter("clients/#").qos(MqttQos.AT_LEAST_ONCE).send();

                Mqtt3BlockingClient device = h.device("rl-1").buildBlocking();
                device.connect(); // CONNECT token 1 of 2
                // PUBLISH: 3 admitted, the 4th (QoS 0) dropped silently
                for (int i = 1; i <= 4; i++) {
                    device.publishWith().topic("clients/rl-1/t").qos(MqttQos.AT_MOST_ONCE)
                            .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
                }
                for (int i = 1; i <= 3; i++) {
                    Optional<Mqtt3Publish> m = seen.receive(10, TimeUnit.SECONDS);
                    assertThat(m).isPresent();
                    assertThat(new String(m.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
                }
                // a marker sent straight to the broker arrives next: the 4th publish was dropped, not delayed
                backend.publishWith().topic("clients/marker").qos(MqttQos.AT_LEAST_ONCE).send();
                assertThat(seen.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("clients/marker");
                assertThat(device.getState().isConnected()).isTrue();
                // SUBSCRIBE: 1 admitted, the 2nd answered 0x80
                assertThat(subscribe(device, "clients/rl-1/alerts")).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
                assertThat(subscribe(device, "clients/rl-1/alerts")).containsExactly(Mqtt3SubAckReturnCode.FAILURE);
                device.disconnect();

                // CONNECT: the 2nd from this address is admitted, the 3rd gets 0x05
                assertThat(ProxyHarness.connack(h.device("rl-2").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
                assertThat(ProxyHarness.connack(h.device("rl-3").buildBlocking(), null, null))
                        .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
            } finally {
                backend.disconnect();
            }
            // counted once per rejection, by the limiter: the proxy detects that and does not count again
            assertThat(registry.get("mqtt.proxy.rate.limit.rejected").tag("tier", "connect").counter().count()).isEqualTo(1);
            assertThat(registry.get("mqtt.proxy.rate.limit.rejected").tag("tier", "publish").counter().count()).isEqualTo(1);
            assertThat(registry.get("mqtt.proxy.rate.limit.rejected").tag("tier", "subscribe").counter().count()).isEqualTo(1);
            assertThat(events).anyMatch(e -> e.category().equals("rate") && e.ruleId().equals("rate_limit_connect"));
        }
    }

    @Test
    void publishQos1_rejected_getsNoPuback_andTheConnectionStays() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            h.limiter.set((kind, source, clientId) -> kind == PacketKind.PUBLISH
                    ? RateLimitDecision.rejected(RateLimitTier.PUBLISH) : RateLimitDecision.allowed());
            try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                c.write(MqttPackets.connect("rl-q1"));
                assertThat(c.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                // PUBLISH QoS 1 "clients/rl-q1/t" id 7, then PINGREQ: the first answer is the PINGRESP, no PUBACK
                byte[] publish = MqttPackets.publish("clients/rl-q1/t", "x".getBytes(StandardCharsets.US_ASCII), 1, 7);
                c.write(publish).write(MqttPackets.pingreq());
                assertThat(c.read(2)).containsExactly(0xD0, 0x00);
            }
            assertThat(h.count("mqtt.proxy.rate.limit.rejected", "tier", "publish")).isEqualTo(1);
        }
    }

    @Test
    void connectionRateAnomaly_aSourceAboveTheRate_isRefused05_andFlagged() throws Exception {
        MutableClock clock = new MutableClock(); // stands still: the third CONNECT in the same instant is over 2/s
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AnomalyInspector anomalies = AnomalyInspector.create(InspectorConfig.builder().connectionRateLimit(2).build(),
                registry, clock.ticker());
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, registry, c -> { }, p -> p.connectionInspector(anomalies).eventSink(events::add),
                null)) {
            assertThat(ProxyHarness.connack(h.device("ca-1").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            assertThat(ProxyHarness.connack(h.device("ca-2").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            assertThat(ProxyHarness.connack(h.device("ca-3").buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);

            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.ruleId()).isEqualTo(AnomalyInspector.CONNECTION_RATE_RULE);
                assertThat(e.category()).isEqualTo("rate");
                assertThat(e.clientId()).isEqualTo("ca-3");
                assertThat(e.action()).isEqualTo(Action.BLOCK);
                assertThat(e.excerpt()).contains("127.0.0.1");
            });
            assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "anomaly")).isEqualTo(1);
            assertThat(registry.get("inspector.anomalies.detected").tag("type", "rate").counter().count()).isEqualTo(1);
            assertThat(h.count("mqtt.proxy.auth.requests", "result", "allow")).as("no auth call for a refused CONNECT")
                    .isEqualTo(2);

            clock.advance(Duration.ofSeconds(1)); // the bucket refills: the source may connect again
            assertThat(ProxyHarness.connack(h.device("ca-4").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        }
    }

    @Test
    void ipTier_rejectingTheConnect_answers05() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            h.limiter.set((kind, source, clientId) -> RateLimitDecision.rejected(RateLimitTier.IP));
            assertThat(ProxyHarness.connack(h.device("rl-ip").buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
            assertThat(h.count("mqtt.proxy.rate.limit.rejected", "tier", "ip")).isEqualTo(1);
            assertThat(h.count("mqtt.proxy.auth.requests", "result", "allow")).as("no auth call for a limited CONNECT").isZero();
        }
    }
}
