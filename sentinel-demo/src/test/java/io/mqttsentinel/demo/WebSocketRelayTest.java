package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.mqttsentinel.testkit.MosquittoProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebSocketRelayTest {
    @TempDir
    Path dir;

    @Test
    void relay_carriesMqttOverWebSocketToAPlainBroker_bothWays() throws Exception {
        try (MosquittoProcess mosquitto = MosquittoProcess.start(dir);
             WebSocketRelay relay = WebSocketRelay.start("/mqtt", new InetSocketAddress("127.0.0.1", mosquitto.plainPort()))) {
            Mqtt3BlockingClient plain = Mqtt3Client.builder().identifier("plain").serverHost("127.0.0.1")
                    .serverPort(mosquitto.plainPort()).buildBlocking();
            Mqtt3BlockingClient ws = Mqtt3Client.builder().identifier("ws").serverHost("127.0.0.1")
                    .serverPort(relay.port()).webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
            plain.connect();
            ws.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes toWs = ws.publishes(MqttGlobalPublishFilter.ALL);
                 Mqtt3BlockingClient.Mqtt3Publishes toPlain = plain.publishes(MqttGlobalPublishFilter.ALL)) {
                ws.subscribeWith().topicFilter("down/#").qos(MqttQos.AT_LEAST_ONCE).send();
                plain.subscribeWith().topicFilter("up/#").qos(MqttQos.AT_LEAST_ONCE).send();

                ws.publishWith().topic("up/1").payload("hello".getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE).send();
                plain.publishWith().topic("down/1").payload(new byte[100_000]).qos(MqttQos.AT_LEAST_ONCE).send();

                Optional<Mqtt3Publish> up = toPlain.receive(10, TimeUnit.SECONDS);
                Optional<Mqtt3Publish> down = toWs.receive(10, TimeUnit.SECONDS);
                assertThat(up).get().extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(down).get().extracting(p -> p.getPayloadAsBytes().length).isEqualTo(100_000);
            } finally {
                ws.disconnect();
                plain.disconnect();
            }
        }
    }
}
