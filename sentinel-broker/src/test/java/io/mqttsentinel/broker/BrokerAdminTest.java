package io.mqttsentinel.broker;

import static io.mqttsentinel.broker.BrokerFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.Await;

/** The operators' hooks on a running broker: releasing and deleting quarantined messages, sessions, disconnecting. */
class BrokerAdminTest {
    @TempDir
    Path dir;
    @TempDir
    Path quarantineDir;
    private BrokerFixture fx;
    private SegmentedFileLog quarantineLog;
    private QuarantineStore quarantine;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        quarantineLog = SegmentedFileLog.builder(quarantineDir).fsyncPolicy(FsyncPolicy.OS).open();
        quarantine = QuarantineStore.builder(quarantineLog).open();
        fx = new BrokerFixture(dir).start(b -> b.inspector(InspectionTest.MARKER_INSPECTOR).quarantine(quarantine)
                .eventSink(events::add));
    }

    @AfterEach
    void stop() {
        fx.close();
        quarantine.close();
        quarantineLog.close();
    }

    private BrokerAdmin admin() {
        return fx.broker.admin();
    }

    @Test
    void release_deliversToSubscribersOnce_storedUnderItsTopicAndClient_andRaisesAnEvent() throws Exception {
        BrokerFixture.Inbox inbox = fx.subscriber("device", "clients/device/alerts");
        Mqtt3BlockingClient origin = fx.publisher("origin");
        publish(origin, "clients/device/alerts", "QUARANTINE-ME 1", MqttQos.AT_LEAST_ONCE);
        QuarantinedMessage held = quarantine.list(QuarantineQuery.all()).items().get(0);

        QuarantinedMessage released = admin().release(held.id(), "alice").toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(released.state()).isEqualTo(QuarantinedMessage.State.RELEASED);
        assertThat(inbox.nextText()).isEqualTo("QUARANTINE-ME 1");
        assertThat(BrokerFixture.messages(fx.log)).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("clients/device/alerts");
            assertThat(r.entry().clientId()).isEqualTo("origin");
        });
        assertThat(events).filteredOn(e -> e.category().equals(BrokerAdmin.EVENT_CATEGORY)).singleElement().satisfies(e -> {
            assertThat(e.ruleId()).isEqualTo("quarantine-release");
            assertThat(e.action()).isEqualTo(Action.ALLOW);
            assertThat(e.clientId()).isEqualTo("origin");
            assertThat(e.excerpt()).contains(held.id()).contains("alice");
        });

        assertThatThrownBy(() -> admin().release(held.id(), "bob").toCompletableFuture().join())
                .cause().isInstanceOf(IllegalStateException.class);
        publish(origin, "clients/device/alerts", "after", MqttQos.AT_LEAST_ONCE);
        assertThat(inbox.nextText()).as("nothing delivered twice: the next message is the marker").isEqualTo("after");
        assertThat(BrokerFixture.messages(fx.log)).extracting(LogRecord::topic).hasSize(2);
    }

    @Test
    void delete_removesIt_andRaisesAnEvent() {
        Mqtt3BlockingClient origin = fx.publisher("origin");
        publish(origin, "clients/device/alerts", "QUARANTINE-ME", MqttQos.AT_LEAST_ONCE);
        String id = quarantine.list(QuarantineQuery.all()).items().get(0).id();

        assertThat(admin().delete(id, "alice").toCompletableFuture().join()).isTrue();

        assertThat(quarantine.find(id)).isEmpty();
        assertThat(admin().delete(id, "alice").toCompletableFuture().join()).isFalse();
        assertThat(events).filteredOn(e -> e.ruleId().equals("quarantine-delete")).singleElement()
                .satisfies(e -> assertThat(e.topic()).isEqualTo("clients/device/alerts"));
    }

    @Test
    void sessions_listedByClientId_paged_andFilteredByConnection() {
        fx.subscriber("c", "a/#");
        fx.publisher("a");
        Mqtt3BlockingClient persistent = fx.client("b");
        persistent.connectWith().cleanSession(false).send();
        persistent.subscribeWith().topicFilter("clients/b/alerts").qos(MqttQos.AT_LEAST_ONCE).send();
        persistent.disconnect();
        Await.until("b offline", () -> admin().session("b").map(s -> !s.connected()).orElse(false));

        assertThat(admin().sessions(null, 10, false)).extracting(SessionInfo::clientId).containsExactly("a", "b", "c");
        assertThat(admin().sessions("a", 1, false)).extracting(SessionInfo::clientId).containsExactly("b");
        assertThat(admin().sessions(null, 10, true)).extracting(SessionInfo::clientId).containsExactly("a", "c");
        assertThat(admin().session("b")).hasValueSatisfying(s -> {
            assertThat(s.persistent()).isTrue();
            assertThat(s.subscriptions()).containsEntry("clients/b/alerts", 1);
            assertThat(s.remoteAddress()).isEmpty();
        });
        assertThat(admin().session("c")).hasValueSatisfying(s -> assertThat(s.remoteAddress()).contains("127.0.0.1"));
        assertThat(admin().session("nobody")).isEmpty();
        assertThat(admin().sessionCount()).isEqualTo(3);
    }

    @Test
    void disconnect_closesTheClientsConnection_andRaisesAnEvent() {
        Mqtt3BlockingClient device = fx.publisher("device");

        assertThat(admin().disconnect("device", "alice")).isTrue();

        Await.until("the device is disconnected", () -> !device.getState().isConnected());
        Await.until("its clean session ended", () -> admin().session("device").isEmpty());
        assertThat(admin().disconnect("device", "alice")).isFalse();
        assertThat(admin().disconnect("nobody", "alice")).isFalse();
        assertThat(events).filteredOn(e -> e.ruleId().equals("session-disconnect")).singleElement()
                .satisfies(e -> assertThat(e.excerpt()).contains("alice"));
    }

    @Test
    void withoutAQuarantineStore_releaseIsRefused() throws Exception {
        try (BrokerFixture plain = new BrokerFixture(dir.resolve("plain")).start(b -> b)) {
            assertThat(plain.broker.admin().quarantine()).isEmpty();
            assertThatThrownBy(() -> plain.broker.admin().release("0-0", "alice").toCompletableFuture().join())
                    .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("no quarantine store");
        }
    }
}
