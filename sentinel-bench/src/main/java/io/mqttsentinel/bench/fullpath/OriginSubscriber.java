package io.mqttsentinel.bench.fullpath;

import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

/**
 * The customer's application at the origin: one QoS 1 subscription to every device's telemetry on the origin
 * Mosquitto's plain listener, feeding a {@link DeliveryTracker}. The same subscriber serves both scenarios.
 */
final class OriginSubscriber implements AutoCloseable {
    /** Where the bridge's default outbound rule ({@code clients/# -> sentinel/clients/#}) puts device telemetry. */
    static final String TOPIC_PREFIX = "sentinel/clients/";

    private final Mqtt3AsyncClient client;

    private OriginSubscriber(Mqtt3AsyncClient client) {
        this.client = client;
    }

    static OriginSubscriber start(int plainPort, DeliveryTracker tracker) throws Exception {
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier("origin-app-" + tracker.run())
                .serverHost("127.0.0.1").serverPort(plainPort).buildAsync();
        c.connectWith().cleanSession(true).keepAlive(60).send().get(10, TimeUnit.SECONDS);
        OriginSubscriber s = new OriginSubscriber(c);
        try {
            c.subscribeWith().topicFilter(TOPIC_PREFIX + "+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> tracker.delivered(p.getPayloadAsBytes())).send().get(10, TimeUnit.SECONDS);
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            if (client.getState().isConnected()) {
                client.disconnect().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // best effort
        }
    }
}
