package io.mqttsentinel.proxy;

import static io.mqttsentinel.proxy.RawTls.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;

/** Keep-alives and acknowledgements of an authenticated device are never dropped by a rate tier. */
class ControlPacketsTest {
    @TempDir
    Path dir;

    @Test
    void pingreqAndPuback_pass_whileTheLimiterRejectsEverythingElse() throws Exception {
        Set<PacketKind> asked = ConcurrentHashMap.newKeySet();
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            h.limiter.set((kind, source, clientId) -> {
                asked.add(kind);
                return kind == PacketKind.CONNECT || kind == PacketKind.SUBSCRIBE ? RateLimitDecision.allowed()
                        : RateLimitDecision.rejected(RateLimitTier.GLOBAL);
            });
            Mqtt3BlockingClient backend = h.direct("cp-backend");
            try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                c.write(persistentConnect("cp-1"));
                assertThat(c.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                c.write(MqttPackets.subscribe(1, "clients/cp-1/alerts", 1));
                assertThat(c.read(5)).containsExactly(0x90, 0x03, 0x00, 0x01, 0x01);
                backend.publishWith().topic("clients/cp-1/alerts").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("alert".getBytes(StandardCharsets.UTF_8)).send();
                byte[] head = c.read(2);
                assertThat(head[0] & 0xF6).as("a QoS 1 PUBLISH").isEqualTo(0x32);
                byte[] rest = c.read(head[1]);
                int topicLength = (rest[0] & 0xFF) << 8 | rest[1] & 0xFF;
                int id = (rest[2 + topicLength] & 0xFF) << 8 | rest[3 + topicLength] & 0xFF;
                c.write(bytes(0x40, 0x02, id >> 8, id & 0xFF)); // PUBACK
                c.write(MqttPackets.pingreq());
                assertThat(c.read(2)).containsExactly(0xD0, 0x00);
                c.write(MqttPackets.disconnect());
                assertThat(c.readUntilClosed()).isEmpty();
            }
            // the session is back, and the broker has nothing to send again: the PUBACK reached it
            try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                c.write(persistentConnect("cp-1"));
                assertThat(c.read(4)).containsExactly(0x20, 0x02, 0x01, 0x00);
                c.write(MqttPackets.pingreq());
                assertThat(c.read(2)).as("PINGRESP, not a redelivered PUBLISH").containsExactly(0xD0, 0x00);
            } finally {
                backend.disconnect();
            }
            assertThat(asked).containsExactlyInAnyOrder(PacketKind.CONNECT, PacketKind.SUBSCRIBE);
        }
    }

    /**
     * The scenario in small: a GLOBAL tier of 5/s is emptied by PUBLISHes, and 20 idle devices with a
     * 2 s keep-alive stay connected for 30 s. Keep-alive is enforced on real time by the proxy (× 1.5) and by
     * Mosquitto upstream, so this one test takes 30 real seconds; the limiter's clock stands still after the
     * CONNECTs, so its bucket never refills and any PINGREQ that it saw would be dropped.
     */
    @Test
    void globalTierAt5PerSecond_20IdleDevicesWith2sKeepAlive_stayConnectedFor30s() throws Exception {
        AtomicLong nanos = new AtomicLong();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TieredRateLimiter limiter = TieredRateLimiter.builder()
                .config(RateLimitConfig.builder().limit(RateLimitTier.GLOBAL, 5, 5).build())
                .ticker(nanos::get).meterRegistry(registry).build();
        List<Mqtt3BlockingClient> devices = new ArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, registry, c -> { }, p -> p.rateLimiter(limiter), null)) {
            for (int i = 0; i < 20; i++) {
                nanos.addAndGet(TimeUnit.SECONDS.toNanos(1)); // a second per CONNECT: each finds a token
                Mqtt3BlockingClient d = h.device("idle-" + i).buildBlocking();
                d.connectWith().keepAlive(2).send();
                devices.add(d);
            }
            // empty the GLOBAL bucket: from now on every packet that the tier sees is rejected
            for (int i = 0; i < 10; i++) {
                devices.get(0).publishWith().topic("clients/idle-0/t").qos(MqttQos.AT_MOST_ONCE).send();
            }
            Await.until("the GLOBAL tier to reject",
                    () -> h.count("mqtt.proxy.rate.limit.rejected", "tier", "global") >= 5);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (Mqtt3BlockingClient d : devices) {
                    assertThat(d.getState().isConnected()).as("%s connected", d.getConfig().getClientIdentifier()).isTrue();
                }
                TimeUnit.MILLISECONDS.sleep(500); // real time is what keep-alive is measured in
            }
            assertThat(h.proxy.activeConnections()).isEqualTo(20);
            assertThat(h.count("mqtt.proxy.connections")).as("nobody reconnected").isEqualTo(20);
            assertThat(h.count("mqtt.proxy.protocol.violations", "reason", "keepalive_timeout")).isZero();
        } finally {
            for (Mqtt3BlockingClient d : devices) {
                if (d.getState().isConnected()) {
                    d.disconnect();
                }
            }
        }
    }

    /** A CONNECT with clean session 0 (a persistent session) and keep-alive 60. */
    private static byte[] persistentConnect(String clientId) {
        return MqttPackets.connectBuilder(clientId).cleanSession(false).build();
    }
}
