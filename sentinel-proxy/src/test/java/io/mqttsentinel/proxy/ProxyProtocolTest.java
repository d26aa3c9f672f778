package io.mqttsentinel.proxy;

import static io.mqttsentinel.proxy.RawTls.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.TestCertificates;

/** PROXY protocol v1/v2 on the device listener, from raw headers written by a test client. */
class ProxyProtocolTest {
    private static final byte[] CONNACK_OK = {0x20, 0x02, 0x00, 0x00};

    @TempDir
    Path dir;

    /** "PROXY TCP4 <src> 127.0.0.1 <port> 8883\r\n" */
    static byte[] v1(String source, int port) {
        return ("PROXY TCP4 " + source + " 127.0.0.1 " + port + " 8883\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header, PROXY command, TCP over IPv4. */
    static byte[] v2(int[] source, int port) {
        return bytes(
                0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
                0x21,                                                                   // version 2, command PROXY
                0x11,                                                                   // AF_INET, STREAM
                0x00, 0x0C,                                                             // 12 address bytes follow
                source[0], source[1], source[2], source[3],                             // source address
                127, 0, 0, 1,                                                           // destination address
                port >> 8, port & 0xFF,                                                 // source port
                0x22, 0xB3);                                                            // destination port 8883
    }

    @Test
    void trustedBalancer_v1AndV2_theDeviceAddressReachesAuthAndLimits() throws Exception {
        List<ConnectRequest> seen = new CopyOnWriteArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.proxyProtocol(List.of("127.0.0.0/30"))
                .limits(ProxyLimits.ofDefaults().withMaxConnectionsPerIp(1)))) {
            h.auth.set(r -> {
                seen.add(r);
                return CompletableFuture.completedFuture(AuthDecision.allow("pp"));
            });
            try (RawTls a = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", v1("203.0.113.7", 40001), h.trust(), null);
                 RawTls b = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", v2(new int[] {198, 51, 100, 9}, 40002),
                         h.trust(), null)) {
                a.write(MqttPackets.connect("pp-v1"));
                assertThat(a.read(4)).containsExactly(CONNACK_OK);
                b.write(MqttPackets.connect("pp-v2"));
                assertThat(b.read(4)).containsExactly(CONNACK_OK);
                assertThat(seen).extracting(r -> r.peerAddress().getAddress().getHostAddress())
                        .containsExactlyInAnyOrder("203.0.113.7", "198.51.100.9");
                // both came through one balancer address, yet each device is its own per-address key: a second
                // device behind 203.0.113.7 is over that address's limit of 1
                try (RawTls c = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", v1("203.0.113.7", 40003),
                        h.trust(), null)) {
                    assertThat(c.readUntilClosed()).isEmpty();
                } catch (javax.net.ssl.SSLException | java.net.SocketException closedDuringHandshake) {
                    // closed before TLS: equally a refusal
                }
                assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "max_per_ip")).isEqualTo(1);
            }
        }
    }

    @Test
    void trustedBalancer_withoutAHeader_isRefused() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.proxyProtocol(List.of("127.0.0.1")))) {
            assertThatThrownBy(() -> RawTls.connect(h.proxy.tlsPort(), h.trust()).close()).isInstanceOf(java.io.IOException.class);
            Await.until("the refusal to be counted",
                    () -> h.count("mqtt.proxy.connections.rejected", "reason", "proxy_protocol") == 1);
        }
    }

    @Test
    void untrustedSource_sendingAHeader_isRefused_butMayConnectDirectly() throws Exception {
        List<ConnectRequest> seen = new CopyOnWriteArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.proxyProtocol(List.of("127.0.0.2")))) {
            h.auth.set(r -> {
                seen.add(r);
                return CompletableFuture.completedFuture(AuthDecision.allow("direct"));
            });
            for (byte[] header : List.of(v1("203.0.113.7", 40001), v2(new int[] {203, 0, 113, 7}, 40001))) {
                try (RawTls spoof = RawTls.plain(h.proxy.tlsPort())) {
                    spoof.write(header);
                    assertThat(spoof.readUntilClosed()).isEmpty();
                }
            }
            assertThat(h.count("mqtt.proxy.connections.rejected", "reason", "proxy_protocol_untrusted")).isEqualTo(2);
            try (RawTls direct = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                direct.write(MqttPackets.connect("pp-direct"));
                assertThat(direct.read(4)).containsExactly(CONNACK_OK);
            }
            assertThat(seen).singleElement().extracting(r -> r.peerAddress().getAddress().getHostAddress())
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void clientCertificateIdentity_stillHolds_behindTheBalancer() throws Exception {
        Path caDir = Files.createDirectories(dir.resolve("devices-ca"));
        TestCertificates devices = TestCertificates.create(caDir);
        TestCertificates.Issued cert = devices.client("pp-cert", "pp-cert");
        List<ConnectRequest> seen = new CopyOnWriteArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.proxyProtocol(List.of("127.0.0.1"))
                .clientAuth(ClientAuthMode.OPTIONAL).clientCa(devices.caFile()))) {
            h.auth.set(r -> {
                seen.add(r);
                return CompletableFuture.completedFuture(AuthDecision.allow("cert"));
            });
            try (RawTls ok = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", v1("192.0.2.44", 5000), h.trust(),
                    ProxyHarness.keys(cert))) {
                ok.write(MqttPackets.connect("pp-cert"));
                assertThat(ok.read(4)).containsExactly(CONNACK_OK);
            }
            try (RawTls other = RawTls.connectWithPrefix(h.proxy.tlsPort(), "127.0.0.1", v1("192.0.2.44", 5001), h.trust(),
                    ProxyHarness.keys(cert))) {
                other.write(MqttPackets.connect("someone-else"));
                assertThat(other.read(4)).containsExactly(0x20, 0x02, 0x00, 0x05);
            }
            assertThat(seen).singleElement().satisfies(r -> {
                assertThat(r.tlsSubject()).contains("CN=pp-cert");
                assertThat(r.peerAddress().getAddress().getHostAddress()).isEqualTo("192.0.2.44");
            });
        }
    }
}
