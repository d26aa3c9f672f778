package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.testkit.MqttPackets;

/** Topic ACLs: the default per-device ACL, an ACL from the auth verdict, and the refusals of each packet. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AclTest {
    ProxyHarness h;

    @BeforeAll
    void start(@TempDir Path dir) {
        h = new ProxyHarness(dir, b -> { });
    }

    @AfterAll
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @BeforeEach
    void defaultAcl() {
        h.auth.set(r -> CompletableFuture.completedFuture(AuthDecision.allow("test")));
    }

    private Mqtt3BlockingClient connected(String clientId) {
        Mqtt3BlockingClient c = h.device(clientId).buildBlocking();
        c.connect();
        return c;
    }

    /** The SUBACK's return codes; the client throws when some are failures, so unwrap that. */
    private static List<Mqtt3SubAckReturnCode> codes(java.util.function.Supplier<com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck> send) {
        try {
            return send.get().getReturnCodes();
        } catch (com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException e) {
            return e.getMqttMessage().getReturnCodes();
        }
    }

    private static Mqtt3Subscription sub(String filter) {
        return Mqtt3Subscription.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build();
    }

    @Test
    void subscribe_otherDevicesAlerts_getsSuback80() {
        Mqtt3BlockingClient c = connected("acl-1");
        double before = h.count("mqtt.proxy.acl.denied", "action", "subscribe");
        assertThat(codes(() -> c.subscribeWith().topicFilter("clients/acl-2/alerts").send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        assertThat(codes(() -> c.subscribeWith().topicFilter("clients/+/alerts").send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        assertThat(codes(() -> c.subscribeWith().topicFilter("#").send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        assertThat(h.count("mqtt.proxy.acl.denied", "action", "subscribe")).isEqualTo(before + 3);
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();
    }

    @Test
    void subscribe_mixed_forwardsTheAllowedPart_andMergesTheSuback() {
        Mqtt3BlockingClient c = connected("acl-3");
        assertThat(codes(() -> c.subscribeWith().addSubscription(sub("clients/acl-4/alerts")).addSubscription(sub("clients/acl-3/alerts"))
                .addSubscription(sub("clients/acl-3/#")).send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE, Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1,
                        Mqtt3SubAckReturnCode.FAILURE);
        c.disconnect();
    }

    @Test
    void publish_qos0_forbidden_isDropped_andTheConnectionStays() throws Exception {
        Mqtt3BlockingClient backend = h.direct("acl-backend-0");
        Mqtt3BlockingClient c = connected("acl-5");
        try (Mqtt3BlockingClient.Mqtt3Publishes seen = backend.publishes(MqttGlobalPublishFilter.ALL)) {
            backend.subscribeWith().topicFilter("clients/#").qos(MqttQos.AT_LEAST_ONCE).send();
            double before = h.count("mqtt.proxy.acl.denied", "action", "publish");
            c.publishWith().topic("clients/acl-6/telemetry").qos(MqttQos.AT_MOST_ONCE)
                    .payload("forged".getBytes(StandardCharsets.UTF_8)).send();
            c.publishWith().topic("clients/acl-5/telemetry").qos(MqttQos.AT_MOST_ONCE)
                    .payload("mine".getBytes(StandardCharsets.UTF_8)).send();
            Optional<Mqtt3Publish> first = seen.receive(10, TimeUnit.SECONDS);
            assertThat(first).isPresent();
            assertThat(first.get().getTopic().toString()).isEqualTo("clients/acl-5/telemetry");
            assertThat(h.count("mqtt.proxy.acl.denied", "action", "publish")).isEqualTo(before + 1);
            assertThat(c.getState().isConnected()).isTrue();
        } finally {
            backend.disconnect();
            c.disconnect();
        }
    }

    @Test
    void publish_qos1_forbidden_closesTheConnection() throws Exception {
        try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            c.write(MqttPackets.connect("acl-7"));
            assertThat(c.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            byte[] publish = MqttPackets.publish("x/y", "z".getBytes(StandardCharsets.UTF_8), 1, 1);
            assertThat(c.write(publish).readUntilClosed()).isEmpty();
        }
    }

    @Test
    void will_onForbiddenTopic_isRefusedWithConnack05() {
        Mqtt3BlockingClient c = h.device("acl-8").buildBlocking();
        try {
            c.connectWith().willPublish().topic("clients/acl-9/status").payload("gone".getBytes(StandardCharsets.UTF_8))
                    .applyWillPublish().send();
            throw new AssertionError("connected");
        } catch (com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException e) {
            assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        }
        Mqtt3BlockingClient ok = h.device("acl-8").buildBlocking();
        ok.connectWith().willPublish().topic("clients/acl-8/status").payload("gone".getBytes(StandardCharsets.UTF_8))
                .applyWillPublish().send();
        ok.disconnect();
    }

    @Test
    void aclFromTheAuthVerdict_replacesTheDefault_withPlaceholders() {
        h.auth.set(r -> CompletableFuture.completedFuture(AuthDecision.allow("custom").withPermissions(
                new TopicPermissions(List.of("fleet/{username}/#"), List.of("fleet/{username}/{client_id}/cmd")))));
        Mqtt3BlockingClient c = h.device("acl-10").buildBlocking();
        c.connectWith().simpleAuth().username("alice").password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        assertThat(codes(() -> c.subscribeWith().addSubscription(sub("clients/acl-10/alerts")).addSubscription(sub("fleet/alice/acl-10/cmd"))
                .addSubscription(sub("fleet/bob/acl-10/cmd")).send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE, Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1,
                        Mqtt3SubAckReturnCode.FAILURE);
        c.disconnect();
    }

    @Test
    void clientIdWithWildcard_doesNotWidenTheAcl() {
        Mqtt3BlockingClient c = connected("+");
        assertThat(codes(() -> c.subscribeWith().topicFilter("clients/+/alerts").send()))
                .containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        c.disconnect();
    }
}
