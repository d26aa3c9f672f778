package io.mqttsentinel.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.proxy.SentinelProxy;

class SelfSignedCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void generated_pair_isServedByTheProxy_andTrustedByPinning() throws Exception {
        Path cert = dir.resolve("tls/cert.pem");
        Path key = dir.resolve("tls/key.pem");
        X509Certificate c = SelfSignedCertificates.generate(cert, key, "proxy.example");
        assertThat(c.getSubjectX500Principal().getName()).contains("CN=proxy.example");
        assertThat(c.getSubjectAlternativeNames()).anyMatch(san -> san.get(1).equals("127.0.0.1"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

        try (SentinelProxy proxy = SentinelProxy.builder(io.mqttsentinel.proxy.ProxyConfig.builder().tlsPort(0)
                .bindAddress("127.0.0.1").tls(cert, key).upstream("127.0.0.1", 1).build()).authCallout(r -> CompletableFuture.completedFuture(AuthDecision.allow("x")))
                .build().start()) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("pinned", c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", proxy.tlsPort())) {
                s.startHandshake();
                assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(c);
            }
            assertThat(proxy.isReady()).isTrue();
        }
    }
}
