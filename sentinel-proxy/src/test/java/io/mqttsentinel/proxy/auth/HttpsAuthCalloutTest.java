package io.mqttsentinel.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.TestCertificates;

/** The callout over https, with a private CA; and an endpoint whose certificate is not trusted is an outage. */
class HttpsAuthCalloutTest {
    @TempDir
    Path dir;

    @Test
    void https_withPrivateCa_allows_untrustedCertificate_isAnOutage() throws Exception {
        TestCertificates ca = TestCertificates.create(dir);
        TestCertificates.Issued server = ca.server("auth");
        SSLContext serverCtx = SSLContext.getInstance("TLS");
        serverCtx.init(io.mqttsentinel.proxy.ProxyHarnessAccess.keys(server).getKeyManagers(), null, new SecureRandom());
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(serverCtx));
        byte[] allow = "{\"result\":\"allow\"}".getBytes(StandardCharsets.UTF_8);
        https.createContext("/auth", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, allow.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(allow);
            }
        });
        https.start();
        try {
            URI uri = URI.create("https://localhost:" + https.getAddress().getPort() + "/auth");
            SSLContext clientCtx = SSLContext.getInstance("TLS");
            clientCtx.init(null, io.mqttsentinel.proxy.ProxyHarnessAccess.trust(ca.caFile()).getTrustManagers(), new SecureRandom());
            ConnectRequest r = ConnectRequest.of("dev-1", "u", "p".getBytes(StandardCharsets.UTF_8),
                    new InetSocketAddress("127.0.0.1", 1), null);
            AuthDecision d = HttpAuthCallout.builder(uri).sslContext(clientCtx).build().authenticate(r)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(d.isAllowed()).isTrue();
            AuthDecision viaPem = HttpAuthCallout.builder(uri).trustedCa(ca.caFile()).build().authenticate(r)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(viaPem.isAllowed()).isTrue();

            // the JDK's default trust store does not know the private CA: no verdict, fail closed
            try {
                HttpAuthCallout.builder(uri).build().authenticate(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
                throw new AssertionError("an untrusted endpoint gave a verdict");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(AuthUnavailableException.class);
            }
        } finally {
            https.stop(0);
        }
    }
}
