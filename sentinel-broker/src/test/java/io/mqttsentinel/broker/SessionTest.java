package io.mqttsentinel.broker;

import static io.mqttsentinel.broker.BrokerFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;

import io.mqttsentinel.testkit.MqttPackets;


class SessionTest {
    @TempDir
    Path dir;
    BrokerFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    /** A persistent device: subscribes to its alerts topic with QoS 1, then goes offline. */
    private void persistentDeviceSubscribesThenLeaves(String id) {
        Mqtt3BlockingClient device = fx.client(id);
        Mqtt3ConnAck ack = device.connectWith().cleanSession(false).send();
        assertThat(ack.isSessionPresent()).isFalse();
        device.subscribeWith().topicFilter("clients/" + id + "/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
    }

    private BrokerFixture.Inbox reconnect(String id, boolean expectPresent) {
        Mqtt3BlockingClient device = fx.client(id);
        var publishes = device.publishes(MqttGlobalPublishFilter.ALL);
        Mqtt3ConnAck ack = device.connectWith().cleanSession(false).send();
        assertThat(ack.isSessionPresent()).isEqualTo(expectPresent);
        return new BrokerFixture.Inbox(device, publishes);
    }

    @Test
    void persistentSession_offlineQos1Messages_areDeliveredInOrderOnReconnect() {
        fx = new BrokerFixture(dir).start(b -> b);
        persistentDeviceSubscribesThenLeaves("dev-a");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        // QoS 0 first: the QoS 1 PUBACKs after it prove it was routed (the log completes in order)
        publish(origin, "clients/dev-a/alerts", "qos0-not-kept", MqttQos.AT_MOST_ONCE);
        for (int i = 1; i <= 5; i++) {
            publish(origin, "clients/dev-a/alerts", "alert-" + i, MqttQos.AT_LEAST_ONCE);
        }

        BrokerFixture.Inbox inbox = reconnect("dev-a", true);
        for (int i = 1; i <= 5; i++) {
            assertThat(inbox.nextText()).isEqualTo("alert-" + i);
        }
        publish(origin, "clients/dev-a/alerts", "live", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("live"); // the offline QoS 0 message was not queued
    }

    @Test
    void persistentSession_survivesBrokerRestart_withSubscriptionsAndUnackedMessages() {
        fx = new BrokerFixture(dir).start(b -> b);
        persistentDeviceSubscribesThenLeaves("dev-b");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        publish(origin, "clients/dev-b/alerts", "before-restart-1", MqttQos.AT_LEAST_ONCE);
        publish(origin, "clients/dev-b/alerts", "before-restart-2", MqttQos.AT_LEAST_ONCE);

        fx.restart(b -> b);

        BrokerFixture.Inbox inbox = reconnect("dev-b", true);
        assertThat(inbox.nextText()).isEqualTo("before-restart-1");
        assertThat(inbox.nextText()).isEqualTo("before-restart-2");
        Mqtt3BlockingClient origin2 = fx.publisher("origin");
        publish(origin2, "clients/dev-b/alerts", "after-restart", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("after-restart"); // the subscription itself survived
    }

    @Test
    void persistentSession_acknowledgedMessages_areNotRedeliveredAfterRestart() {
        fx = new BrokerFixture(dir).start(b -> b);
        persistentDeviceSubscribesThenLeaves("dev-c");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        publish(origin, "clients/dev-c/alerts", "one", MqttQos.AT_LEAST_ONCE);
        BrokerFixture.Inbox inbox = reconnect("dev-c", true);
        assertThat(inbox.nextText()).isEqualTo("one");
        inbox.client().disconnect(); // PUBACK was sent before the DISCONNECT
        publish(origin, "clients/dev-c/alerts", "two", MqttQos.AT_LEAST_ONCE);

        fx.restart(b -> b);

        BrokerFixture.Inbox after = reconnect("dev-c", true);
        assertThat(after.nextText()).isEqualTo("two");
    }

    @Test
    void persistentSession_cleanConnectDiscardsIt_alsoAcrossRestart() {
        fx = new BrokerFixture(dir).start(b -> b);
        persistentDeviceSubscribesThenLeaves("dev-d");
        Mqtt3BlockingClient clean = fx.client("dev-d");
        clean.connectWith().cleanSession(true).send();
        clean.disconnect();

        fx.restart(b -> b);

        reconnect("dev-d", false);
    }

    @Test
    void persistentSession_pastItsQueueBound_readsTheRestFromTheLog_inOrder_andDropsNothing() {
        fx = new BrokerFixture(dir).start(b -> b.maxQueuedPerSession(2));
        persistentDeviceSubscribesThenLeaves("dev-e");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        for (int i = 1; i <= 5; i++) {
            publish(origin, "clients/dev-e/alerts", "m" + i, MqttQos.AT_LEAST_ONCE);
        }
        BrokerFixture.Inbox inbox = reconnect("dev-e", true);
        for (int i = 1; i <= 5; i++) {
            assertThat(inbox.nextText()).isEqualTo("m" + i);
        }
        publish(origin, "clients/dev-e/alerts", "live", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("live");
        assertThat(fx.counter("mqtt_broker_queue_dropped_total", "qos", "1")).isZero();
        assertThat(fx.counter("mqtt_broker_catchup_delivered_total")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void takeover_secondConnectWithSameClientId_closesTheFirst() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        CompletableFuture<Throwable> firstDropped = new CompletableFuture<>();
        Mqtt3AsyncClient withListener = MqttClient.builder().useMqttVersion3().identifier("twin")
                .serverHost("127.0.0.1").serverPort(fx.port())
                .addDisconnectedListener(ctx -> firstDropped.complete(ctx.getCause())).buildAsync();
        withListener.connectWith().cleanSession(true).send().get(5, TimeUnit.SECONDS);

        Mqtt3BlockingClient second = fx.client("twin");
        second.connectWith().cleanSession(true).send();

        assertThat(firstDropped.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(second.getState().isConnected()).isTrue();
        assertThat(fx.counter("mqtt_broker_session_takeovers_total")).isEqualTo(1);
    }

    @Test
    void will_isPublishedOnAbnormalDisconnect_notOnDisconnect() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        BrokerFixture.Inbox watcher = fx.subscriber("watcher", "wills/#");

        RawMqttClient polite = RawMqttClient.connect(fx.port(), "polite", true, "wills/polite",
                "polite-gone".getBytes(StandardCharsets.UTF_8), 1);
        polite.send(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
        assertThat(polite.closedByPeer()).isTrue();
        polite.close();

        RawMqttClient crashing = RawMqttClient.connect(fx.port(), "crashing", true, "wills/crashing",
                "crashing-gone".getBytes(StandardCharsets.UTF_8), 1);
        crashing.close(); // TCP close without DISCONNECT

        assertThat(watcher.nextText()).isEqualTo("crashing-gone");
        assertThat(fx.counter("mqtt_broker_wills_published_total")).isEqualTo(1);
    }

    @Test
    void malformedPacket_closesConnectionAndIsCounted() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        try (RawMqttClient raw = RawMqttClient.connect(fx.port(), "bad", true, null, null, 0)) {
            raw.send(new byte[] {0x00, 0x00}); // packet type 0 is reserved
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(fx.counter("mqtt_broker_protocol_violations_total", "reason", "invalid_packet_type")).isEqualTo(1);
    }
    @Test
    void persistentSession_unackedInflight_isResentWithDupAndSamePacketIdOnReconnect() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        byte[] subscribe = MqttPackets.subscribe(1, "clients/raw/alerts", 1);
        try (RawMqttClient device = RawMqttClient.connect(fx.port(), "raw", false, null, null, 0)) {
            device.send(subscribe);
            assertThat(device.read().type()).isEqualTo(9); // SUBACK
            fx.broker.publish("clients/raw/alerts", "unacked".getBytes(StandardCharsets.UTF_8), 1, false)
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            RawMqttClient.Packet first = device.read();
            assertThat(first.type()).isEqualTo(3);
            assertThat(first.header() & 0x08).isZero(); // DUP 0 the first time
        } // dropped without PUBACK
        try (RawMqttClient again = RawMqttClient.open(fx.port())) {
            again.send(MqttPackets.connectBuilder("raw").cleanSession(false).build());
            RawMqttClient.Packet connack = again.read();
            assertThat(connack.body()[0]).isEqualTo((byte) 1); // session present
            RawMqttClient.Packet resent = again.read();
            assertThat(resent.type()).isEqualTo(3);
            assertThat(resent.header() & 0x08).isEqualTo(0x08); // DUP 1
            assertThat(resent.header() & 0x06).isEqualTo(0x02); // QoS 1
            String body = new String(resent.body(), StandardCharsets.UTF_8);
            assertThat(body).endsWith("unacked");
        }
        assertThat(fx.counter("mqtt_broker_redeliveries_total")).isEqualTo(1);
    }

    @Test
    void crash_beforeCheckpoint_redeliversAcknowledgedMessage_atLeastOnce_andLosesNothing() {
        fx = new BrokerFixture(dir).start(b -> b.checkpointInterval(java.time.Duration.ofHours(1)));
        persistentDeviceSubscribesThenLeaves("dev-f");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        publish(origin, "clients/dev-f/alerts", "one", MqttQos.AT_LEAST_ONCE);
        BrokerFixture.Inbox inbox = reconnect("dev-f", true);
        assertThat(inbox.nextText()).isEqualTo("one"); // acknowledged, but no checkpoint was written
        publish(origin, "clients/dev-f/alerts", "two", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).isEqualTo("two");
        inbox.client().disconnect();
        publish(origin, "clients/dev-f/alerts", "three", MqttQos.AT_LEAST_ONCE);

        fx.crashAndRestart(b -> b);

        BrokerFixture.Inbox after = reconnect("dev-f", true);
        assertThat(List.of(after.nextText(), after.nextText(), after.nextText())).containsExactly("one", "two", "three");
    }

    @Test
    void keepAliveExpired_closesConnectionAndPublishesWill() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        BrokerFixture.Inbox watcher = fx.subscriber("watcher", "wills/#");
        try (RawMqttClient silent = RawMqttClient.open(fx.port())) {
            silent.send(MqttPackets.connectBuilder("silent").keepAlive(1)
                    .will("wills/silent", "silent-gone".getBytes(StandardCharsets.UTF_8), 1, false).build()); // keep-alive 1 s
            assertThat(silent.read().type()).isEqualTo(2); // CONNACK; then it sends nothing

            assertThat(watcher.nextText()).isEqualTo("silent-gone"); // closed after 1.5 x keep-alive
        }
        assertThat(fx.counter("mqtt_broker_protocol_violations_total", "reason", "keepalive_timeout")).isEqualTo(1);
    }

}
