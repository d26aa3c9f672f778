package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.TestCertificates;

/** TLS termination: protocol versions, cipher suites, handshake failures by reason, reload, client certificates. */
class TlsTest {
    @TempDir
    Path dir;

    // ---- hand-made ClientHellos: the JDK refuses to even offer TLS 1.0/1.1, so the bytes are written here ----

    /**
     * @param version      client_version, e.g. 0x0301 for TLS 1.0
     * @param cipherSuites the offered suites
     * @return a TLS record holding a ClientHello with the extensions an ECDSA server needs
     */
    static byte[] clientHello(int version, int... cipherSuites) {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        ext.writeBytes(RawTls.bytes(0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17)); // supported_groups: secp256r1
        ext.writeBytes(RawTls.bytes(0x00, 0x0b, 0x00, 0x02, 0x01, 0x00));             // ec_point_formats: uncompressed
        ext.writeBytes(RawTls.bytes(0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03)); // signature_algorithms: ecdsa_secp256r1_sha256
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version & 0xFF);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0);                                   // session id length
        body.write(0);
        body.write(cipherSuites.length * 2);             // cipher suites length
        for (int cs : cipherSuites) {
            body.write(cs >> 8);
            body.write(cs & 0xFF);
        }
        body.writeBytes(RawTls.bytes(0x01, 0x00));       // compression: null
        byte[] e = ext.toByteArray();
        body.write(e.length >> 8);
        body.write(e.length & 0xFF);
        body.writeBytes(e);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        rec.writeBytes(RawTls.bytes(0x16, 0x03, 0x01));  // handshake record, legacy version
        rec.write((b.length + 4) >> 8);
        rec.write((b.length + 4) & 0xFF);
        rec.write(0x01);                                 // ClientHello
        rec.write(0);
        rec.write(b.length >> 8);
        rec.write(b.length & 0xFF);
        rec.writeBytes(b);
        return rec.toByteArray();
    }

    /** @return the content type of the first record the server answers with (0x16 handshake, 0x15 alert), -1 on close */
    static int firstRecordType(int port, byte[] hello) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(hello);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return in.read();
        }
    }

    private static final int ECDHE_ECDSA_AES128_GCM_SHA256 = 0xC02B;
    private static final int ECDHE_ECDSA_AES128_CBC_SHA = 0xC009;
    private static final int RSA_AES128_CBC_SHA = 0x002F;

    @Test
    void tls10_and_tls11_areRefused_tls12_isAccepted() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            int port = h.proxy.tlsPort();
            // positive control: the same hand-made hello, as TLS 1.2 with a Mozilla suite, gets a ServerHello
            assertThat(firstRecordType(port, clientHello(0x0303, ECDHE_ECDSA_AES128_GCM_SHA256))).isEqualTo(0x16);
            assertThat(firstRecordType(port, clientHello(0x0301, ECDHE_ECDSA_AES128_CBC_SHA, RSA_AES128_CBC_SHA)))
                    .isIn(0x15, -1);
            assertThat(firstRecordType(port, clientHello(0x0302, ECDHE_ECDSA_AES128_CBC_SHA, RSA_AES128_CBC_SHA)))
                    .isIn(0x15, -1);
            Await.until("two protocol_version failures",
                    () -> h.count("mqtt.proxy.tls.handshake.failures", "reason", "protocol_version") == 2);
        }
    }

    @Test
    void tls12_withOnlyNonIntermediateSuites_isRefused() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            assertThat(firstRecordType(h.proxy.tlsPort(), clientHello(0x0303, ECDHE_ECDSA_AES128_CBC_SHA, RSA_AES128_CBC_SHA)))
                    .isIn(0x15, -1);
            Await.until("a no_shared_cipher failure",
                    () -> h.count("mqtt.proxy.tls.handshake.failures", "reason", "no_shared_cipher") == 1);
        }
    }

    @Test
    void jdkClients_negotiateTls13_andTls12() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            assertThat(handshake(h.proxy.tlsPort(), h.trust(), "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThat(handshake(h.proxy.tlsPort(), h.trust(), "TLSv1.2")).isEqualTo("TLSv1.2");
        }
    }

    @Test
    void jdkEngine_worksToo() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.preferOpenSsl(false))) {
            assertThat(h.proxy.usesOpenSsl()).isFalse();
            assertThat(handshake(h.proxy.tlsPort(), h.trust(), "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThat(ProxyHarness.connack(h.device("jdk-1").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        }
    }

    static String handshake(int port, TrustManagerFactory trust, String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trust.getTrustManagers(), new SecureRandom());
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }

    @Test
    void silentClient_isClosedAtTheHandshakeTimeout() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults()
                .withTlsHandshakeTimeout(Duration.ofMillis(300))))) {
            try (RawTls raw = RawTls.plain(h.proxy.tlsPort())) {
                assertThat(raw.readUntilClosed()).isEmpty();
            }
            Await.until("a timeout", () -> h.count("mqtt.proxy.tls.handshake.failures", "reason", "timeout") == 1);
        }
    }

    @Test
    void plainMqtt_onTheTlsPort_isRefusedAsNotTls() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> { })) {
            try (RawTls raw = RawTls.plain(h.proxy.tlsPort())) {
                assertThat(raw.write(MqttPackets.connect("plain")).readUntilClosed()).isEmpty();
            }
            Await.until("not_tls", () -> h.count("mqtt.proxy.tls.handshake.failures", "reason", "not_tls") == 1);
        }
    }

    @Test
    void plainListener_onlyWhenConfigured() throws Exception {
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.plainPort(0))) {
            assertThat(h.proxy.plainPort()).isPositive();
            try (RawTls raw = RawTls.plain(h.proxy.plainPort())) {
                raw.write(MqttPackets.connect("plain-ok"));
                assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            }
        }
        try (ProxyHarness h = new ProxyHarness(Files.createDirectories(dir.resolve("none")), b -> { })) {
            assertThat(h.proxy.plainPort()).isEqualTo(-1);
        }
    }

    @Test
    void certificateReload_switchesNewConnections_andKeepsTheLastGoodOnBrokenFiles() throws Exception {
        Path other = Files.createDirectories(dir.resolve("ca2"));
        try (ProxyHarness h = new ProxyHarness(Files.createDirectories(dir.resolve("p")),
                b -> b.tlsReloadInterval(Duration.ofMillis(100)))) {
            Path certFile = h.server.certFile();
            Path keyFile = h.server.keyFile();
            TestCertificates ca2 = TestCertificates.create(other);
            TestCertificates.Issued next = ca2.server("server2");
            TrustManagerFactory newTrust = ProxyHarness.trust(ca2.caFile());
            assertThat(handshake(h.proxy.tlsPort(), h.trust(), "TLSv1.3")).isEqualTo("TLSv1.3");

            // replace the files; the background poll picks them up without a restart
            Files.copy(next.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
            Await.until("the new certificate to be served", () -> {
                try {
                    return handshake(h.proxy.tlsPort(), newTrust, "TLSv1.3") != null;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThatThrownBy(() -> handshake(h.proxy.tlsPort(), h.trust(), "TLSv1.3")).isInstanceOf(javax.net.ssl.SSLException.class);

            // a broken certificate is refused; the last good one stays in use
            double failures = h.count("mqtt.proxy.tls.reloads", "result", "failure");
            Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
            Await.until("a failed reload", () -> h.count("mqtt.proxy.tls.reloads", "result", "failure") > failures);
            assertThat(h.proxy.reloadTls()).isFalse();
            assertThat(handshake(h.proxy.tlsPort(), newTrust, "TLSv1.3")).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void clientCertificate_required_identityMustMatchClientId() throws Exception {
        AtomicReference<ConnectRequest> seen = new AtomicReference<>();
        assertThatThrownBy(() -> ProxyConfig.builder().tls(dir.resolve("c.pem"), dir.resolve("k.pem"))
                .clientAuth(ClientAuthMode.REQUIRE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientCa");
        Path d2 = Files.createDirectories(dir.resolve("req"));
        TestCertificates ca = TestCertificates.create(Files.createDirectories(d2.resolve("ca")));
        try (ProxyHarness h = new ProxyHarness(d2, b -> b.clientAuth(ClientAuthMode.REQUIRE).clientCa(ca.caFile()))) {
            h.auth.set(r -> {
                seen.set(r);
                return CompletableFuture.completedFuture(AuthDecision.allow("cert"));
            });
            TestCertificates.Issued dev = ca.client("dev-c1", "dev-c1");
            assertThat(ProxyHarness.connack(h.deviceWithCertificate("dev-c1", dev).buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            assertThat(seen.get().tlsSubject()).contains("CN=dev-c1");
            assertThat(ProxyHarness.connack(h.deviceWithCertificate("dev-c2", dev).buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
            // no certificate: the handshake fails
            assertThatThrownBy(() -> h.device("dev-c3").buildBlocking().connect()).isInstanceOf(RuntimeException.class);
            Await.until("a handshake failure",
                    () -> h.registry.find("mqtt.proxy.tls.handshake.failures").counters().stream()
                    .mapToDouble(c -> c.count()).sum() >= 1);
        }
    }

    @Test
    void clientCertificate_optional_withoutCertificateConnects() throws Exception {
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("ca")));
        try (ProxyHarness h = new ProxyHarness(Files.createDirectories(dir.resolve("p")),
                b -> b.clientAuth(ClientAuthMode.OPTIONAL).clientCa(ca.caFile()))) {
            assertThat(ProxyHarness.connack(h.device("dev-o1").buildBlocking(), null, null)).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            TestCertificates.Issued dev = ca.client("dev-o2", "dev-o2");
            assertThat(ProxyHarness.connack(h.deviceWithCertificate("dev-o2", dev).buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            assertThat(ProxyHarness.connack(h.deviceWithCertificate("dev-o3", dev).buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        }
    }
}
