package io.mqttsentinel.broker;

import static io.mqttsentinel.broker.BrokerFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * What the broker does with each verdict. The inspector here is a stand-in that keys on a marker word;
 * {@link RealInspectorTest} runs the real signature inspector.
 */
class InspectionTest {
    @TempDir
    Path dir;
    @TempDir
    Path quarantineDir;
    BrokerFixture fx;
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    /** BLOCK for "BLOCK-ME", QUARANTINE for "QUARANTINE-ME", FLAG for "FLAG-ME", else ALLOW. */
    static final PayloadInspector MARKER_INSPECTOR = (MessageContext context, ByteBuffer payload) -> {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        String text = new String(b, StandardCharsets.UTF_8);
        if (text.contains("BLOCK-ME")) {
            return Verdict.of(List.of(new Finding(ThreatCategory.SQL_INJECTION, Severity.HIGH, Action.BLOCK, "test-block", text)));
        }
        if (text.contains("QUARANTINE-ME")) {
            return Verdict.of(List.of(new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE, "test-quarantine", "")));
        }
        if (text.contains("FLAG-ME")) {
            return Verdict.of(List.of(new Finding(ThreatCategory.ENTROPY, Severity.LOW, Action.FLAG, "test-flag", "")));
        }
        return Verdict.allow();
    };

    @AfterEach
    void stop() {
        fx.close();
    }

    private static List<LogRecord> readAll(io.mqttsentinel.api.MessageLog log) throws InterruptedException {
        return BrokerFixture.messages(log);
    }

    @Test
    void blocked_isAckedButNeverStoredNorDelivered_andRaisesEvent() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR).eventSink(events::add));
        BrokerFixture.Inbox inbox = fx.subscriber("device", "clients/device/alerts");
        Mqtt3BlockingClient origin = fx.publisher("origin");

        publish(origin, "clients/device/alerts", "BLOCK-ME please", MqttQos.AT_LEAST_ONCE); // returns: PUBACK came
        publish(origin, "clients/device/alerts", "clean", MqttQos.AT_LEAST_ONCE);

        assertThat(inbox.nextText()).isEqualTo("clean");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(Action.BLOCK);
            assertThat(e.layer()).isEqualTo("broker");
            assertThat(e.clientId()).isEqualTo("origin");
            assertThat(e.topic()).isEqualTo("clients/device/alerts");
            assertThat(e.category()).isEqualTo("sql_injection");
        });
        assertThat(readAll(fx.log)).extracting(r -> new String(r.payload(), StandardCharsets.UTF_8))
                .containsExactly("clean");
    }

    @Test
    void quarantined_goesToQuarantineStoreWithItsFindings_notDelivered() throws Exception {
        try (SegmentedFileLog quarantineLog = SegmentedFileLog.builder(quarantineDir).fsyncPolicy(FsyncPolicy.OS).open();
             QuarantineStore quarantine = QuarantineStore.builder(quarantineLog).open()) {
            fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR).quarantine(quarantine)
                    .eventSink(events::add));
            BrokerFixture.Inbox inbox = fx.subscriber("device", "clients/device/alerts");
            Mqtt3BlockingClient origin = fx.publisher("origin");

            publish(origin, "clients/device/alerts", "QUARANTINE-ME", MqttQos.AT_LEAST_ONCE);
            publish(origin, "clients/device/alerts", "clean", MqttQos.AT_LEAST_ONCE);

            assertThat(inbox.nextText()).isEqualTo("clean");
            assertThat(quarantine.list(QuarantineQuery.all()).items()).singleElement().satisfies(m -> {
                assertThat(m.topic()).isEqualTo("clients/device/alerts");
                assertThat(m.clientId()).isEqualTo("origin");
                assertThat(m.findings()).extracting(Finding::ruleId).containsExactly("test-quarantine");
                assertThat(quarantine.payload(m.id())).hasValueSatisfying(
                        p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("QUARANTINE-ME"));
            });
            assertThat(readAll(fx.log)).extracting(LogRecord::topic).containsExactly("clients/device/alerts");
            assertThat(events).singleElement().extracting(SecurityEvent::action).isEqualTo(Action.QUARANTINE);
            assertThat(fx.counter("mqtt_broker_messages_quarantined_total")).isEqualTo(1.0);
            fx.close();
        }
    }

    @Test
    void quarantined_withoutQuarantineLog_isKeptUnderPrefixAndNeverRouted_evenAfterRestart() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR));
        BrokerFixture.Inbox wildcard = fx.subscriber("everything", "#");
        Mqtt3BlockingClient origin = fx.publisher("origin");

        publish(origin, "clients/device/alerts", "QUARANTINE-ME", MqttQos.AT_LEAST_ONCE);
        publish(origin, "clients/device/alerts", "clean", MqttQos.AT_LEAST_ONCE);
        assertThat(wildcard.nextText()).isEqualTo("clean");
        assertThat(readAll(fx.log)).extracting(LogRecord::topic)
                .containsExactly("$quarantine/clients/device/alerts", "clients/device/alerts");

        fx.restart(b -> b.inspector(MARKER_INSPECTOR));
        BrokerFixture.Inbox after = fx.subscriber("after", "#");
        Mqtt3BlockingClient origin2 = fx.publisher("origin");
        publish(origin2, "x", "marker", MqttQos.AT_LEAST_ONCE);
        assertThat(after.nextText()).isEqualTo("marker");
    }

    @Test
    void flagged_isDeliveredAndRaisesEvent() {
        fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR).eventSink(events::add));
        BrokerFixture.Inbox inbox = fx.subscriber("device", "clients/device/alerts");
        Mqtt3BlockingClient origin = fx.publisher("origin");

        publish(origin, "clients/device/alerts", "FLAG-ME", MqttQos.AT_LEAST_ONCE);

        assertThat(inbox.nextText()).isEqualTo("FLAG-ME");
        assertThat(events).singleElement().extracting(SecurityEvent::action).isEqualTo(Action.FLAG);
    }

    @Test
    void inspectorThatThrows_refusesMessage_failClosed() {
        PayloadInspector broken = (c, p) -> {
            if (p.remaining() == 6) {
                throw new IllegalStateException("bug");
            }
            return Verdict.allow();
        };
        fx = new BrokerFixture(dir).start(b -> b.inspector(broken));
        BrokerFixture.Inbox inbox = fx.subscriber("device", "t");
        Mqtt3BlockingClient origin = fx.publisher("origin");

        publish(origin, "t", "boom!!", MqttQos.AT_LEAST_ONCE);
        publish(origin, "t", "fine", MqttQos.AT_LEAST_ONCE);

        assertThat(inbox.nextText()).isEqualTo("fine");
        assertThat(fx.counter("mqtt_broker_messages_refused_total", "reason", "inspector_error")).isEqualTo(1);
    }

    @Test
    void will_goesThroughInspection() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR).eventSink(events::add));
        BrokerFixture.Inbox watcher = fx.subscriber("watcher", "wills/#");
        RawMqttClient.connect(fx.port(), "evil", true, "wills/evil", "BLOCK-ME".getBytes(StandardCharsets.UTF_8), 1)
                .close();
        RawMqttClient.connect(fx.port(), "good", true, "wills/good", "bye".getBytes(StandardCharsets.UTF_8), 1)
                .close();

        assertThat(watcher.nextText()).isEqualTo("bye");
        assertThat(events).extracting(SecurityEvent::clientId).containsExactly("evil");
    }
    @Test
    void inJvmPublish_blocked_isNotReportedToTheSink_soASinkPublishingThroughTheBrokerCannotLoop() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.inspector(MARKER_INSPECTOR).eventSink(events::add));
        BrokerFixture.Inbox inbox = fx.subscriber("ops", "sentinel/security/events");

        fx.broker.publish("sentinel/security/events", "excerpt: BLOCK-ME".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        fx.broker.publishUninspected("sentinel/security/events", "event quoting BLOCK-ME".getBytes(StandardCharsets.UTF_8),
                1, false).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(inbox.nextText()).isEqualTo("event quoting BLOCK-ME");
        assertThat(events).isEmpty();
        assertThat(fx.counter("mqtt_broker_messages_refused_total", "reason", "internal_block")).isEqualTo(1);
    }
}
