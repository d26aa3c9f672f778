package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in origin needs no outside service: MQTT over WebSocket in front of an in-JVM broker. */
class DemoOriginTest {
    @TempDir
    Path dir;

    @Test
    void origin_carriesMqttOverWebSocketToItsBroker_bothWays() throws Exception {
        try (DemoOrigin origin = DemoOrigin.start(dir)) {
            URI ws = URI.create(origin.webSocketUrl());
            assertThat(ws.getScheme()).isEqualTo("ws");
            Mqtt3BlockingClient app = Mqtt3Client.builder().identifier("app").serverHost("127.0.0.1")
                    .serverPort(origin.mqttPort()).buildBlocking();
            Mqtt3BlockingClient bridge = Mqtt3Client.builder().identifier("bridge").serverHost(ws.getHost())
                    .serverPort(ws.getPort()).webSocketConfig().serverPath(ws.getPath().substring(1)).applyWebSocketConfig()
                    .buildBlocking();
            app.connect();
            bridge.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes toBridge = bridge.publishes(MqttGlobalPublishFilter.ALL);
                 Mqtt3BlockingClient.Mqtt3Publishes toApp = app.publishes(MqttGlobalPublishFilter.ALL)) {
                bridge.subscribeWith().topicFilter("down/#").qos(MqttQos.AT_LEAST_ONCE).send();
                app.subscribeWith().topicFilter("up/#").qos(MqttQos.AT_LEAST_ONCE).send();

                bridge.publishWith().topic("up/1").payload("hello".getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE).send();
                app.publishWith().topic("down/1").payload(new byte[100_000]).qos(MqttQos.AT_LEAST_ONCE).send();

                Optional<Mqtt3Publish> up = toApp.receive(10, TimeUnit.SECONDS);
                Optional<Mqtt3Publish> down = toBridge.receive(10, TimeUnit.SECONDS);
                assertThat(up).get().extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(down).get().extracting(p -> p.getPayloadAsBytes().length).isEqualTo(100_000);
            } finally {
                bridge.disconnect();
                app.disconnect();
            }
        }
    }
}
