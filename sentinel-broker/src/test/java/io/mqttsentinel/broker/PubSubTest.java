package io.mqttsentinel.broker;

import static io.mqttsentinel.broker.BrokerFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;

import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.testkit.MqttPackets;

class PubSubTest {
    @TempDir
    Path dir;
    BrokerFixture fx;

    @BeforeEach
    void start() {
        fx = new BrokerFixture(dir).start(b -> b);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void publish_qos0AndQos1_reachExactSubscriberInOrder() {
        BrokerFixture.Inbox inbox = fx.subscriber("device-1", "clients/device-1/alerts");
        Mqtt3BlockingClient pub = fx.publisher("origin");

        publish(pub, "clients/device-1/alerts", "a", MqttQos.AT_MOST_ONCE);
        publish(pub, "clients/device-1/alerts", "b", MqttQos.AT_LEAST_ONCE);
        publish(pub, "clients/device-1/alerts", "c", MqttQos.AT_LEAST_ONCE);

        Mqtt3Publish first = inbox.next();
        assertThat(new String(first.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(first.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        Mqtt3Publish second = inbox.next();
        assertThat(new String(second.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(second.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("c");
        assertThat(fx.counter("mqtt_broker_messages_received_total", "qos", "1")).isEqualTo(2);
        assertThat(fx.counter("mqtt_broker_messages_stored_total")).isEqualTo(3);
    }

    @Test
    void publish_qos1_isInTheLogBeforeThePubackReturns() throws Exception {
        Mqtt3BlockingClient pub = fx.publisher("origin");
        publish(pub, "clients/d/alerts", "durable", MqttQos.AT_LEAST_ONCE);

        List<LogRecord> records = BrokerFixture.messages(fx.log);
        assertThat(records).extracting(LogRecord::topic).containsExactly("clients/d/alerts");
        assertThat(records.get(0).entry().clientId()).isEqualTo("origin");
        assertThat(new String(records.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("durable");
    }

    @Test
    void subscribe_wildcards_matchPerSpecification() {
        BrokerFixture.Inbox plus = fx.subscriber("plus", "sensors/+/temp");
        BrokerFixture.Inbox hash = fx.subscriber("hash", "sensors/#");
        Mqtt3BlockingClient pub = fx.publisher("origin");

        publish(pub, "sensors/kitchen/humidity", "h1", MqttQos.AT_LEAST_ONCE);
        publish(pub, "sensors/kitchen/temp", "t1", MqttQos.AT_LEAST_ONCE);
        publish(pub, "sensors", "root", MqttQos.AT_LEAST_ONCE);
        publish(pub, "other/kitchen/temp", "o1", MqttQos.AT_LEAST_ONCE);
        publish(pub, "sensors/hall/temp", "t2", MqttQos.AT_LEAST_ONCE);

        assertThat(List.of(plus.nextText(), plus.nextText())).containsExactly("t1", "t2");
        assertThat(List.of(hash.nextText(), hash.nextText(), hash.nextText(), hash.nextText()))
                .containsExactly("h1", "t1", "root", "t2");
    }

    @Test
    void subscribe_overlappingFilters_deliverOnceWithHighestQos() {
        Mqtt3BlockingClient c = fx.client("overlap");
        var publishes = c.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL);
        c.connectWith().cleanSession(true).send();
        c.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_MOST_ONCE).send();
        c.subscribeWith().topicFilter("a/b").qos(MqttQos.AT_LEAST_ONCE).send();
        BrokerFixture.Inbox inbox = new BrokerFixture.Inbox(c, publishes);
        Mqtt3BlockingClient pub = fx.publisher("origin");

        publish(pub, "a/b", "once", MqttQos.AT_LEAST_ONCE);
        publish(pub, "a/c", "marker", MqttQos.AT_LEAST_ONCE);

        Mqtt3Publish first = inbox.next();
        assertThat(new String(first.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("once");
        assertThat(first.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("marker");
    }

    @Test
    void subscribe_qos2_isGrantedQos1AndQos2PublishIsDeliveredOnce() {
        Mqtt3BlockingClient sub = fx.client("q2sub");
        var publishes = sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL);
        sub.connectWith().cleanSession(true).send();
        Mqtt3SubAck ack = sub.subscribeWith().topicFilter("q2/t").qos(MqttQos.EXACTLY_ONCE).send();
        assertThat(ack.getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        BrokerFixture.Inbox inbox = new BrokerFixture.Inbox(sub, publishes);
        Mqtt3BlockingClient pub = fx.publisher("origin");

        publish(pub, "q2/t", "exactly", MqttQos.EXACTLY_ONCE); // returns after PUBCOMP
        publish(pub, "q2/t", "marker", MqttQos.AT_LEAST_ONCE);

        Mqtt3Publish first = inbox.next();
        assertThat(new String(first.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("exactly");
        assertThat(first.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("marker");
    }

    @Test
    void publish_qos2ResentBeforePubrel_isStoredOnce() throws Exception {
        try (RawMqttClient raw = RawMqttClient.connect(fx.port(), "raw-q2", true, null, null, 0)) {
            byte[] publish = MqttPackets.publish("q2/raw", "x".getBytes(StandardCharsets.UTF_8), 2, 7);
            raw.send(publish);
            assertThat(raw.read().type()).isEqualTo(5); // PUBREC
            publish[0] |= 0x08; // DUP
            raw.send(publish);
            RawMqttClient.Packet again = raw.read();
            assertThat(again.type()).isEqualTo(5);
            assertThat(again.packetId()).isEqualTo(7);
            raw.send(MqttPackets.packet(0x62, new byte[] {0, 7})); // PUBREL
            RawMqttClient.Packet comp = raw.read();
            assertThat(comp.type()).isEqualTo(7); // PUBCOMP
        }
        assertThat(fx.counter("mqtt_broker_messages_stored_total")).isEqualTo(1);
    }

    @Test
    void retained_isDeliveredOnSubscribeAndClearedByEmptyPayload() {
        Mqtt3BlockingClient pub = fx.publisher("origin");
        pub.publishWith().topic("r/a").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("kept".getBytes(StandardCharsets.UTF_8)).send();

        BrokerFixture.Inbox first = fx.subscriber("late-1", "r/#");
        Mqtt3Publish retained = first.next();
        assertThat(retained.isRetain()).isTrue();
        assertThat(new String(retained.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("kept");

        pub.publishWith().topic("r/a").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(new byte[0]).send();
        Mqtt3Publish clearing = first.next(); // an established subscriber sees the clearing message, RETAIN 0
        assertThat(clearing.isRetain()).isFalse();
        assertThat(clearing.getPayloadAsBytes()).isEmpty();

        BrokerFixture.Inbox second = fx.subscriber("late-2", "r/a");
        publish(pub, "r/a", "live", MqttQos.AT_LEAST_ONCE);
        Mqtt3Publish live = second.next();
        assertThat(live.isRetain()).isFalse();
        assertThat(new String(live.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("live");
    }

    @Test
    void retained_survivesRestart_andItsClearingToo() {
        Mqtt3BlockingClient pub = fx.publisher("origin");
        pub.publishWith().topic("cfg/a").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("a1".getBytes(StandardCharsets.UTF_8)).send();
        pub.publishWith().topic("cfg/b").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("b1".getBytes(StandardCharsets.UTF_8)).send();
        pub.publishWith().topic("cfg/b").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(new byte[0]).send();

        fx.restart(b -> b);

        BrokerFixture.Inbox inbox = fx.subscriber("reader", "cfg/#");
        Mqtt3Publish kept = inbox.next();
        assertThat(kept.getTopic().toString()).isEqualTo("cfg/a");
        assertThat(kept.isRetain()).isTrue();
        Mqtt3BlockingClient pub2 = fx.publisher("origin");
        publish(pub2, "cfg/marker", "marker", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("marker"); // nothing retained on cfg/b
    }

    @Test
    void unsubscribe_stopsDelivery() {
        BrokerFixture.Inbox inbox = fx.subscriber("u", "u/1");
        inbox.client().subscribeWith().topicFilter("u/2").qos(MqttQos.AT_LEAST_ONCE).send();
        inbox.client().unsubscribeWith().topicFilter("u/1").send();
        Mqtt3BlockingClient pub = fx.publisher("origin");

        publish(pub, "u/1", "gone", MqttQos.AT_LEAST_ONCE);
        publish(pub, "u/2", "marker", MqttQos.AT_LEAST_ONCE);

        assertThat(inbox.nextText()).isEqualTo("marker");
    }

    @Test
    void fanOut_onePublisherManyDeviceTopics_eachDeviceGetsOnlyItsOwn() {
        List<BrokerFixture.Inbox> devices = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            devices.add(fx.subscriber("dev-" + i, "clients/dev-" + i + "/alerts"));
        }
        Mqtt3BlockingClient pub = fx.publisher("origin");
        for (int i = 0; i < 20; i++) {
            publish(pub, "clients/dev-" + i + "/alerts", "for-" + i, MqttQos.AT_LEAST_ONCE);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(devices.get(i).nextText()).isEqualTo("for-" + i);
        }
        assertThat(fx.counter("mqtt_broker_messages_delivered_total", "qos", "1")).isEqualTo(20);
    }

    @Test
    void inJvmPublish_isStoredAndRouted() throws Exception {
        BrokerFixture.Inbox inbox = fx.subscriber("ops", "sentinel/events");
        fx.broker.publish("sentinel/events", "{\"e\":1}".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().get();
        assertThat(inbox.nextText()).isEqualTo("{\"e\":1}");
    }

    @Test
    void publish_toReservedTopic_isRefusedAndNeverStored() {
        BrokerFixture.Inbox inbox = fx.subscriber("spy", "spy/marker");
        Mqtt3BlockingClient pub = fx.publisher("attacker");
        publish(pub, "$sentinel/session/victim", "forged", MqttQos.AT_LEAST_ONCE);
        publish(pub, "spy/marker", "marker", MqttQos.AT_LEAST_ONCE);

        assertThat(inbox.nextText()).isEqualTo("marker");
        assertThat(fx.counter("mqtt_broker_messages_refused_total", "reason", "reserved_topic")).isEqualTo(1);
        assertThat(fx.counter("mqtt_broker_messages_stored_total")).isEqualTo(1);
    }
    @Test
    void slowSubscriber_isBoundedAndDropsQos0_withoutStallingOthers() throws Exception {
        fx.close();
        fx = new BrokerFixture(dir).start(b -> b.maxQueuedPerSession(10));
        BrokerFixture.Inbox fast = fx.subscriber("fast", "flood");
        try (RawMqttClient stuck = RawMqttClient.connect(fx.port(), "stuck", true, null, null, 0)) {
            stuck.send(MqttPackets.subscribe(1, "flood", 0));
            assertThat(stuck.read().type()).isEqualTo(9); // SUBACK; from now on it reads nothing
            byte[] kib = new byte[1024];
            // 20 MiB in rounds of 8 KiB that the fast subscriber drains before the next: more than the stuck
            // one's socket buffers and queue can hold, never more than the fast one's queue
            for (int round = 0; round < 2_500; round++) {
                List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    sent.add(fx.broker.publishUninspected("flood", kib, 0, false).toCompletableFuture());
                }
                java.util.concurrent.CompletableFuture.allOf(sent.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                        .get(10, java.util.concurrent.TimeUnit.SECONDS);
                for (int i = 0; i < 8; i++) {
                    fast.next();
                }
            }
            // the stuck subscriber's losses are counted; the fast one lost nothing (it read all 20,000)
            assertThat(fx.counter("mqtt_broker_queue_dropped_total", "qos", "0")).isPositive();
        }
    }
}
