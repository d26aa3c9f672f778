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
    void queue_full_refusesAtOnce_asBusy_withoutACall() throws Exception {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(2).queue(1, Duration.ofSeconds(10))
                .timeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<AuthDecision>> admitted = new ArrayList<>();
        admitted.add(c.authenticate(request("a", "pw")).toCompletableFuture());
        admitted.add(c.authenticate(request("b", "pw")).toCompletableFuture());
        admitted.add(c.authenticate(request("c", "pw")).toCompletableFuture()); // waits for a slot
        assertThat(c.callsQueued()).isEqualTo(1);
        assertThat(failure(c, request("d", "pw"))).isInstanceOf(AuthUnavailableException.class)
                .hasMessageContaining("the queue is full")
                .extracting(e -> ((AuthUnavailableException) e).reason()).isEqualTo(AuthUnavailableException.Reason.BUSY);
        endpoint.release();
        for (CompletableFuture<AuthDecision> f : admitted) {
            assertThat(f.get(10, TimeUnit.SECONDS).isAllowed()).isTrue();
        }
        assertThat(endpoint.calls()).isEqualTo(3);
    }

    @Test
    void waitingPastTheDeadline_isAQueueTimeout_notAnOutage_andDoesNotOpenTheBreaker() throws Exception {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(1).queue(100, Duration.ofMillis(50))
                .timeout(Duration.ofSeconds(10)).circuitBreaker(1, Duration.ofMinutes(10)).build();
        CompletableFuture<AuthDecision> first = c.authenticate(request("a", "pw")).toCompletableFuture();
        for (int i = 0; i < 5; i++) {
            assertThat(failure(c, request("w" + i, "pw"))).isInstanceOf(AuthUnavailableException.class)
                    .hasMessageContaining("no auth call slot")
                    .extracting(e -> ((AuthUnavailableException) e).reason())
                    .isEqualTo(AuthUnavailableException.Reason.QUEUE_TIMEOUT);
        }
        assertThat(c.isBreakerOpen()).as("the proxy's queueing is not the endpoint's failure").isFalse();
        endpoint.release();
        assertThat(first.get(10, TimeUnit.SECONDS).isAllowed()).isTrue();
        assertThat(await(c, request("after", "pw")).isAllowed()).isTrue();
        assertThat(endpoint.calls()).as("no call was made for a caller that gave up waiting").isEqualTo(2);
    }

    @Test
    void waitingCallers_areServedInArrivalOrder() throws Exception {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(1).timeout(Duration.ofSeconds(10)).build();
        List<String> completed = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<CompletableFuture<AuthDecision>> all = new ArrayList<>();
        for (String id : List.of("q0", "q1", "q2", "q3", "q4")) {
            all.add(c.authenticate(request(id, "pw")).toCompletableFuture().whenComplete((d, e) -> completed.add(id)));
        }
        assertThat(c.callsInFlight()).isEqualTo(1);
        assertThat(c.callsQueued()).isEqualTo(4);
        endpoint.release();
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        assertThat(completed).containsExactly("q0", "q1", "q2", "q3", "q4");
    }

    @Test
    void maxQueueWait_isTheQueueBound_orZeroWhenNoneMayWait() {
        assertThat(HttpAuthCallout.builder(endpoint.uri()).build().maxQueueWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(HttpAuthCallout.builder(endpoint.uri()).queue(10, Duration.ofSeconds(7)).build().maxQueueWait())
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(HttpAuthCallout.builder(endpoint.uri()).queue(0, Duration.ofSeconds(7)).build().maxQueueWait())
                .isZero();
        assertThat(CachingAuthCallout.builder(HttpAuthCallout.builder(endpoint.uri()).queue(10, Duration.ofSeconds(7))
                .build()).build().maxQueueWait()).as("the cache tells its delegate's").isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void callerThatCancelsWhileWaiting_isNeverCalled() throws Exception {
        endpoint.hang();
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(1).timeout(Duration.ofSeconds(10)).build();
        CompletableFuture<AuthDecision> first = c.authenticate(request("first", "pw")).toCompletableFuture();
        CompletableFuture<AuthDecision> gone = c.authenticate(request("gone", "pw")).toCompletableFuture();
        assertThat(c.callsQueued()).isEqualTo(1);

        gone.cancel(false);

        assertThat(c.callsQueued()).isZero();
        endpoint.release();
        assertThat(first.get(10, TimeUnit.SECONDS).isAllowed()).isTrue();
        assertThat(await(c, request("after", "pw")).isAllowed()).isTrue();
        assertThat(endpoint.calls()).as("no call for the caller that left").isEqualTo(2);
    }

    @Test
    void endpointFailures_stillOpenTheBreaker() throws Exception {
        endpoint.answer(500, "");
        HttpAuthCallout c = HttpAuthCallout.builder(endpoint.uri()).circuitBreaker(2, Duration.ofMinutes(10)).build();
        failure(c, request("f1", "pw"));
        failure(c, request("f2", "pw"));
        assertThat(c.isBreakerOpen()).isTrue();
        assertThat(failure(c, request("f3", "pw"))).hasMessageContaining("circuit breaker is open")
                .extracting(e -> ((AuthUnavailableException) e).reason()).isEqualTo(AuthUnavailableException.Reason.OUTAGE);
    }

    @Test
    void builder_rejectsNonHttpUrl_andOutOfRangeValues() {
        assertThatThrownBy(() -> HttpAuthCallout.builder(URI.create("ftp://x/auth")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> HttpAuthCallout.builder(endpoint.uri()).timeout(Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> HttpAuthCallout.builder(endpoint.uri()).maxConcurrent(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrent must be between 1 and 100000, was 0");
        assertThatThrownBy(() -> HttpAuthCallout.builder(endpoint.uri()).queue(-1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueued must be between 0 and 1000000, was -1");
    }
}
