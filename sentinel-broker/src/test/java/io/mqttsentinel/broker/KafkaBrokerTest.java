package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import io.mqttsentinel.store.kafka.KafkaMessageLog;
import io.mqttsentinel.store.kafka.KafkaTestCluster;
import io.mqttsentinel.store.kafka.SharedKafka;

/**
 * The core broker on the Kafka log (three brokers, twelve partitions): the same delivery semantics as on the
 * file log across restarts. State records all live in one partition and messages in others, which is what a
 * recovery that routed records in the order it read them across partitions got wrong.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafka.class)
class KafkaBrokerTest {
    private static KafkaTestCluster kafka;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String topic;
    private KafkaMessageLog log;
    private SentinelBroker broker;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = SharedKafka.get();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        stopBroker();
    }

    private void startBroker() {
        if (topic == null) {
            topic = "broker-" + System.nanoTime();
        }
        log = KafkaMessageLog.builder(kafka.bootstrapServers()).topic(topic).partitions(12)
                .requestTimeout(Duration.ofSeconds(30)).build();
        broker = SentinelBroker.builder().port(0).messageLog(log).build().start();
    }

    /** SIGTERM: the broker closes (last checkpoint), then its log. */
    private void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (log != null) {
            log.close();
            log = null;
        }
    }

    private Mqtt3BlockingClient client(String id) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    @Test
    void offlineSession_thirtyMessages_restartTwice_receivesAllThirtyInOrder() throws Exception {
        startBroker();
        Mqtt3BlockingClient device = client("dev-k");
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("clients/dev-k/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        Mqtt3BlockingClient origin = client("origin");
        origin.connectWith().cleanSession(true).send();
        for (int i = 0; i < 30; i++) {
            origin.publishWith().topic("clients/dev-k/alerts").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            // other devices' traffic spreads over the other partitions
            origin.publishWith().topic("clients/other-" + i + "/alerts").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[16]).send();
        }
        origin.disconnect();
        stopBroker();
        startBroker();
        stopBroker();
        startBroker();

        Mqtt3BlockingClient back = client("dev-k");
        var inbox = back.publishes(MqttGlobalPublishFilter.ALL);
        assertThat(back.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
        for (int i = 0; i < 30; i++) {
            Optional<Mqtt3Publish> p = inbox.receive(30, TimeUnit.SECONDS);
            assertThat(p).as("message " + i).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        }
    }

    @Test
    void retainedAndSubscriptions_surviveRestart_acknowledgedMessagesAreNotSentAgain() throws Exception {
        startBroker();
        Mqtt3BlockingClient device = client("dev-r");
        var inbox = device.publishes(MqttGlobalPublishFilter.ALL);
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("fleet/+/config").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt3BlockingClient origin = client("origin");
        origin.connectWith().cleanSession(true).send();
        origin.publishWith().topic("fleet/a/config").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("v1".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(inbox.receive(30, TimeUnit.SECONDS)).isPresent(); // acknowledged by the client
        device.disconnect();
        origin.disconnect();
        stopBroker(); // the last checkpoint on close records the acknowledgement, which came before the DISCONNECT
        startBroker();

        Mqtt3BlockingClient back = client("dev-r");
        var again = back.publishes(MqttGlobalPublishFilter.ALL);
        assertThat(back.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
        assertThat(again.receive(2, TimeUnit.SECONDS)).as("an acknowledged message is not sent again").isEmpty();
        Mqtt3BlockingClient origin2 = client("origin2");
        origin2.connectWith().cleanSession(true).send();
        origin2.publishWith().topic("fleet/b/config").qos(MqttQos.AT_LEAST_ONCE).payload("live".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(new String(again.receive(30, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8))
                .as("the subscription survived the restart").isEqualTo("live");

        Mqtt3BlockingClient fresh = client("fresh");
        var retained = fresh.publishes(MqttGlobalPublishFilter.ALL);
        fresh.connectWith().cleanSession(true).send();
        fresh.subscribeWith().topicFilter("fleet/a/config").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt3Publish r = retained.receive(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(r.isRetain()).isTrue();
        assertThat(new String(r.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("v1");
    }
}
