package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;

/** Connection limits and per-connection memory bounds, on real sockets. */
class L4LimitsTest {
    @TempDir
    Path dir;

    @Test
    void perIpLimit_closesTheExtraConnection_beforeTls() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withMaxConnectionsPerIp(2)))) {
            try (RawTls a = RawTls.connect(h.proxy.tlsPort(), h.trust());
                 RawTls b = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                a.write(MqttPackets.connect("l4-a"));
                b.write(MqttPackets.connect("l4-b"));
                assertThat(a.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                assertThat(b.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                try (RawTls c = RawTls.plain(h.proxy.tlsPort())) {
                    assertThat(c.readUntilClosed()).isEmpty();
                }
                assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "max_per_ip")).isEqualTo(1);
                assertThat(h.count("mqtt.proxy.connections")).isEqualTo(2);
            }
            Await.until("the two to close", () -> h.proxy.activeConnections() == 0);
            try (RawTls again = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                again.write(MqttPackets.connect("l4-again"));
                assertThat(again.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            }
        }
    }

    @Test
    void totalLimit_closesTheExtraConnection() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withMaxConnections(1)))) {
            try (RawTls a = RawTls.connect(h.proxy.tlsPort(), h.trust());
                 RawTls c = RawTls.plain(h.proxy.tlsPort())) {
                assertThat(c.readUntilClosed()).isEmpty();
                a.write(MqttPackets.connect("l4-only"));
                assertThat(a.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "max_total")).isEqualTo(1);
            }
        }
    }

    @Test
    void bytesHeldDuringAuth_areBounded() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withMaxPendingBytes(1024)))) {
            h.auth.set(r -> new CompletableFuture<>()); // auth never answers: everything after CONNECT is held
            byte[] payload = new byte[600];
            byte[] publish = MqttPackets.publish("clients/l4-p/t", payload, 0, 0);
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(RawTls.concat(MqttPackets.connect("l4-p"), publish, publish, publish));
                assertThat(raw.readUntilClosed()).isEmpty();
            }
            assertThat(h.count("mqtt.proxy.overflow", "reason", "pending_bytes")).isEqualTo(1);
        }
    }

    @Test
    void bytesAreCounted_bothWays() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(MqttPackets.connect("l4-bytes"));
                raw.read(4);
            }
            assertThat(h.count("mqtt.proxy.bytes.received")).isGreaterThan(0);
            assertThat(h.count("mqtt.proxy.bytes.sent")).isGreaterThan(0);
        }
    }

    @Test
    void handshakeRatePerSource_refusesTheExcess_beforeTls_andOtherSourcesStillGetIn() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.handshakeRatePerIp(1, 2))) {
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                try (RawTls c = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", new byte[0], h.trust(), null)) {
                    c.write(MqttPackets.connect("hs-" + i));
                    c.read(4);
                } catch (java.io.IOException e) {
                    refused++; // closed at accept: the handshake fails
                }
            }
            assertThat(refused).as("1/s with a burst of 2: at least two of five in a row are refused").isGreaterThanOrEqualTo(2);
            assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "handshake_rate")).isEqualTo(refused);
            assertThat(h.count("mqtt.proxy.tls.handshake.failures", "reason", "timeout")).isZero();
            try (RawTls other = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.2", new byte[0], h.trust(), null)) {
                other.write(MqttPackets.connect("hs-other"));
                assertThat(other.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            }
        }
    }

    @Test
    void bandwidthPerSource_overARealSocket_slowsTheSenderToItsBudget() throws Exception {
        int budget = 16 * 1024;
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withBandwidthPerIp(budget)
                .withMaxPacketSize(4_096)))) {
            com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient backend = h.direct("bw-backend");
            try (com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient.Mqtt3Publishes seen =
                         backend.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                backend.subscribeWith().topicFilter("clients/bw/#").send();
                byte[] publish = MqttPackets.publish("clients/bw/t", new byte[4_000], 0, 0);
                int messages = 20; // ~80 KB: the 16 KiB burst, then ~4 s at 16 KiB/s
                try (RawTls device = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                    device.write(MqttPackets.connect("bw"));
                    assertThat(device.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                    long start = System.nanoTime();
                    for (int i = 0; i < messages; i++) {
                        device.write(publish);
                    }
                    for (int i = 0; i < messages; i++) {
                        assertThat(seen.receive(30, java.util.concurrent.TimeUnit.SECONDS)).as("message %d", i).isPresent();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double floor = (messages * (double) publish.length - budget) / budget;
                    assertThat(seconds).as("80 KB at 16 KiB/s after a 16 KiB burst").isGreaterThan(floor * 0.8);
                    assertThat(seconds).isLessThan(floor * 3 + 5);
                }
            } finally {
                backend.disconnect();
            }
        }
    }
}
