package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path, on real engines: a device (TLS, test CA) → proxy → core broker (inspection, file
 * log) → bridge → origin (a real Mosquitto with a WebSocket listener), and an alert back from the origin to
 * {@code clients/{client_id}/alerts} on the device. The launcher's {@code all} wiring runs from a config map.
 */
class EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private MosquittoProcess origin;
    private SentinelNode node;
    private Mqtt3BlockingClient originApp;
    private final List<Mqtt3Publish> atOrigin = new CopyOnWriteArrayList<>();
    private final List<Mqtt3Publish> eventsAtOrigin = new CopyOnWriteArrayList<>();
    private TrustManagerFactory trust;
    private int metricsPort;

    @BeforeEach
    void start() throws Exception {
        Path originDir = Files.createDirectories(dir.resolve("origin"));
        origin = MosquittoProcess.start(originDir);
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        TestCertificates.Issued server = ca.server("proxy");
        trust = TestClients.trusting(ca.caFile());
        Path credentials = dir.resolve("credentials");
        CredentialsFile.at(credentials).withIterations(1_000).add("dev-1", "secret-1");
        metricsPort = FreePorts.next();

        Map<String, String> settings = TestClients.stack(dir, server, credentials, metricsPort, origin.webSocketPort());
        settings.put("SENTINEL_EVENTS_TOPIC", "sentinel/security/events");
        settings.put("SENTINEL_BRIDGE_SUBSCRIPTIONS", "clients/+/telemetry,sentinel/security/events");
        node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(settings));

        originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildBlocking();
        originApp.connect();
        originApp.toAsync().subscribeWith().topicFilter("sentinel/clients/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(atOrigin::add).send().get(10, TimeUnit.SECONDS);
        originApp.toAsync().subscribeWith().topicFilter("sentinel/security/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(eventsAtOrigin::add).send().get(10, TimeUnit.SECONDS);
        assertThat(TestClients.await(WAIT, node::isReady)).as("node ready, not ready: %s", node.notReady()).isTrue();
    }

    @AfterEach
    void stop() {
        if (originApp != null && originApp.getState().isConnected()) {
            originApp.disconnect();
        }
        if (node != null) {
            node.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static String text(Mqtt3Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private boolean originSaw(String payload) {
        return atOrigin.stream().anyMatch(p -> text(p).equals(payload));
    }

    @Test
    void device_telemetryReachesTheOrigin_attackIsBlocked_alertComesBack() throws Exception {
        Mqtt3AsyncClient device = TestClients.device("dev-1", node.proxyTlsPort(), trust);
        device.connectWith().simpleAuth().username("dev-1").password("secret-1".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send().get(20, TimeUnit.SECONDS);
        try (Mqtt3BlockingClient.Mqtt3Publishes alerts = device.toBlocking().publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
            device.subscribeWith().topicFilter("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(10, TimeUnit.SECONDS);

            // device → proxy → broker → bridge → origin
            device.publishWith().topic("clients/dev-1/telemetry").payload("{\"temp\":21.5}".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
            assertThat(TestClients.await(WAIT, () -> originSaw("{\"temp\":21.5}"))).as("telemetry at the origin").isTrue();
            assertThat(atOrigin).filteredOn(p -> text(p).equals("{\"temp\":21.5}"))
                    .allSatisfy(p -> assertThat(p.getTopic().toString()).isEqualTo("sentinel/clients/dev-1/telemetry"));

            // an attack is blocked by the broker; a clean message sent after it on the same topic arrives,
            // so by per-topic ordering the attack would have arrived before it
            device.publishWith().topic("clients/dev-1/telemetry")
                    .payload("{\"cmd\":\"; cat /etc/passwd\"}".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
            device.publishWith().topic("clients/dev-1/telemetry").payload("{\"temp\":22.0}".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
            assertThat(TestClients.await(WAIT, () -> originSaw("{\"temp\":22.0}"))).as("clean marker at the origin").isTrue();
            assertThat(atOrigin).noneMatch(p -> text(p).contains("passwd"));

            // origin → bridge → broker → proxy → device, on clients/{client_id}/alerts
            originApp.publishWith().topic("sentinel/alerts/dev-1").payload("overheat".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt3Publish alert = alerts.receive(30, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("no alert"));
            assertThat(alert.getTopic().toString()).isEqualTo("clients/dev-1/alerts");
            assertThat(text(alert)).isEqualTo("overheat");
        } finally {
            device.disconnect().get(10, TimeUnit.SECONDS);
        }

        HttpResponse<String> metrics = TestClients.get(metricsPort, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("(?m)^inspector_messages_blocked_total\\{[^}]*category=\"command_injection\"[^}]*} [1-9]")
                .containsPattern("(?m)^bridge_messages_persisted_total(\\{[^}]*})? [2-9]")
                .containsPattern("(?m)^mqtt_proxy_connections_total(\\{[^}]*})? [1-9]")
                .contains("jvm_memory_used_bytes");
        assertThat(TestClients.get(metricsPort, "/readyz").statusCode()).isEqualTo(200);
        Path events = dir.resolve("data/events/broker-events.jsonl");
        assertThat(TestClients.await(WAIT, () -> Files.exists(events) && read(events).contains("command_injection")))
                .as("security event in %s", events).isTrue();
        // SENTINEL_EVENTS_TOPIC: the broker publishes the event on the core, the bridge carries it to the origin
        assertThat(TestClients.await(WAIT, () -> eventsAtOrigin.stream().anyMatch(p -> text(p).contains("command_injection"))))
                .as("security event at the origin").isTrue();
    }

    @Test
    void device_wrongPassword_isRefusedAtTheProxy() {
        Mqtt3AsyncClient device = TestClients.device("dev-1", node.proxyTlsPort(), trust);

        assertThatThrownBy(() -> device.connectWith().simpleAuth().username("dev-1")
                .password("wrong".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(Mqtt3ConnAckException.class)
                .satisfies(e -> assertThat(((Mqtt3ConnAckException) e).getMqttMessage().getReturnCode())
                        .isIn(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
        Path events = dir.resolve("data/events/proxy-events.jsonl");
        assertThat(TestClients.await(WAIT, () -> read(events).contains("\"bad_credentials\"")))
                .as("auth event in %s", events).isTrue();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
