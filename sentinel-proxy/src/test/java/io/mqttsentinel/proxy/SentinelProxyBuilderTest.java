package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimiter;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.mqttsentinel.testkit.TestCertificates;

/** What {@link SentinelProxy.Builder#build()} creates, and what two proxies of one builder share. */
class SentinelProxyBuilderTest {
    @TempDir
    Path dir;

    private ProxyConfig config() {
        TestCertificates.Issued server = TestCertificates.create(dir).server("server");
        return ProxyConfig.builder().tlsPort(0).bindAddress("127.0.0.1").upstream("127.0.0.1", 1)
                .tls(server.certFile(), server.keyFile()).build();
    }

    @Test
    void twoProxiesOfOneBuilder_doNotShareTheDefaultRateLimiter() {
        SentinelProxy.Builder b = SentinelProxy.builder(config())
                .authCallout(r -> CompletableFuture.completedFuture(AuthDecision.allow("x")));
        try (SentinelProxy first = b.build(); SentinelProxy second = b.build()) {
            assertThat(first.rateLimiter()).isInstanceOf(TieredRateLimiter.class);
            assertThat(second.rateLimiter()).isInstanceOf(TieredRateLimiter.class);
            assertThat(second.rateLimiter()).isNotSameAs(first.rateLimiter());
            assertThat(first.config()).isSameAs(second.config());
        }
    }

    @Test
    void aGivenRateLimiter_isTheOneUsed_byEveryProxyOfTheBuilder() {
        RateLimiter given = (kind, source, clientId) -> RateLimitDecision.allowed();
        SentinelProxy.Builder b = SentinelProxy.builder(config()).rateLimiter(given)
                .authCallout(r -> CompletableFuture.completedFuture(AuthDecision.allow("x")));
        try (SentinelProxy first = b.build(); SentinelProxy second = b.build()) {
            assertThat(first.rateLimiter()).isSameAs(given);
            assertThat(second.rateLimiter()).isSameAs(given);
        }
    }

    @Test
    void withoutAnAuthCallout_eachProxyGetsTheConfiguredOne() {
        SentinelProxy.Builder b = SentinelProxy.builder(config().toBuilder()
                .authFile(dir.resolve("devices.txt")).build());
        try (SentinelProxy first = b.build(); SentinelProxy second = b.build()) {
            assertThat(first.isReady()).isFalse();
            assertThat(second.isReady()).isFalse();
        }
    }

    @Test
    void build_needsTheCertificate_andReadableUpstreamTlsFiles() {
        assertThatThrownBy(() -> SentinelProxy.builder(ProxyConfig.ofDefaults()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SENTINEL_TLS_CERT").hasMessageContaining("tls(certPem, keyPem)");
        ProxyConfig missing = config().toBuilder()
                .upstreamTls(dir.resolve("no.pem"), dir.resolve("no.key"), dir.resolve("no-ca.pem")).build();
        assertThatThrownBy(() -> SentinelProxy.builder(missing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("upstream TLS file " + dir.resolve("no.pem") + " is not readable");
    }
}
