package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantine end to end on the launcher's {@code all} wiring: a 12 KB payload (over the 10 KB size limit) sent by a
 * device over TLS through the proxy is quarantined by the broker, listed through the admin API and through
 * {@code sentinel quarantine list}, released with {@code sentinel quarantine release}, and then reaches the origin (a
 * real Mosquitto) through the bridge, once; a deleted entry is gone.
 */
class QuarantineEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN = "e2e-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private MosquittoProcess origin;
    private SentinelNode node;
    private Mqtt3BlockingClient originApp;
    private Mqtt3AsyncClient device;
    private final List<Mqtt3Publish> atOrigin = new CopyOnWriteArrayList<>();
    private int metricsPort;
    private String out;
    private String err;

    @BeforeEach
    void start() throws Exception {
        origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")));
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        TestCertificates.Issued server = ca.server("proxy");
        TrustManagerFactory trust = TestClients.trusting(ca.caFile());
        Path credentials = dir.resolve("credentials");
        CredentialsFile.at(credentials).withIterations(1_000).add("dev-1", "secret-1");
        metricsPort = FreePorts.next();

        Map<String, String> settings = TestClients.stack(dir, server, credentials, metricsPort, origin.webSocketPort());
        settings.put("SENTINEL_ADMIN_TOKEN", TOKEN);
        node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(settings));

        originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildBlocking();
        originApp.connect();
        originApp.toAsync().subscribeWith().topicFilter("sentinel/clients/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(atOrigin::add).send().get(10, TimeUnit.SECONDS);
        assertThat(TestClients.await(WAIT, node::isReady)).as("node ready, not ready: %s", node.notReady()).isTrue();
        device = TestClients.device("dev-1", node.proxyTlsPort(), trust);
        device.connectWith().simpleAuth().username("dev-1").password("secret-1".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send().get(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (device != null && device.getState().isConnected()) {
            device.disconnect().get(10, TimeUnit.SECONDS);
        }
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

    private void publish(String payload) throws Exception {
        device.publishWith().topic("clients/dev-1/telemetry").payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
    }

    private long atOriginCount(String payload) {
        return atOrigin.stream().filter(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).equals(payload)).count();
    }

    /** Sends a clean marker and waits for it at the origin: what was sent before it on the topic has arrived by then. */
    private void flush(String marker) throws Exception {
        publish(marker);
        assertThat(TestClients.await(WAIT, () -> atOriginCount(marker) == 1)).as(marker + " at the origin").isTrue();
    }

    private static String payload12k(char fill) {
        String head = "{\"blob\":\"";
        return head + String.valueOf(fill).repeat(12_288 - head.length() - 2) + "\"}";
    }

    private int sentinel(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = new SentinelLauncher(Map.of("SENTINEL_ADMIN_TOKEN", TOKEN,
                "SENTINEL_ADMIN_URL", "http://127.0.0.1:" + metricsPort))
                .withStreams(new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private HttpResponse<String> api(String method, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void payload12k_isQuarantined_listedByApiAndCli_released_thenReachesTheOriginOnce() throws Exception {
        String big = payload12k('a');
        assertThat(big).hasSize(12_288);

        publish(big);
        flush("{\"marker\":1}");
        assertThat(atOriginCount(big)).as("quarantined, not delivered").isZero();

        // listed through the API
        JsonNode list = json(api("GET", "/api/v1/quarantine?client=dev-1", TOKEN));
        assertThat(list.path("items")).singleElement().satisfies(m -> {
            assertThat(m.path("topic").asText()).isEqualTo("clients/dev-1/telemetry");
            assertThat(m.path("size").asInt()).isEqualTo(12_288);
            assertThat(m.path("reasons").get(0).path("category").asText()).isEqualTo("payload_size");
        });
        String id = list.path("items").get(0).path("id").asText();
        assertThat(json(api("GET", "/api/v1/quarantine/" + id, TOKEN)).path("payload").asText()).isEqualTo(big);

        // listed through the CLI
        assertThat(sentinel("quarantine", "list")).as(err).isZero();
        assertThat(out).contains(id, "dev-1", "clients/dev-1/telemetry", "12288", "quarantined", "payload_size");

        // released through the CLI: the bridge carries it to the origin, once
        assertThat(sentinel("quarantine", "release", id)).as(err).isZero();
        assertThat(out).contains("released " + id);
        assertThat(TestClients.await(WAIT, () -> atOriginCount(big) == 1)).as("released message at the origin").isTrue();
        assertThat(atOrigin).filteredOn(p -> p.getPayloadAsBytes().length == 12_288)
                .allSatisfy(p -> assertThat(p.getTopic().toString()).isEqualTo("sentinel/clients/dev-1/telemetry"));
        assertThat(sentinel("quarantine", "release", id)).isEqualTo(1);
        assertThat(err).contains("released already");
        flush("{\"marker\":2}");
        assertThat(atOriginCount(big)).as("released once").isEqualTo(1);
        assertThat(json(api("GET", "/api/v1/events?category=operator", TOKEN)).path("items").toString())
                .contains("quarantine-release", id);
    }

    @Test
    void deletedEntries_areGone_andTheApiNeedsItsToken() throws Exception {
        publish(payload12k('b'));
        flush("{\"marker\":3}");
        String id = json(api("GET", "/api/v1/quarantine", TOKEN)).path("items").get(0).path("id").asText();

        assertThat(sentinel("quarantine", "delete", id)).as(err).isZero();

        assertThat(json(api("GET", "/api/v1/quarantine", TOKEN)).path("items")).isEmpty();
        assertThat(api("GET", "/api/v1/quarantine/" + id, TOKEN).statusCode()).isEqualTo(404);
        assertThat(sentinel("quarantine", "show", id)).isEqualTo(1);
        assertThat(err).contains("no quarantined message " + id);
        assertThat(sentinel("quarantine", "release", id)).isEqualTo(1);

        assertThat(api("GET", "/api/v1/quarantine", null).statusCode()).isEqualTo(401);
        assertThat(api("GET", "/api/v1/quarantine", "wrong-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(TestClients.get(metricsPort, "/metrics").body())
                .containsPattern("(?m)^sentinel_admin_unauthorized_total\\{[^}]*reason=\"missing\"[^}]*} 1")
                .containsPattern("(?m)^sentinel_admin_unauthorized_total\\{[^}]*reason=\"invalid\"[^}]*} 1")
                .containsPattern("(?m)^sentinel_quarantine_deleted_total(\\{[^}]*})? 1");
        assertThat(sentinel("sessions", "list", "--connected")).as(err).isZero();
        assertThat(out).contains("dev-1");
    }
}
