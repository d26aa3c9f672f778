package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A compromised device that floods its own topic with QoS 0 PUBLISHes at {@value #RATE} a second, twice the
 * PUBLISH tier's sustained rate and four times the per-client tier's. The proxy's per-client tier lets its burst
 * (500) and its sustained rate (50 a second) through and drops the rest silently (the seed's rule for QoS 0); the
 * broker's message-rate anomaly (100 a second) blocks what of the burst is still above its own limit.
 */
final class PublishFlood extends ConnectedAttacker {
    /** Messages per second. */
    static final int RATE = 200;
    private static final int PER_TICK = 2;
    private static final byte[] PAYLOAD = "{\"temp\":21.5}".getBytes(StandardCharsets.US_ASCII);

    /**
     * @param source its source address
     * @param proxy  how to reach the proxy
     * @param auth   where its account is added
     */
    PublishFlood(InetAddress source, ProxyAccess proxy, DemoAuthEndpoint auth) {
        super(AttackKind.PUBLISH_FLOOD, "attacker-" + AttackKind.PUBLISH_FLOOD.label(), source, proxy, auth,
                1000L * PER_TICK / RATE);
    }

    @Override
    String describe() {
        return "QoS 0 PUBLISH at " + RATE + "/s to its own topic";
    }

    @Override
    void tick(Mqtt3AsyncClient c) {
        for (int i = 0; i < PER_TICK; i++) {
            attempted();
            c.publishWith().topic("clients/" + clientId() + "/telemetry").payload(PAYLOAD).qos(MqttQos.AT_MOST_ONCE).send();
        }
    }
}
