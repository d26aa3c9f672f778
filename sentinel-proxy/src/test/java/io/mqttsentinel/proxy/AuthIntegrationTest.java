package io.mqttsentinel.proxy;

import static io.mqttsentinel.proxy.ProxyHarness.connack;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.proxy.auth.AuthEndpoint;
import io.mqttsentinel.proxy.auth.AuthUnavailableException;
import io.mqttsentinel.proxy.auth.CachingAuthCallout;
import io.mqttsentinel.proxy.auth.HttpAuthCallout;
import io.mqttsentinel.testkit.MqttPackets;

/**
 * The auth callout through the proxy, against a real HTTP endpoint: every way it can say no, or fail to say
 * anything, ends in the CONNACK the contract prescribes, and an outage does not outlive the endpoint's recovery.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIntegrationTest {
    ProxyHarness h;
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    AuthEndpoint endpoint;

    @BeforeAll
    void start(@TempDir Path dir) {
        h = new ProxyHarness(dir, new SimpleMeterRegistry(),
                c -> c.limits(ProxyLimits.ofDefaults().withAuthTimeout(Duration.ofSeconds(3))), p -> p.eventSink(events::add),
                null);
    }

    @AfterAll
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @BeforeEach
    void endpoint() {
        endpoint = AuthEndpoint.start();
        // generous: the machine is shared and the first call on a new client can be slow
        HttpAuthCallout http = HttpAuthCallout.builder(endpoint.uri()).timeout(Duration.ofSeconds(2))
                .circuitBreaker(2, Duration.ofMillis(200)).build();
        h.auth.set(CachingAuthCallout.builder(http).meterRegistry(h.registry).build());
        events.clear();
    }

    @AfterEach
    void endpointStop() {
        endpoint.close();
    }

    private Mqtt3ConnAckReturnCode connect(String clientId, String password) {
        return connack(h.device(clientId).buildBlocking(), "user-" + clientId, password);
    }

    @Test
    void allow_connects_andCountsLatency() {
        double before = h.count("mqtt.proxy.auth.requests", "result", "allow");
        assertThat(connect("a-allow", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(h.count("mqtt.proxy.auth.requests", "result", "allow")).isEqualTo(before + 1);
        Timer t = h.registry.get("mqtt.proxy.auth.latency").timer();
        assertThat(t.count()).isGreaterThanOrEqualTo(1);
        assertThat(endpoint.lastBody()).contains("\"client_id\":\"a-allow\"", "\"password\":\"pw\"");
    }

    @Test
    void deny_answersConnack04() {
        endpoint.answer(200, "{\"result\":\"deny\"}");
        assertThat(connect("a-deny", "wrong")).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(events).anyMatch(e -> e.category().equals("auth") && e.ruleId().equals("bad_credentials")
                && e.clientId().equals("a-deny"));
    }

    @Test
    void forbidden_answersConnack05() {
        endpoint.answer(403, "");
        assertThat(connect("a-403", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void status500_answersConnack05_andIsNotCached() {
        endpoint.answer(500, "");
        assertThat(connect("a-500", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        endpoint.answer(200, "{\"result\":\"allow\"}");
        assertThat(connect("a-500", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
    }

    @Test
    void garbageJson_answersConnack05() {
        endpoint.answer(200, "<html>oops</html>");
        assertThat(connect("a-garbage", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(events).anyMatch(e -> e.ruleId().equals("auth_unavailable"));
    }

    @Test
    void slowEndpoint_answersConnack05_countedAsTimeout() {
        endpoint.hang();
        h.auth.set(HttpAuthCallout.builder(endpoint.uri()).timeout(Duration.ofMillis(300)).build());
        double before = h.count("mqtt.proxy.auth.requests", "result", "timeout");
        assertThat(connect("a-slow", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(h.count("mqtt.proxy.auth.requests", "result", "timeout")).isEqualTo(before + 1);
        endpoint.release();
    }

    @Test
    void endpointDown_answersConnack05_thenDevicesGetInAgainAfterRecovery_withoutRestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpAuthCallout down = HttpAuthCallout.builder(URI.create("http://127.0.0.1:" + port + "/auth"))
                .circuitBreaker(2, Duration.ofMillis(200)).build();
        h.auth.set(CachingAuthCallout.builder(down).build());
        for (int i = 0; i < 3; i++) {
            assertThat(connect("a-down", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        }
        assertThat(down.isBreakerOpen()).isTrue();

        // the "outage" ends: same callout object, the endpoint is now the live one
        endpoint.answer(500, "");
        HttpAuthCallout flaky = HttpAuthCallout.builder(endpoint.uri()).circuitBreaker(2, Duration.ofMillis(200)).build();
        CachingAuthCallout cached = CachingAuthCallout.builder(flaky).build();
        h.auth.set(cached);
        assertThat(connect("a-down", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(connect("a-down", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(flaky.isBreakerOpen()).isTrue();
        endpoint.answer(200, "{\"result\":\"allow\"}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Mqtt3ConnAckReturnCode code = Mqtt3ConnAckReturnCode.NOT_AUTHORIZED;
        while (code != Mqtt3ConnAckReturnCode.SUCCESS && System.nanoTime() < deadline) {
            code = connect("a-down", "pw");
        }
        assertThat(code).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(cached.size()).isEqualTo(1);
    }

    @Test
    void calloutThatNeverAnswers_hitsTheProxyAuthTimeout_connack05() {
        h.auth.set(r -> new CompletableFuture<>());
        assertThat(connect("a-never", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void proxyOverload_fullQueueOrQueueTimeout_answersConnack03_countedApartFromOutages() {
        double outagesBefore = h.count("mqtt.proxy.auth.requests", "result", "timeout")
                + h.count("mqtt.proxy.auth.requests", "result", "error");
        h.auth.set(r -> CompletableFuture.failedFuture(new AuthUnavailableException(
                AuthUnavailableException.Reason.BUSY, "the queue is full", null)));
        assertThat(connect("a-busy", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);
        h.auth.set(r -> CompletableFuture.failedFuture(new AuthUnavailableException(
                AuthUnavailableException.Reason.QUEUE_TIMEOUT, "no auth call slot", null)));
        assertThat(connect("a-queued", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);

        assertThat(h.count("mqtt.proxy.auth.requests", "result", "busy")).isEqualTo(1);
        assertThat(h.count("mqtt.proxy.auth.requests", "result", "queue_timeout")).isEqualTo(1);
        assertThat(h.count("mqtt.proxy.auth.requests", "result", "timeout")
                + h.count("mqtt.proxy.auth.requests", "result", "error")).isEqualTo(outagesBefore);
    }

    @Test
    void calloutThatThrows_connack05() {
        h.auth.set(r -> {
            throw new IllegalStateException("bug in a custom callout");
        });
        assertThat(connect("a-throws", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void cachedAllow_doesNotCallTheEndpointAgain() {
        assertThat(connect("a-cache", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        int calls = endpoint.calls();
        assertThat(connect("a-cache", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(endpoint.calls()).isEqualTo(calls);
        assertThat(connect("a-cache", "other")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(endpoint.calls()).isEqualTo(calls + 1);
    }

    @Test
    void emptyClientId_answersConnack02() throws Exception {
        try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            assertThat(c.write(MqttPackets.connect("")).readUntilClosed()).containsExactly(0x20, 0x02, 0x00, 0x02);
        }
    }

    @Test
    void notAuthorizedVerdict_fromCustomCallout_answersConnack05() {
        h.auth.set(r -> CompletableFuture.completedFuture(AuthDecision.notAuthorized("blocked device")));
        assertThat(connect("a-blocked", "pw")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }
}
