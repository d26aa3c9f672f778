package io.mqttsentinel.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.api.TopicPermissions;

class HttpAuthCalloutTest {
    private final AuthEndpoint endpoint = AuthEndpoint.start();

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private static ConnectRequest request(String clientId, String password) {
        return ConnectRequest.of(clientId, "user-" + clientId, password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 40000), null);
    }

    private static AuthDecision await(HttpAuthCallout c, ConnectRequest r) throws Exception {
        return c.authenticate(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(HttpAuthCallout c, ConnectRequest r) {
        try {
            AuthDecision d = c.authenticate(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected an outage, got " + d);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void allow_postsJsonWithCredentialsAndPeer() throws Exception {
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).build();
        AuthDecision d = await(c, request("dev-1", "s3cret"));
        assertThat(d.outcome()).isEqualTo(AuthDecision.Outcome.ALLOW);
        assertThat(d.permissions()).isEmpty();
        assertThat(endpoint.lastBody()).contains("\"client_id\":\"dev-1\"", "\"username\":\"user-dev-1\"",
                "\"password\":\"s3cret\"", "\"peer_address\":\"127.0.0.1\"", "\"tls_subject\":null");
    }

    @Test
    void allow_withAclAndTtl_carriesPermissionsAndExpiry() throws Exception {
        endpoint.answer(200, "{\"result\":\"allow\",\"acl\":{\"publish\":[\"fleet/{client_id}/#\"],"
                + "\"subscribe\":[\"fleet/{client_id}/cmd\"]},\"ttl_seconds\":10}");
        Instant before = Instant.now();
        AuthDecision d = await(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw"));
        assertThat(d.permissions()).contains(new TopicPermissions(List.of("fleet/{client_id}/#"), List.of("fleet/{client_id}/cmd")));
        assertThat(d.expiresAt().orElseThrow()).isBetween(before.plusSeconds(9), Instant.now().plusSeconds(11));
    }

    @Test
    void allow_withExpiresAt_carriesExpiry() throws Exception {
        endpoint.answer(200, "{\"result\":\"allow\",\"expires_at\":\"2030-01-01T00:00:00Z\"}");
        AuthDecision d = await(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw"));
        assertThat(d.expiresAt()).contains(Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    void deny_isBadCredentials() throws Exception {
        endpoint.answer(200, "{\"result\":\"deny\"}");
        assertThat(await(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw")).outcome())
                .isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
    }

    @Test
    void unknownResult_isNotAuthorized() throws Exception {
        endpoint.answer(200, "{\"result\":\"maybe\"}");
        assertThat(await(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw")).outcome())
                .isEqualTo(AuthDecision.Outcome.NOT_AUTHORIZED);
    }

    @Test
    void status401_isBadCredentials_status403_isNotAuthorized() throws Exception {
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).build();
        endpoint.answer(401, "");
        assertThat(await(c, request("dev-1", "pw")).outcome()).isEqualTo(AuthDecision.Outcome.BAD_CREDENTIALS);
        endpoint.answer(403, "");
        assertThat(await(c, request("dev-1", "pw")).outcome()).isEqualTo(AuthDecision.Outcome.NOT_AUTHORIZED);
    }

    @Test
    void status500_isAnOutage() {
        endpoint.answer(500, "{\"result\":\"allow\"}");
        assertThat(failure(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw")))
                .isInstanceOf(AuthUnavailableException.class).hasMessageContaining("500");
    }

    @Test
    void garbageJson_isAnOutage() {
        endpoint.answer(200, "{\"result\":allow");
        assertThat(failure(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw")))
                .isInstanceOf(AuthUnavailableException.class).hasMessageContaining("not JSON");
    }

    @Test
    void jsonThatIsNotAnObject_isAnOutage() {
        endpoint.answer(200, "\"allow\"");
        assertThat(failure(HttpAuthCallout.builder(endpoint.uri()).build(), request("dev-1", "pw")))
                .isInstanceOf(AuthUnavailableException.class);
    }

    @Test
    void oversizedBody_isAnOutage() {
        endpoint.answer(200, "{\"result\":\"allow\",\"pad\":\"" + "x".repeat(10_000) + "\"}");
        assertThat(failure(HttpAuthCallout.builder(endpoint.uri()).maxResponseBytes(1024).build(), request("dev-1", "pw")))
                .isInstanceOf(AuthUnavailableException.class);
    }

    @Test
    void slowEndpoint_timesOut() {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).timeout(Duration.ofMillis(200)).build();
        long start = System.nanoTime();
        assertThat(failure(c, request("dev-1", "pw"))).isInstanceOf(AuthUnavailableException.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void endpointDown_isAnOutage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpAuthCallout c = HttpAuthCallout.builder(URI.create("http://127.0.0.1:" + port + "/auth")).build();
        assertThat(failure(c, request("dev-1", "pw"))).isInstanceOf(AuthUnavailableException.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void breaker_opensAfterConsecutiveOutages_thenDeniesWithoutCalling_andClosesAfterRecovery() throws Exception {
        endpoint.answer(503, "");
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).circuitBreaker(3, Duration.ofMillis(300)).build();
        for (int i = 0; i < 3; i++) {
            failure(c, request("dev-1", "pw"));
        }
        assertThat(c.isBreakerOpen()).isTrue();
        int calls = endpoint.calls();
        assertThat(failure(c, request("dev-1", "pw"))).hasMessageContaining("circuit breaker is open");
        assertThat(endpoint.calls()).isEqualTo(calls);

        endpoint.answer(200, "{\"result\":\"allow\"}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        AuthDecision d = null;
        while (d == null && System.nanoTime() < deadline) {
            try {
                d = c.authenticate(request("dev-1", "pw")).toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).hasMessageContaining("circuit breaker is open");
                TimeUnit.MILLISECONDS.sleep(20); // polling for the breaker's delay to pass
            }
        }
        assertThat(d).isNotNull();
        assertThat(d.isAllowed()).isTrue();
        assertThat(c.isBreakerOpen()).isFalse();
    }

    @Test
    void bulkhead_full_deniesAtOnce() throws Exception {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(2).timeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<AuthDecision>> inFlight = new ArrayList<>();
        inFlight.add(c.authenticate(request("a", "pw")).toCompletableFuture());
        inFlight.add(c.authenticate(request("b", "pw")).toCompletableFuture());
        assertThat(failure(c, request("c", "pw"))).hasMessageContaining("too many auth calls");
        endpoint.release();
        for (CompletableFuture<AuthDecision> f : inFlight) {
            assertThat(f.get(10, TimeUnit.SECONDS).isAllowed()).isTrue();
        }
    }

    @Test
    void builder_rejectsNonHttpUrl_andOutOfRangeValues() {
        assertThatThrownBy(() -> HttpAuthCallout.builder(URI.create("ftp://x/auth")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> HttpAuthCallout.builder(endpoint.uri()).timeout(Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrent must be between 1 and 100000, was 0");
    }
}
