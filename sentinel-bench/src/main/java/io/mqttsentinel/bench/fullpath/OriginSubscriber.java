package io.mqttsentinel.bench.fullpath;

import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

/**
 * The customer's application at the origin: one QoS 1 subscription to every device's telemetry on the origin
 * Mosquitto's plain listener, feeding a {@link DeliveryTracker}. The same subscriber serves both scenarios.
 *
 * <p>For an origin outage it is {@linkplain #startPersistent persistent}: clean session off, so that Mosquitto keeps
 * what it acknowledged to the bridge and had not yet delivered (queued or in flight to this subscriber) across its
 * stop and start (it saves its state on SIGTERM and reads it at start), and it reconnects on its own within a
 * second of the origin's return.
 */
final class OriginSubscriber implements AutoCloseable {
    /** Where the bridge's default outbound rule ({@code clients/# -> sentinel/clients/#}) puts device telemetry. */
    static final String TOPIC_PREFIX = "sentinel/clients/";

    private final Mqtt3AsyncClient client;

    private OriginSubscriber(Mqtt3AsyncClient client) {
        this.client = client;
    }

    /** A clean session that does not reconnect: the origin stays up. */
    static OriginSubscriber start(int plainPort, DeliveryTracker tracker) throws Exception {
        return start(plainPort, tracker, false);
    }

    /** A persistent session that reconnects every 100 ms to 1 s while the origin is down. */
    static OriginSubscriber startPersistent(int plainPort, DeliveryTracker tracker) throws Exception {
        return start(plainPort, tracker, true);
    }

    private static OriginSubscriber start(int plainPort, DeliveryTracker tracker, boolean persistent) throws Exception {
        var builder = MqttClient.builder().useMqttVersion3().identifier("origin-app-" + tracker.run())
                .serverHost("127.0.0.1").serverPort(plainPort);
        if (persistent) {
            builder = builder.automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
                    .applyAutomaticReconnect();
        }
        Mqtt3AsyncClient c = builder.buildAsync();
        c.connectWith().cleanSession(!persistent).keepAlive(60).send().get(10, TimeUnit.SECONDS);
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
            if (client.getState().isConnectedOrReconnect()) { // also cancels a pending reconnect
                client.disconnect().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // best effort
        }
    }
}
