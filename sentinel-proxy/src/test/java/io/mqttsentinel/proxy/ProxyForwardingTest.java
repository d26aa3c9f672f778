package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;

import io.mqttsentinel.testkit.Await;

class ProxyForwardingTest {
    @TempDir
    Path dir;
    ProxyHarness h;

    @BeforeEach
    void start() {
        h = new ProxyHarness(dir, b -> { });
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void allowedDevice_receivesAlertsAndPublishesThroughTheBroker() throws Exception {
        Mqtt3BlockingClient device = h.device("dev-1").buildBlocking();
        device.connect();
        assertThat(device.subscribeWith().topicFilter("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE).send()
                .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        Mqtt3BlockingClient backend = h.direct("backend");
        try (Mqtt3BlockingClient.Mqtt3Publishes fromBroker = backend.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt3BlockingClient.Mqtt3Publishes toDevice = device.publishes(MqttGlobalPublishFilter.ALL)) {
            backend.subscribeWith().topicFilter("clients/+/telemetry").qos(MqttQos.AT_LEAST_ONCE).send();

            backend.publishWith().topic("clients/dev-1/alerts").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("alert".getBytes(StandardCharsets.UTF_8)).send();
            Optional<Mqtt3Publish> alert = toDevice.receive(10, TimeUnit.SECONDS);
            assertThat(alert).isPresent();
            assertThat(new String(alert.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("alert");

            device.publishWith().topic("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("t=21".getBytes(StandardCharsets.UTF_8)).send();
            Optional<Mqtt3Publish> telemetry = fromBroker.receive(10, TimeUnit.SECONDS);
            assertThat(telemetry).isPresent();
            assertThat(telemetry.get().getTopic().toString()).isEqualTo("clients/dev-1/telemetry");
        } finally {
            backend.disconnect();
        }
        assertThat(h.count("mqtt.proxy.connections")).isEqualTo(1);
        assertThat(h.count("mqtt.proxy.auth.requests", "result", "allow")).isEqualTo(1);
        device.disconnect();
        Await.until("the device's connection to close", () -> h.proxy.activeConnections() == 0);
    }
}
