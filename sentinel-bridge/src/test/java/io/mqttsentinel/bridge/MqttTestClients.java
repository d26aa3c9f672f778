package io.mqttsentinel.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

/** Devices and subscribers for the integration tests: plain MQTT 3.1.1 clients on 127.0.0.1. Closes what it made. */
final class MqttTestClients implements AutoCloseable {
    private final List<Runnable> cleanup = new ArrayList<>();

    /** A device that publishes QoS 1 and waits for the broker's PUBACK. */
    Mqtt3BlockingClient device(String id, int port) {
        Mqtt3BlockingClient c = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).buildBlocking();
        c.connect();
        cleanup.add(() -> disconnect(c.toAsync()));
        return c;
    }

    static void publish(Mqtt3BlockingClient device, String topic, String payload) {
        device.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /**
     * A QoS 1 subscriber; with {@code persistent} its session (and queued messages) survive its broker's
     * restart, and it reconnects by itself.
     */
    BlockingQueue<Mqtt3Publish> subscriber(String id, int port, String filter, boolean persistent) throws Exception {
        BlockingQueue<Mqtt3Publish> received = new LinkedBlockingQueue<>();
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .automaticReconnect().initialDelay(20, TimeUnit.MILLISECONDS).maxDelay(200, TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .buildAsync();
        c.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, received::add);
        c.connectWith().cleanSession(!persistent).send().get(10, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        cleanup.add(() -> disconnect(c));
        return received;
    }

    static String text(Mqtt3Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static void disconnect(Mqtt3AsyncClient c) {
        try {
            if (c.getState().isConnectedOrReconnect()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // best effort: the broker may already be gone
        }
    }

    @Override
    public void close() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }
}
