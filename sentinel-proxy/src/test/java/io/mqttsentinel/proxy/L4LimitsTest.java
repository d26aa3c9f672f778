package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection limits and per-connection memory bounds, on real sockets. */
class L4LimitsTest {
    @TempDir
    Path dir;

    @Test
    void perIpLimit_closesTheExtraConnection_beforeTls() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withMaxConnectionsPerIp(2)))) {
            try (RawTls a = RawTls.connect(h.proxy.tlsPort(), h.trust());
                 RawTls b = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                a.write(RawTls.connect("l4-a"));
                b.write(RawTls.connect("l4-b"));
                assertThat(a.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                assertThat(b.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                try (RawTls c = RawTls.plain(h.proxy.tlsPort())) {
                    assertThat(c.readUntilClosed()).isEmpty();
                }
                assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "max_per_ip")).isEqualTo(1);
                assertThat(h.count("mqtt.proxy.connections")).isEqualTo(2);
            }
            ProxyHarness.await(() -> h.proxy.activeConnections() == 0, "the two to close");
            try (RawTls again = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                again.write(RawTls.connect("l4-again"));
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
                a.write(RawTls.connect("l4-only"));
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
            byte[] topic = "clients/l4-p/t".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int remaining = 2 + topic.length + payload.length;
            byte[] publish = RawTls.concat(RawTls.bytes(0x30, (remaining & 0x7F) | 0x80, remaining >> 7, 0x00, topic.length),
                    topic, payload);
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(RawTls.concat(RawTls.connect("l4-p"), publish, publish, publish));
                assertThat(raw.readUntilClosed()).isEmpty();
            }
            assertThat(h.count("mqtt.proxy.overflow", "reason", "pending_bytes")).isEqualTo(1);
        }
    }

    @Test
    void bytesAreCounted_bothWays() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(RawTls.connect("l4-bytes"));
                raw.read(4);
            }
            assertThat(h.count("mqtt.proxy.bytes.received")).isGreaterThan(0);
            assertThat(h.count("mqtt.proxy.bytes.sent")).isGreaterThan(0);
        }
    }
}
