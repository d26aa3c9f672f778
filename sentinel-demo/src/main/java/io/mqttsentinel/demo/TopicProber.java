package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A compromised device that probes other devices' topics twice a second: it subscribes to a victim's alerts
 * (and once to everything, {@code #}) and publishes spoofed telemetry, QoS 0, on a victim's telemetry topic. The
 * proxy's topic ACL allows a device only {@code clients/{its id}/...}: the subscriptions get SUBACK 0x80, the
 * spoofs are dropped. A granted subscription, a message received on one, or a spoof that reaches the origin
 * counts as got through.
 */
final class TopicProber extends ConnectedAttacker {
    private static final long PERIOD_MILLIS = 500;
    private static final byte[] SPOOF = "{\"spoofed\":true,\"temp\":99.9}".getBytes(StandardCharsets.US_ASCII);

    private final List<String> victims;
    private final AtomicInteger step = new AtomicInteger();

    /**
     * @param source  its source address
     * @param proxy   how to reach the proxy
     * @param auth    where its account is added
     * @param victims the fleet's client ids
     */
    TopicProber(InetAddress source, ProxyAccess proxy, DemoAuthEndpoint auth, List<String> victims) {
        super(AttackKind.TOPIC_PROBE, "attacker-" + AttackKind.TOPIC_PROBE.label(), source, proxy, auth, PERIOD_MILLIS);
        this.victims = victims;
    }

    @Override
    String describe() {
        return "subscribes to other devices' alerts and to #, publishes on their telemetry topics";
    }

    @Override
    void tick(Mqtt3AsyncClient c) {
        int n = step.getAndIncrement();
        String victim = victims.get((n / 2 * 7) % victims.size());
        attempted();
        if (n % 2 == 1) {
            c.publishWith().topic("clients/" + victim + "/telemetry").payload(SPOOF).qos(MqttQos.AT_MOST_ONCE).send();
            return;
        }
        String filter = n == 0 ? "#" : "clients/" + victim + "/alerts";
        track(c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> gotThrough()).send())
                .whenComplete((ack, error) -> {
                    if (error == null && ack.getReturnCodes().stream().noneMatch(Mqtt3SubAckReturnCode::isError)) {
                        gotThrough();
                    }
                });
    }
}
