package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * The proxy → core hop over mutual TLS against a real core that accepts only certificates of its CA, and the
 * identity the proxy asserts to the core: the client id and user name that authentication saw, nothing a
 * device can choose afterwards.
 */
class TrustedUpstreamTest {
    @TempDir
    Path dir;
    SegmentedFileLog log;
    SentinelBroker broker;
    SentinelProxy proxy;
    TestCertificates coreCa;
    TestCertificates edgeCa;
    TestCertificates.Issued edgeServer;
    final List<MessageContext> seenByCore = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private void startCore() throws Exception {
        coreCa = TestCertificates.create(Files.createDirectories(dir.resolve("core-ca")));
        TestCertificates.Issued server = coreCa.server("broker");
        log = SegmentedFileLog.builder(dir.resolve("log")).fsyncPolicy(FsyncPolicy.OS).open();
        broker = SentinelBroker.builder().port(0).bindAddress("127.0.0.1").messageLog(log)
                .tls(server.certFile(), server.keyFile(), coreCa.caFile())
                .inspector((context, payload) -> {
                    seenByCore.add(context);
                    return Verdict.allow();
                })
                .build().start();
        edgeCa = TestCertificates.create(Files.createDirectories(dir.resolve("edge-ca")));
        edgeServer = edgeCa.server("edge");
    }

    /** alice's password admits only client id dev-a; bob's only dev-b. */
    private SentinelProxy.Builder proxyBuilder(SimpleMeterRegistry registry) {
        return proxyBuilder(registry, config -> { });
    }

    private SentinelProxy.Builder proxyBuilder(SimpleMeterRegistry registry,
                                               java.util.function.Consumer<ProxyConfig.Builder> configure) {
        Map<String, String> idOf = Map.of("alice", "dev-a", "bob", "dev-b");
        ProxyConfig.Builder config = ProxyConfig.builder().tlsPort(0).bindAddress("127.0.0.1").workerThreads(2)
                .upstream("127.0.0.1", broker.port())
                .tls(edgeServer.certFile(), edgeServer.keyFile());
        configure.accept(config);
        return SentinelProxy.builder(config.build())
                .meterRegistry(registry)
                .rateLimiter((k, s, c) -> io.mqttsentinel.api.RateLimitDecision.allowed())
                .authCallout(r -> {
                    String user = r.username().orElse("");
                    boolean ok = r.clientId().equals(idOf.get(user))
                            && ("pw-" + user).equals(new String(r.password().orElse(new byte[0]), StandardCharsets.UTF_8));
                    return CompletableFuture.completedFuture(ok ? AuthDecision.allow("test") : AuthDecision.badCredentials("no"));
                });
    }

    private Mqtt3BlockingClient device(String clientId, String user) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(proxy.tlsPort())
                .sslConfig().trustManagerFactory(TestCertificates.trustManagerFactory(edgeCa.caFile()))
                .handshakeTimeout(5, TimeUnit.SECONDS).applySslConfig()
                .simpleAuth().username(user).password(("pw-" + user).getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        return c;
    }

    @Test
    void proxyWithTheCoresClientCertificate_relaysBothWays() throws Exception {
        startCore();
        TestCertificates.Issued proxyCert = coreCa.client("proxy", "sentinel-proxy");
        proxy = proxyBuilder(new SimpleMeterRegistry(),
                config -> config.upstreamTls(proxyCert.certFile(), proxyCert.keyFile(), coreCa.caFile())).build().start();

        Mqtt3BlockingClient a = device("dev-a", "alice");
        var inbox = a.publishes(MqttGlobalPublishFilter.ALL);
        a.connectWith().cleanSession(true).send();
        a.subscribeWith().topicFilter("clients/dev-a/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        a.publishWith().topic("clients/dev-a/alerts").qos(MqttQos.AT_LEAST_ONCE)
                .payload("hello".getBytes(StandardCharsets.UTF_8)).send();

        var got = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        a.disconnect();
    }

    @Test
    void proxyWithoutTheCertificate_cannotReachTheCore_andDevicesAreRefused() throws Exception {
        startCore();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        proxy = proxyBuilder(registry).build().start();

        Mqtt3BlockingClient a = device("dev-a", "alice");
        assertThatThrownBy(() -> a.connectWith().send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage().getReturnCode())
                        .isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE));
        assertThat(seenByCore).isEmpty();
    }

    @Test
    void proxyWithACertificateOfAnotherCa_isRefusedByTheCore() throws Exception {
        startCore();
        TestCertificates other = TestCertificates.create(Files.createDirectories(dir.resolve("other-ca")));
        TestCertificates.Issued forged = other.client("forged", "sentinel-proxy");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        proxy = proxyBuilder(registry,
                config -> config.upstreamTls(forged.certFile(), forged.keyFile(), coreCa.caFile())).build().start();

        Mqtt3BlockingClient a = device("dev-a", "alice");
        assertThatThrownBy(() -> a.connectWith().send()).isInstanceOf(Mqtt3ConnAckException.class);
        assertThat(seenByCore).isEmpty();
    }

    @Test
    void aDeviceAuthenticatedAsA_cannotActAsB() throws Exception {
        startCore();
        TestCertificates.Issued proxyCert = coreCa.client("proxy", "sentinel-proxy");
        proxy = proxyBuilder(new SimpleMeterRegistry(),
                config -> config.upstreamTls(proxyCert.certFile(), proxyCert.keyFile(), coreCa.caFile())).build().start();

        // alice's credentials with bob's client id: authentication sees the id the core would see, and refuses
        Mqtt3BlockingClient asB = device("dev-b", "alice");
        assertThatThrownBy(() -> asB.connectWith().send()).isInstanceOf(Mqtt3ConnAckException.class);

        // as herself, alice reaches the core as dev-a, and only on dev-a's topics
        Mqtt3BlockingClient a = device("dev-a", "alice");
        a.connectWith().cleanSession(true).send();
        assertThatThrownBy(() -> a.subscribeWith().topicFilter("clients/dev-b/alerts").qos(MqttQos.AT_LEAST_ONCE).send())
                .as("SUBACK 0x80 for another device's alerts").isInstanceOf(
                        com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException.class);
        a.publishWith().topic("clients/dev-b/alerts").qos(MqttQos.AT_MOST_ONCE)
                .payload("forged".getBytes(StandardCharsets.UTF_8)).send();
        a.publishWith().topic("clients/dev-a/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"t\":1}".getBytes(StandardCharsets.UTF_8)).send();

        Await.until("the core saw dev-a's telemetry", () -> seenByCore.stream()
                .anyMatch(c -> c.topic().equals("clients/dev-a/telemetry")));
        assertThat(seenByCore).allSatisfy(c -> {
            assertThat(c.clientId()).as("the client id the core sees").isEqualTo("dev-a");
            assertThat(c.topic()).startsWith("clients/dev-a/");
        });
        a.disconnect();
    }
}
