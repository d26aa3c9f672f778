package io.mqttsentinel.broker;

import java.util.BitSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

/**
 * A real MQTT publisher (hivemq-mqtt-client) that sends QoS 1 messages numbered {@code from..to-1} as fast
 * as the broker acknowledges them (at most {@code window} unacknowledged), and remembers which sequence
 * numbers got a PUBACK: those, and only those, must reach every subscriber.
 */
final class SeqPublisher {
    private final BitSet acked = new BitSet();
    private final AtomicBoolean failed = new AtomicBoolean();

    /**
     * Publishes until every message was acknowledged, the connection failed, or the time is up.
     *
     * @return this, to read {@link #acked()}
     */
    SeqPublisher run(int port, String clientId, String topic, int from, int to, int payloadSize, int window,
                     long timeoutSeconds) throws Exception {
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        c.connectWith().cleanSession(true).keepAlive(60).send().get(30, TimeUnit.SECONDS);
        Semaphore outstanding = new Semaphore(window);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            for (int seq = from; seq < to && !failed.get(); seq++) {
                if (!outstanding.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int s = seq;
                c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(SeqSubscriber.payload(s, payloadSize))
                        .send().whenComplete((ack, err) -> {
                            if (err == null) {
                                synchronized (acked) {
                                    acked.set(s);
                                }
                            } else {
                                failed.set(true);
                            }
                            outstanding.release();
                        });
            }
            outstanding.tryAcquire(window, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } finally {
            try {
                c.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the broker may be gone
            }
        }
        return this;
    }

    BitSet acked() {
        synchronized (acked) {
            return (BitSet) acked.clone();
        }
    }

    boolean failed() {
        return failed.get();
    }
}
