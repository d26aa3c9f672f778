package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * The core trusts only what presents a certificate of its CA (its proxies and bridges): a plain client, a
 * TLS client without a certificate and one with a certificate of another CA are all refused.
 */
class TrustedCoreTest {
    @TempDir
    Path dir;
    SegmentedFileLog log;
    SentinelBroker broker;
    TestCertificates ca;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private void start() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("core-ca"));
        ca = TestCertificates.create(certs);
        TestCertificates.Issued server = ca.server("broker");
        log = SegmentedFileLog.builder(dir.resolve("log")).fsyncPolicy(FsyncPolicy.OS).open();
        broker = SentinelBroker.builder().port(0).messageLog(log).tls(server.certFile(), server.keyFile(), ca.caFile())
                .build().start();
    }

    private Mqtt3BlockingClient client(String id, TestCertificates.Issued cert, Path trust) {
        MqttClientSslConfigBuilder.Nested<? extends com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder> ssl =
                MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(broker.port())
                        .sslConfig().trustManagerFactory(TestCertificates.trustManagerFactory(trust))
                        .handshakeTimeout(5, TimeUnit.SECONDS);
        if (cert != null) {
            ssl = ssl.keyManagerFactory(TestCertificates.keyManagerFactory(cert));
        }
        return ssl.applySslConfig().buildBlocking();
    }

    @Test
    void proxyWithACertificateOfTheCoreCa_connectsAndDelivers() throws Exception {
        start();
        Mqtt3BlockingClient proxy = client("dev-1", ca.client("proxy", "sentinel-proxy"), ca.caFile());
        var inbox = proxy.publishes(MqttGlobalPublishFilter.ALL);
        proxy.connectWith().cleanSession(true).send();
        proxy.subscribeWith().topicFilter("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        proxy.publishWith().topic("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE)
                .payload("ok".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(new String(inbox.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8))
                .isEqualTo("ok");
        proxy.disconnect();
    }

    @Test
    void clientsWithoutTheCoresTrust_areRefused() throws Exception {
        start();
        Mqtt3BlockingClient plain = MqttClient.builder().useMqttVersion3().identifier("plain").serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        assertThatThrownBy(() -> plain.connectWith().send()).as("plain MQTT on the TLS port").isInstanceOf(RuntimeException.class);

        Mqtt3BlockingClient noCert = client("no-cert", null, ca.caFile());
        assertThatThrownBy(() -> noCert.connectWith().send()).as("TLS without a client certificate")
                .isInstanceOf(RuntimeException.class);

        TestCertificates other = TestCertificates.create(Files.createDirectories(dir.resolve("other-ca")));
        Mqtt3BlockingClient foreign = client("foreign", other.client("intruder", "sentinel-proxy"), ca.caFile());
        assertThatThrownBy(() -> foreign.connectWith().send()).as("a certificate of another CA")
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void withoutTls_theListenerIsPlain_andSaysSo() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        log = SegmentedFileLog.builder(dir.resolve("log")).fsyncPolicy(FsyncPolicy.OS).open();
        broker = SentinelBroker.builder().port(0).messageLog(log).meterRegistry(meters).build().start();
        assertThat(meters.find("mqtt_broker_insecure_listener").gauge().value()).isEqualTo(1.0);
    }
}
