package io.mqttsentinel.bridge;

import static io.mqttsentinel.bridge.MqttTestClients.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;

/** {@link WebSocketEgress} against a real Mosquitto origin with a WebSocket listener. */
class WebSocketEgressTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Backoff FAST = Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(300), 0.2);

    @TempDir
    Path dir;

    private final MqttTestClients clients = new MqttTestClients();
    private MosquittoProcess origin;

    @AfterEach
    void stop() {
        clients.close();
        if (origin != null) {
            origin.close();
        }
    }

    private MosquittoProcess startOrigin(TestCertificates.Issued tls) throws Exception {
        origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), tls);
        return origin;
    }

    private WebSocketEgress.Builder egress(String id) {
        return WebSocketEgress.builder(URI.create("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt"))
                .clientId(id).backoff(FAST);
    }

    private static EgressMessage message(String topic, String payload) {
        return new EgressMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private static Throwable failure(CompletableFuture<Void> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.getNow(null);
            throw new AssertionError("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void publish_beforeStart_isRejectedAsNotStarted() throws Exception {
        startOrigin(null);
        try (WebSocketEgress egress = egress("e-not-started").build()) {
            Throwable t = failure(egress.publish(message("a", "x")).toCompletableFuture());
            assertThat(t).isInstanceOf(EgressRejectedException.class);
            assertThat(((EgressRejectedException) t).reason()).isEqualTo(EgressRejectedException.Reason.NOT_STARTED);
        }
    }

    @Test
    void publish_completesOnPubackAndArrivesWithQos1() throws Exception {
        startOrigin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "out/#", false);
        try (WebSocketEgress egress = egress("e-puback").build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(egress.isConnected()).isTrue();
            // QoS 0 in, QoS 1 out: the bridge's guarantee covers every message
            egress.publish(new EgressMessage("out/a", new byte[] {1, 2, 3}, 0, false)).toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(got.getPayloadAsBytes()).containsExactly(1, 2, 3);
            assertThat(got.getQos().getCode()).isEqualTo(1);
            assertThat(egress.inFlight()).isZero();
        }
    }

    @Test
    void publish_topicTooLongForMqtt_isRefusedBeforeItTakesASlot() throws Exception {
        startOrigin(null);
        try (WebSocketEgress egress = egress("e-long").maxInFlight(1).build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // EgressMessage applies the MQTT topic rule (api.Topics): a topic over 65535 bytes never reaches the egress
            assertThatThrownBy(() -> message("t/" + "x".repeat(70_000), "p")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(70002 chars)");
            assertThat(egress.inFlight()).isZero();
            egress.publish(message("t/ok", "p")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void start_twice_isRejected() throws Exception {
        startOrigin(null);
        try (WebSocketEgress egress = egress("e-twice").build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThatThrownBy(() -> egress.start(m -> CompletableFuture.completedFuture(null)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }

    @Test
    void inFlightBound_failsFastBeyondItAndRecoversAfterReconnect() throws Exception {
        startOrigin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "out/#", true);
        try (WebSocketEgress egress = egress("e-bound").maxInFlight(2).build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            origin.stop();
            Await.until("egress sees the origin gone", WAIT, () -> !egress.isConnected());

            CompletableFuture<Void> first = egress.publish(message("out/1", "one")).toCompletableFuture();
            CompletableFuture<Void> second = egress.publish(message("out/2", "two")).toCompletableFuture();
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
            assertThat(egress.inFlight()).isEqualTo(2);
            Throwable third = failure(egress.publish(message("out/3", "three")).toCompletableFuture());
            assertThat(third).isInstanceOf(EgressRejectedException.class).hasMessageContaining("maxInFlight=2");
            assertThat(((EgressRejectedException) third).reason()).isEqualTo(EgressRejectedException.Reason.IN_FLIGHT_LIMIT);

            origin.restart();
            first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(egress.inFlight()).isZero();
            egress.publish(message("out/4", "four")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                Mqtt3Publish p = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(p).isNotNull();
                seen.add(MqttTestClients.text(p));
            }
            assertThat(seen).containsExactlyInAnyOrder("one", "two", "four");
        }
    }

    @Test
    void close_failsPendingPublishesAndRejectsNewOnes() throws Exception {
        startOrigin(null);
        WebSocketEgress egress = egress("e-close").build();
        CompletableFuture<Void> pending;
        try {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            origin.stop();
            Await.until("egress sees the origin gone", WAIT, () -> !egress.isConnected());
            pending = egress.publish(message("out/1", "never acknowledged")).toCompletableFuture();
            assertThat(pending).isNotDone();
        } finally {
            egress.close();
        }
        Throwable t = failure(pending);
        assertThat(((EgressRejectedException) t).reason()).isEqualTo(EgressRejectedException.Reason.CLOSED);
        Throwable after = failure(egress.publish(message("out/2", "late")).toCompletableFuture());
        assertThat(((EgressRejectedException) after).reason()).isEqualTo(EgressRejectedException.Reason.CLOSED);
        assertThat(egress.isConnected()).isFalse();
        assertThat(egress.inFlight()).isZero();
    }

    @Test
    void inbound_isAcknowledgedOnlyWhenTheListenerCompletes() throws Exception {
        startOrigin(null);
        var customer = clients.device("waf-backend", origin.plainPort());
        BlockingQueue<EgressMessage> firstSeen = new LinkedBlockingQueue<>();
        try (WebSocketEgress egress = egress("e-inbound").build()) {
            // a listener whose stage never completes: the alert must stay unacknowledged at the origin
            egress.start(m -> {
                firstSeen.add(m);
                return new CompletableFuture<>();
            }).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publish(customer, "sentinel/alerts/d1", "alert-1");
            EgressMessage m = firstSeen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.topic()).isEqualTo("sentinel/alerts/d1");
        }

        BlockingQueue<EgressMessage> secondSeen = new LinkedBlockingQueue<>();
        try (WebSocketEgress egress = egress("e-inbound").build()) {
            egress.start(m -> {
                secondSeen.add(m);
                return CompletableFuture.completedFuture(null);
            }).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            EgressMessage again = secondSeen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(again).as("the unacknowledged alert is delivered again").isNotNull();
            assertThat(new String(again.payload(), StandardCharsets.UTF_8)).isEqualTo("alert-1");
        }

        BlockingQueue<EgressMessage> thirdSeen = new LinkedBlockingQueue<>();
        try (WebSocketEgress egress = egress("e-inbound").build()) {
            egress.start(m -> {
                thirdSeen.add(m);
                return CompletableFuture.completedFuture(null);
            }).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publish(customer, "sentinel/alerts/d1", "marker");
            EgressMessage next = thirdSeen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(next).isNotNull();
            assertThat(new String(next.payload(), StandardCharsets.UTF_8))
                    .as("the acknowledged alert is not delivered again").isEqualTo("marker");
        }
    }

    @Test
    void wss_untrustedCertificate_neverConnectsAndReportsTheHandshakeFailure() throws Exception {
        TestCertificates serverCa = TestCertificates.create(Files.createDirectories(dir.resolve("server-pki")));
        TestCertificates otherCa = TestCertificates.create(Files.createDirectories(dir.resolve("other-pki")));
        startOrigin(serverCa.server("origin"));
        CompletableFuture<Throwable> firstFailure = new CompletableFuture<>();
        WebSocketEgress egress = WebSocketEgress.builder(URI.create("wss://localhost:" + origin.webSocketPort() + "/mqtt"))
                .clientId("e-untrusted").backoff(FAST).trustedCertificates(otherCa.caFile())
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void onDisconnected(Throwable cause, Duration retryIn) {
                        firstFailure.complete(cause);
                    }
                })
                .build();
        CompletableFuture<Void> started;
        try {
            started = egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture();
            Throwable cause = firstFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(rootCauses(cause)).anyMatch(c -> c instanceof SSLException);
            assertThat(started).isNotDone();
            assertThat(egress.isConnected()).isFalse();
        } finally {
            egress.close();
        }
        // closing cancels the pending reconnect, which fails the start stage
        assertThatThrownBy(() -> started.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void wss_trustedCertificate_connectsWithHostnameVerification() throws Exception {
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        startOrigin(ca.server("origin"));
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "out/#", false);
        try (WebSocketEgress egress = WebSocketEgress.builder(URI.create("wss://localhost:" + origin.webSocketPort() + "/mqtt"))
                .clientId("e-trusted").backoff(FAST).trustedCertificates(ca.caFile()).build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            egress.publish(message("out/tls", "secret")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(MqttTestClients.text(atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("secret");
        }
    }

    @Test
    void wss_certificateForAnotherName_isRefusedUnlessHostnameVerificationIsOff() throws Exception {
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        // trusted issuer, but the certificate names another host (CN only, no subjectAltName)
        startOrigin(ca.client("elsewhere", "origin.elsewhere.example"));
        URI uri = URI.create("wss://localhost:" + origin.webSocketPort() + "/mqtt");
        CompletableFuture<Throwable> firstFailure = new CompletableFuture<>();
        try (WebSocketEgress strict = WebSocketEgress.builder(uri).clientId("e-strict").backoff(FAST)
                .trustedCertificates(ca.caFile())
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void onDisconnected(Throwable cause, Duration retryIn) {
                        firstFailure.complete(cause);
                    }
                }).build()) {
            CompletableFuture<Void> started = strict.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture();
            assertThat(rootCauses(firstFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS))).anyMatch(c -> c instanceof SSLException);
            assertThat(started).isNotDone();
        }
        try (WebSocketEgress lenient = WebSocketEgress.builder(uri).clientId("e-lenient").backoff(FAST)
                .trustedCertificates(ca.caFile()).verifyHostname(false).build()) {
            lenient.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            lenient.publish(message("out/x", "y")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void wss_pkcs12TrustStore_connects() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        TestCertificates ca = TestCertificates.create(pki);
        startOrigin(ca.server("origin"));
        Path store = TrustStores.pkcs12(ca.caFile(), pki.resolve("trust.p12"), "changeit");
        try (WebSocketEgress egress = WebSocketEgress.builder(URI.create("wss://localhost:" + origin.webSocketPort() + "/mqtt"))
                .clientId("e-p12").backoff(FAST).trustedCertificates(store, "changeit").build()) {
            egress.start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            egress.publish(message("out/p12", "z")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void builder_rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> WebSocketEgress.builder(URI.create("http://h/"))).hasMessageContaining("ws or wss");
        WebSocketEgress.Builder b = WebSocketEgress.builder(URI.create("ws://h/"));
        assertThatThrownBy(() -> b.maxInFlight(0)).hasMessageContaining("maxInFlight").hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> b.clientId("")).hasMessageContaining("clientId must be");
        assertThatThrownBy(() -> b.inboundFilters(java.util.List.of("a/#/b"))).hasMessageContaining("a/#/b");
        assertThatThrownBy(() -> b.trustedCertificates(dir.resolve("missing.pem"))).hasMessageContaining("missing.pem");
    }

    private static java.util.List<Throwable> rootCauses(Throwable t) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
