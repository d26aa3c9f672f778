package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TcpRelay;
import io.mqttsentinel.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multiplexed proxy → core hop under a fault: devices publish QoS 1 through the proxy, whose links to the core
 * run through a TCP relay; the relay cuts every link mid-stream. The devices are disconnected, reconnect and go on,
 * and every message the proxy acknowledged reaches the origin. The relay also shows that the devices share a few
 * links rather than one connection each.
 */
class CoreLinkCutTest {
    private static final int DEVICES = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private MosquittoProcess origin;
    private SentinelNode node;
    private TcpRelay relay;
    private Mqtt3BlockingClient originApp;
    private final List<Mqtt3AsyncClient> devices = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Mqtt3AsyncClient d : devices) {
            d.disconnect();
        }
        if (originApp != null && originApp.getState().isConnected()) {
            originApp.disconnect();
        }
        if (node != null) {
            node.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void cuttingEveryLinkMidStream_losesNoAcknowledgedMessage() throws Exception {
        origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")));
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        TrustManagerFactory trust = TestClients.trusting(ca.caFile());
        Path credentials = dir.resolve("credentials");
        CredentialsFile file = CredentialsFile.at(credentials).withIterations(1_000);
        for (int i = 0; i < DEVICES; i++) {
            file.add("link-" + i, "secret-" + i);
        }
        int brokerPort = FreePorts.next();
        relay = new TcpRelay(brokerPort);
        Map<String, String> settings = TestClients.stack(dir, ca.server("proxy"), credentials, FreePorts.next(),
                origin.webSocketPort());
        settings.put("SENTINEL_BROKER_PORT", Integer.toString(brokerPort));
        settings.put("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + relay.port());
        settings.put("SENTINEL_PROXY_UPSTREAM_RETRY", "1s");
        settings.put("SENTINEL_PROXY_WORKER_THREADS", "2");
        // every device is 127.0.0.1 here: the per-address defences would rightly take 20 reconnecting devices from
        // one address for a flood
        settings.put("SENTINEL_RL_CONNECT_RATE", "10000");
        settings.put("SENTINEL_RL_CONNECT_BURST", "10000");
        settings.put("SENTINEL_PROXY_HANDSHAKES_PER_IP", "10000");
        settings.put("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "10000");
        settings.put("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "10000");
        settings.put("SENTINEL_RL_IP_RATE", "100000");
        settings.put("SENTINEL_RL_IP_BURST", "100000");
        node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(settings));
        assertThat(TestClients.await(WAIT, node::isReady)).as("node ready: %s", node.notReady()).isTrue();

        Set<String> atOrigin = ConcurrentHashMap.newKeySet();
        originApp = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildBlocking();
        originApp.connect();
        originApp.toAsync().subscribeWith().topicFilter("sentinel/clients/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> atOrigin.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().get(10, TimeUnit.SECONDS);

        for (int i = 0; i < DEVICES; i++) {
            Mqtt3AsyncClient d = Mqtt3Client.builder().identifier("link-" + i).serverHost("127.0.0.1")
                    .serverPort(node.proxyTlsPort()).sslConfig().trustManagerFactory(trust).applySslConfig()
                    .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
                    .applyAutomaticReconnect()
                    // credentials on the client, not on the first CONNECT: its reconnects send them too
                    .simpleAuth().username("link-" + i).password(("secret-" + i).getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth()
                    .buildAsync();
            d.connectWith().cleanSession(false).send().get(20, TimeUnit.SECONDS);
            devices.add(d);
        }
        assertThat(relay.accepted()).as("devices share the proxy's links (one per I/O thread)")
                .isBetween(1, 2);

        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        int rounds = 60; // 5 messages a second per device, within every per-device tier and anomaly
        for (int seq = 0; seq < rounds; seq++) {
            if (seq == rounds / 2) {
                assertThat(relay.reset()).as("links cut").isPositive();
            }
            for (int i = 0; i < DEVICES; i++) {
                String payload = "{\"device\":" + i + ",\"seq\":" + seq + "}";
                devices.get(i).publishWith().topic("clients/link-" + i + "/telemetry")
                        .payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send()
                        .whenComplete((ack, error) -> {
                            if (error == null) {
                                acked.add(payload);
                            } else {
                                failed.incrementAndGet();
                            }
                        });
            }
            Thread.sleep(200); // a steady stream, not one burst: the cut lands mid-stream
        }
        assertThat(TestClients.await(WAIT, () -> atOrigin.containsAll(acked) && acked.size() + failed.get() == rounds * DEVICES))
                .as("every acknowledged message at the origin: %d acked, %d failed, %d at the origin, missing e.g. %s",
                        acked.size(), failed.get(), atOrigin.size(),
                        acked.stream().filter(p -> !atOrigin.contains(p)).limit(5).toList())
                .isTrue();
        assertThat(acked.size()).as("most messages got through the cut").isGreaterThan(rounds * DEVICES / 2);
        assertThat(relay.accepted()).as("the proxy opened new links after the cut").isGreaterThan(1);
    }
}
