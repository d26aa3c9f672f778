package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.broker.internal.StateRecords;
import io.mqttsentinel.testkit.MqttPackets;

/** The broker acknowledges only what the log stored. */
class DurabilityTest {
    @TempDir
    Path dir;
    BrokerFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    private static boolean failing(io.mqttsentinel.api.LogEntry e) {
        return new String(e.payload(), StandardCharsets.UTF_8).startsWith("fail");
    }

    @Test
    void publishQos1_whenAppendFails_getsNoPuback_laterOnesDo() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b, log -> new FailingMessageLog(log, DurabilityTest::failing));
        BrokerFixture.Inbox inbox = fx.subscriber("device", "t");
        try (RawMqttClient raw = RawMqttClient.connect(fx.port(), "publisher", true, null, null, 0)) {
            raw.send(MqttPackets.publish("t", "fail-1".getBytes(StandardCharsets.UTF_8), 1, 1));
            raw.send(MqttPackets.publish("t", "ok-2".getBytes(StandardCharsets.UTF_8), 1, 2));

            RawMqttClient.Packet ack = raw.read();
            assertThat(ack.type()).isEqualTo(4); // PUBACK
            assertThat(ack.packetId()).isEqualTo(2); // and none for packet 1
        }
        assertThat(inbox.nextText()).isEqualTo("ok-2");
        assertThat(fx.counter("mqtt_broker_log_append_failures_total")).isEqualTo(1);
    }

    @Test
    void publishQos2_whenAppendFails_getsNoPubrec() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b, log -> new FailingMessageLog(log, DurabilityTest::failing));
        try (RawMqttClient raw = RawMqttClient.connect(fx.port(), "publisher", true, null, null, 0)) {
            raw.send(MqttPackets.publish("t", "fail-1".getBytes(StandardCharsets.UTF_8), 2, 1));
            raw.send(MqttPackets.publish("t", "ok-2".getBytes(StandardCharsets.UTF_8), 2, 2));

            RawMqttClient.Packet rec = raw.read();
            assertThat(rec.type()).isEqualTo(5); // PUBREC
            assertThat(rec.packetId()).isEqualTo(2);
        }
    }

    @Test
    void inJvmPublish_whenAppendFails_completesExceptionally() {
        fx = new BrokerFixture(dir).start(b -> b, log -> new FailingMessageLog(log, DurabilityTest::failing));
        assertThatThrownBy(() -> fx.broker.publish("t", "fail".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(MessageLogException.class);
    }

    @Test
    void persistentSubscribe_whenStateCannotBeStored_isRefusedWith0x80() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b,
                log -> new FailingMessageLog(log, DurabilityTest::recordsASubscription));
        try (RawMqttClient raw = RawMqttClient.connect(fx.port(), "dev", false, null, null, 0)) {
            raw.send(MqttPackets.subscribe(3, "clients/dev/alerts", 1));
            RawMqttClient.Packet suback = raw.read();
            assertThat(suback.type()).isEqualTo(9);
            assertThat(suback.body()[2] & 0xFF).isEqualTo(0x80);
        }
    }

    private static boolean recordsASubscription(LogEntry e) {
        return e.topic().equals(StateRecords.TOPIC) && StateRecords.decode(e.payload()) instanceof StateRecords.SessionState s
                && !s.subscriptions().isEmpty();
    }
}
