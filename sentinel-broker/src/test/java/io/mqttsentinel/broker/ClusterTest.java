package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.store.kafka.KafkaMessageLog;
import io.mqttsentinel.store.kafka.KafkaTestCluster;
import io.mqttsentinel.store.kafka.SharedKafka;

/**
 * Several broker nodes on one Kafka log form one core: a message published through any node reaches every
 * matching subscriber on any node, in order; a persistent session moves to the node its client reconnects to;
 * a takeover on another node closes the older connection.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafka.class)
class ClusterTest {
    private static KafkaTestCluster kafka;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String topic;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = SharedKafka.get();
    }

    @AfterEach
    void stop() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private SentinelBroker node(String id) {
        if (topic == null) {
            topic = "cluster-" + System.nanoTime();
        }
        KafkaMessageLog log = KafkaMessageLog.builder(kafka.bootstrapServers()).topic(topic).partitions(6)
                .requestTimeout(Duration.ofSeconds(30)).clientProperty("fetch.max.wait.ms", 20).build();
        open.add(log);
        SentinelBroker broker = SentinelBroker.builder().port(0).nodeId(id).messageLog(log).build().start();
        open.add(broker);
        return broker;
    }

    private SeqPublisher publish(SentinelBroker node, String topicName, int from, int to) throws Exception {
        return new SeqPublisher().run(node.port(), "pub-" + System.nanoTime(), topicName, from, to, 32, 100, 60);
    }

    @Test
    void messagePublishedOnOneNode_reachesASubscriberOnAnother_inOrderWithItsOwn() throws Exception {
        SentinelBroker a = node("a");
        SentinelBroker b = node("b");
        try (SeqSubscriber sub = SeqSubscriber.connect(b.port(), "watcher", true, "fleet/x")) {
            assertThat(publish(a, "fleet/x", 0, 100).acked().cardinality()).isEqualTo(100);
            assertThat(publish(b, "fleet/x", 100, 200).acked().cardinality()).isEqualTo(100);
            assertThat(publish(a, "fleet/x", 200, 300).acked().cardinality()).isEqualTo(100);
            assertThat(sub.awaitDistinct(300, 60, TimeUnit.SECONDS)).isEqualTo(300);
            assertThat(sub.outOfOrder()).isZero();
            assertThat(sub.duplicates()).isZero();
        }
    }

    @Test
    void persistentSession_movesToTheNodeItReconnectsTo_withEverythingPublishedWhileAway() throws Exception {
        SentinelBroker a = node("a");
        SentinelBroker b = node("b");
        try (SeqSubscriber device = SeqSubscriber.connect(a.port(), "dev-1", false, "clients/dev-1/alerts")) {
            device.disconnect();
        }
        assertThat(publish(a, "clients/dev-1/alerts", 0, 50).acked().cardinality()).isEqualTo(50);
        try (SeqSubscriber moved = SeqSubscriber.connect(b.port(), "dev-1", false, null)) {
            assertThat(moved.sessionPresent).as("the session follows the device to node b").isTrue();
            assertThat(moved.awaitDistinct(50, 60, TimeUnit.SECONDS)).isEqualTo(50);
            assertThat(publish(a, "clients/dev-1/alerts", 50, 60).acked().cardinality()).isEqualTo(10);
            assertThat(moved.awaitDistinct(60, 60, TimeUnit.SECONDS)).as("live messages from node a").isEqualTo(60);
            assertThat(moved.outOfOrder()).isZero();
        }
    }

    @Test
    void sessionMovedToAnotherNode_resendsUnderPacketIdsTheClientDoesNotHold() throws Exception {
        SentinelBroker a = node("a");
        SentinelBroker b = node("b");
        java.util.Set<Integer> held = new java.util.HashSet<>();
        try (RawMqttClient first = RawMqttClient.connect(a.port(), "dev-4", false, null, null, 0)) {
            first.send(io.mqttsentinel.testkit.MqttPackets.subscribe(1, "clients/dev-4/alerts", 1));
            assertThat(first.read().type()).as("SUBACK").isEqualTo(9);
            assertThat(publish(a, "clients/dev-4/alerts", 0, 5).acked().cardinality()).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                RawMqttClient.Packet p = first.read();
                assertThat(p.type()).isEqualTo(3);
                held.add(publishPacketId(p)); // received, never acknowledged: the client holds these ids
            }
        } // the connection drops with the five in flight
        try (RawMqttClient moved = RawMqttClient.connect(b.port(), "dev-4", false, null, null, 0)) {
            java.util.Set<Integer> resent = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) {
                RawMqttClient.Packet p = moved.read();
                assertThat(p.type()).isEqualTo(3);
                resent.add(publishPacketId(p));
            }
            // a client treats a PUBLISH under an id it holds as the message it holds (and its late PUBACK of that one
            // as the acknowledgement of the new one): the new owner must use other ids
            assertThat(resent).hasSize(5).doesNotContainAnyElementsOf(held);
        }
    }

    /** The packet identifier of a QoS 1 PUBLISH body: after the topic name. */
    private static int publishPacketId(RawMqttClient.Packet p) {
        byte[] body = p.body();
        int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        return ((body[2 + topicLength] & 0xFF) << 8) | (body[3 + topicLength] & 0xFF);
    }

    @Test
    void takeoverOnAnotherNode_closesTheOlderConnection() throws Exception {
        SentinelBroker a = node("a");
        SentinelBroker b = node("b");
        Mqtt3BlockingClient first = MqttClient.builder().useMqttVersion3().identifier("dev-2").serverHost("127.0.0.1")
                .serverPort(a.port()).buildBlocking();
        first.connectWith().cleanSession(false).send();
        first.subscribeWith().topicFilter("clients/dev-2/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        try (SeqSubscriber second = SeqSubscriber.connect(b.port(), "dev-2", false, null)) {
            assertThat(second.sessionPresent).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (first.getState().isConnected() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20); // node a closes it when its tail reads node b's claim
            }
            assertThat(first.getState().isConnected()).as("node a closed the older connection").isFalse();
            assertThat(publish(a, "clients/dev-2/alerts", 0, 20).acked().cardinality()).isEqualTo(20);
            assertThat(second.awaitDistinct(20, 60, TimeUnit.SECONDS)).isEqualTo(20);
        }
    }

    @Test
    void kill9OfTheNodeHoldingASession_theDeviceMovesToAnotherNode_andLosesNothingAcknowledged() throws Exception {
        topic = "cluster-" + System.nanoTime();
        SentinelBroker b = node("b");
        BitSet acked = new BitSet();
        try (BrokerProcess a = BrokerProcess.start("kafka", kafka.bootstrapServers(), topic, "a")) {
            SeqSubscriber device = SeqSubscriber.connect(a.port(), "dev-3", false, "clients/dev-3/alerts");
            open.add(device);
            // the origin's alerts enter through node b; the device reads them through node a
            SeqPublisher publisher = new SeqPublisher();
            java.util.concurrent.CompletableFuture<Void> publishing = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    publisher.run(b.port(), "origin", "clients/dev-3/alerts", 0, 4000, 32, 200, 120);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            device.awaitDistinct(1000, 60, TimeUnit.SECONDS);
            a.kill9(); // node a dies with the device's session live on it
            long killedAt = System.nanoTime();
            BitSet seenOnA = device.received();
            try (SeqSubscriber moved = SeqSubscriber.connect(b.port(), "dev-3", false, null)) {
                double resumeMs = (System.nanoTime() - killedAt) / 1e6;
                assertThat(moved.sessionPresent).isTrue();
                publishing.get(120, TimeUnit.SECONDS);
                acked.or(publisher.acked());
                assertThat(acked.cardinality()).isEqualTo(4000);
                assertThat(moved.awaitTogether(seenOnA, 4000, 120, TimeUnit.SECONDS))
                        .as("every acknowledged alert reached the device, on node a or after the move to b").isEqualTo(4000);
                assertThat(moved.outOfOrder()).isZero();
                System.out.printf("node kill: device resumed on node b %.0f ms after the kill; %d duplicates%n",
                        resumeMs, moved.duplicates());
            }
        }
    }
}
