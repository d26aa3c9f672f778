package io.mqttsentinel.bridge;

import static io.mqttsentinel.bridge.MqttTestClients.publish;
import static io.mqttsentinel.bridge.MqttTestClients.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * The bridge between two real Mosquitto processes: one stands in for the core broker (plain MQTT), the other
 * for the customer's origin (MQTT over WebSocket, or WSS with a test CA). Both are {@link MosquittoProcess}s:
 * the restart tests need the same ports again, and it starts again on new ports when another process on this
 * shared machine took one of the chosen ones.
 */
class BridgeIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private MosquittoProcess core;
    private MqttTestClients clients;
    private String name;

    @BeforeEach
    void startCore(TestInfo info) throws Exception {
        name = info.getTestMethod().orElseThrow().getName().replaceAll("[^A-Za-z0-9]", "").substring(0, 20);
        Path coreDir = Files.createDirectories(dir.resolve("core"));
        core = MosquittoProcess.start(coreDir, null);
        clients = new MqttTestClients();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        clients.close();
        core.close();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private MosquittoProcess origin(TestCertificates.Issued tls) throws Exception {
        return closeLater(MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), tls));
    }

    private MosquittoProcess restartableCore() throws Exception {
        return closeLater(MosquittoProcess.start(Files.createDirectories(dir.resolve("restartable-core")), null));
    }

    private BridgeConfig.Builder config(String originUrl) {
        return config(originUrl, core.plainPort());
    }

    private BridgeConfig.Builder config(String originUrl, int corePort) {
        return BridgeConfig.builder()
                .originUrl(originUrl)
                .core("127.0.0.1", corePort)
                .clientId("bridge-" + name)
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(300), 0.2));
    }

    private static double count(SimpleMeterRegistry r, String meter) {
        return r.get(meter).counter().count();
    }

    @Test
    void coreToOrigin_qos1Message_arrivesRewrittenAndIsMeasured() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build())
                .meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(bridge.isReady()).isTrue();

        Mqtt3BlockingClient device = clients.device("d1", core.plainPort());
        publish(device, "clients/d1/telemetry", "{\"t\":21.5}");

        Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("message at the origin").isNotNull();
        assertThat(got.getTopic().toString()).isEqualTo("sentinel/clients/d1/telemetry");
        assertThat(text(got)).isEqualTo("{\"t\":21.5}");
        assertThat(got.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        Await.until("persisted == 1", WAIT, () -> count(registry, "bridge_messages_persisted") == 1.0);
        assertThat(count(registry, "bridge_messages_ingested")).isEqualTo(1.0);
        assertThat(registry.get("bridge_latency_seconds").timer().count()).isEqualTo(1);
        assertThat(registry.get("bridge_connected").tag("side", "origin").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void coreToOrigin_messageOverTheOriginsPacketLimit_isNotSent_andTheBridgeKeepsFlowing() throws Exception {
        // an origin that refuses a packet this large closes the connection (Mosquitto does on its TCP listener):
        // sent, the message would come back with every reconnect and stall the bridge; it must not be sent
        MosquittoProcess origin = closeLater(MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), null,
                "max_packet_size 2000\n"));
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt")
                .originMaxPacket(2000).build()).meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Mqtt3BlockingClient device = clients.device("d-big", core.plainPort());
        publish(device, "clients/d-big/telemetry", "x".repeat(5000));
        publish(device, "clients/d-big/telemetry", "{\"after\":1}");

        Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("the message after the oversized one").isNotNull();
        assertThat(text(got)).isEqualTo("{\"after\":1}");
        assertThat(registry.get("bridge_messages_dropped").tag("reason", "too_large_for_origin").counter().count())
                .isEqualTo(1.0);
        Await.until("persisted == 1", WAIT, () -> count(registry, "bridge_messages_persisted") == 1.0);
        assertThat(bridge.isReady()).as("still connected to both sides").isTrue();
        assertThat(atOrigin.poll(300, TimeUnit.MILLISECONDS)).as("nothing else reaches the origin").isNull();
    }

    @Test
    void publishPacketBytes_countsHeaderTopicPacketIdAndPayload() {
        assertThat(Bridge.publishPacketBytes("a/b", 0)).isEqualTo(2 + 2 + 3 + 2);
        assertThat(Bridge.publishPacketBytes("a/b", 120)).isEqualTo(2 + 127); // remaining 127: one length byte
        assertThat(Bridge.publishPacketBytes("a/b", 121)).isEqualTo(3 + 128); // remaining 128: two length bytes
        assertThat(Bridge.publishPacketBytes("é", 0)).isEqualTo(2 + 2 + 2 + 2); // the topic counts in UTF-8 bytes
    }

    @Test
    void coreToOrigin_qos0Message_isCarriedWithQos1() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build())
                .meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        clients.device("d0", core.plainPort()).publishWith().topic("clients/d0/telemetry").qos(MqttQos.AT_MOST_ONCE)
                .payload("fire-and-forget".getBytes(java.nio.charset.StandardCharsets.UTF_8)).send();

        Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(text(got)).isEqualTo("fire-and-forget");
        assertThat(got.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        Await.until("persisted == 1", WAIT, () -> count(registry, "bridge_messages_persisted") == 1.0);
    }

    @Test
    void coreToOrigin_topicsOutsideTheSubscriptions_areNotBridged() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "#", false);
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build()).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Mqtt3BlockingClient device = clients.device("d2", core.plainPort());
        publish(device, "clients/d2/secrets", "not-for-origin");
        publish(device, "clients/d2/events", "boot");

        Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.getTopic().toString()).isEqualTo("sentinel/clients/d2/events");
        assertThat(text(got)).isEqualTo("boot");
    }

    @Test
    void originToCore_alert_arrivesOnClientAlertsAndUnmatchedIsDropped() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atCore = clients.subscriber("device-side", core.plainPort(), "clients/+/alerts", false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build())
                .meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Mqtt3BlockingClient customer = clients.device("waf-backend", origin.plainPort());
        publish(customer, "sentinel/alerts/d7", "firmware outdated");
        Mqtt3Publish alert = atCore.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(alert).as("alert on the core").isNotNull();
        assertThat(alert.getTopic().toString()).isEqualTo("clients/d7/alerts");
        assertThat(text(alert)).isEqualTo("firmware outdated");
        Await.until("alerts forwarded == 1", WAIT, () -> count(registry, "bridge_alerts_forwarded") == 1.0);

        publish(customer, "sentinel/alerts/d7/unexpected", "no rule for this");
        Await.until("inbound drop counted", WAIT,
                () -> registry.get("bridge_messages_dropped").tag("direction", "inbound").counter().count() == 1.0);
        publish(customer, "sentinel/alerts/d8", "second");
        Mqtt3Publish next = atCore.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(next).isNotNull();
        assertThat(next.getTopic().toString()).as("the unmatched alert never reached the core").isEqualTo("clients/d8/alerts");
    }

    @Test
    void wss_withTestCa_carriesMessagesBothWays() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        TestCertificates ca = TestCertificates.create(pki);
        MosquittoProcess origin = origin(ca.server("origin"));
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", false);
        BlockingQueue<Mqtt3Publish> atCore = clients.subscriber("device-side", core.plainPort(), "clients/+/alerts", false);
        Bridge bridge = closeLater(Bridge.builder(config("wss://localhost:" + origin.webSocketPort() + "/mqtt")
                .originCa(ca.caFile()).build()).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        publish(clients.device("d3", core.plainPort()), "clients/d3/telemetry", "over-tls");
        Mqtt3Publish got = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(text(got)).isEqualTo("over-tls");

        publish(clients.device("waf-backend", origin.plainPort()), "sentinel/alerts/d3", "tls-alert");
        Mqtt3Publish alert = atCore.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(alert).isNotNull();
        assertThat(alert.getTopic().toString()).isEqualTo("clients/d3/alerts");
    }

    @Test
    void originRestart_bridgeReconnectsAndDeliversEverythingPublishedMeanwhile() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify-persistent", origin.plainPort(), "sentinel/#", true);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build())
                .meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Mqtt3BlockingClient device = clients.device("d4", core.plainPort());
        publish(device, "clients/d4/telemetry", "before");
        assertThat(text(atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("before");

        origin.stop();
        Await.until("bridge sees the origin gone", WAIT, () -> !bridge.egress().isConnected());
        assertThat(bridge.isReady()).isFalse();
        int n = 30; // more than Mosquitto's 20 in flight per client: some wait in the core's queue
        for (int i = 0; i < n; i++) {
            publish(device, "clients/d4/telemetry", "during-" + i);
        }
        origin.restart();

        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
            Mqtt3Publish p = atOrigin.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (p != null) {
                seen.add(text(p));
            }
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < n; i++) {
            expected.add("during-" + i);
        }
        assertThat(seen).as("every message published while the origin was down").containsAll(expected);
        Await.until("bridge ready again", WAIT, bridge::isReady);
        Await.until("all persisted", WAIT, () -> count(registry, "bridge_messages_persisted") >= n + 1);
    }

    @Test
    void bridgeRestartWhileOriginDown_coreRedeliversWhatTheOriginNeverAcknowledged() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify-persistent", origin.plainPort(), "sentinel/#", true);
        BridgeConfig config = config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build();
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        Bridge bridge = Bridge.builder(config).meterRegistry(first).build();
        try {
            bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            origin.stop();
            Await.until("bridge sees the origin gone", WAIT, () -> !bridge.egress().isConnected());
            Mqtt3BlockingClient device = clients.device("d5", core.plainPort());
            for (int i = 0; i < 5; i++) {
                publish(device, "clients/d5/events", "pending-" + i);
            }
            Await.until("the bridge holds all five", WAIT, () -> count(first, "bridge_messages_ingested") == 5.0);
            assertThat(count(first, "bridge_messages_persisted")).isZero();
        } finally {
            bridge.close(); // a bridge going away with five messages unacknowledged by the origin
        }
        origin.restart();

        SimpleMeterRegistry second = new SimpleMeterRegistry();
        Bridge again = closeLater(Bridge.builder(config).meterRegistry(second).build());
        again.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < 5 && System.nanoTime() < deadline) {
            Mqtt3Publish p = atOrigin.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (p != null) {
                seen.add(text(p));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("pending-0", "pending-1", "pending-2", "pending-3", "pending-4");
        Await.until("second bridge persisted the redelivered five", WAIT,
                () -> count(second, "bridge_messages_persisted") == 5.0);
    }

    @Test
    void coreRestart_bridgeReconnectsAndAlertsFromTheOutageArrive() throws Exception {
        MosquittoProcess restartable = restartableCore();
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atCore = clients.subscriber("device-side", restartable.plainPort(), "clients/+/alerts", true);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/clients/#", false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt",
                restartable.plainPort()).build()).meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        restartable.stop();
        Await.until("bridge sees the core gone", WAIT, () -> !bridge.isCoreConnected());
        publish(clients.device("waf-backend", origin.plainPort()), "sentinel/alerts/d9", "during-core-outage");
        restartable.restart();

        Mqtt3Publish alert = atCore.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(alert).as("alert sent while the core was down").isNotNull();
        assertThat(alert.getTopic().toString()).isEqualTo("clients/d9/alerts");
        assertThat(text(alert)).isEqualTo("during-core-outage");
        Await.until("bridge ready again", WAIT, bridge::isReady);

        publish(clients.device("d9", restartable.plainPort()), "clients/d9/telemetry", "after-core-restart");
        Mqtt3Publish out = atOrigin.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(out).as("the core subscription survived the restart").isNotNull();
        assertThat(text(out)).isEqualTo("after-core-restart");
    }

    @Test
    void inFlightBoundReached_bridgeRetriesWithBackoffAndLosesNothing() throws Exception {
        MosquittoProcess origin = origin(null);
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify-persistent", origin.plainPort(), "sentinel/#", true);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Bridge bridge = closeLater(Bridge.builder(config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt")
                .maxInFlight(1).build()).meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // the origin stops answering for a while: the one slot stays taken, every other message is refused
        // by the egress and has to be retried by the bridge
        origin.stop();
        Await.until("bridge sees the origin gone", WAIT, () -> !bridge.egress().isConnected());
        Mqtt3BlockingClient device = clients.device("d6", core.plainPort());
        int n = 10;
        for (int i = 0; i < n; i++) {
            publish(device, "clients/d6/telemetry", "m-" + i);
        }
        Await.until("retries counted", WAIT,
                () -> registry.get("bridge_retries").tag("direction", "outbound").counter().count() >= n - 1);
        origin.restart();

        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
            Mqtt3Publish p = atOrigin.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (p != null) {
                seen.add(text(p));
            }
        }
        assertThat(seen).hasSize(n);
        Await.until("all persisted", WAIT, () -> count(registry, "bridge_messages_persisted") == n);
    }

    @Test
    void latency_isTakenOnTheRegistryClockFromReceiptToTheOriginsAck() throws Exception {
        MosquittoProcess origin = origin(null);
        MockClock clock = new MockClock();
        SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        BridgeConfig config = config("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt").build();
        WebSocketEgress real = WebSocketEgress.builder(config).build();
        // the origin "takes" 42 ms on the injected clock: the time passes between the publish and its PUBACK
        Egress slowOrigin = new Egress() {
            @Override
            public CompletionStage<Void> start(InboundListener inbound) {
                return real.start(inbound);
            }

            @Override
            public CompletionStage<Void> publish(EgressMessage message) {
                return real.publish(message).thenRun(() -> clock.add(Duration.ofMillis(42)));
            }

            @Override
            public boolean isConnected() {
                return real.isConnected();
            }

            @Override
            public void close() {
                real.close();
            }
        };
        Bridge bridge = closeLater(Bridge.builder(config).egress(slowOrigin).meterRegistry(registry).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        publish(clients.device("d10", core.plainPort()), "clients/d10/telemetry", "timed");

        Await.until("one latency sample", WAIT, () -> registry.get("bridge_latency_seconds").timer().count() == 1);
        assertThat(registry.get("bridge_latency_seconds").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(42.0);
    }
}
