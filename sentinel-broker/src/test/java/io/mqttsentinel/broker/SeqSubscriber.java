package io.mqttsentinel.broker;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;

/**
 * A real MQTT subscriber (hivemq-mqtt-client) that counts what it receives by sequence number: payloads
 * start with a big-endian {@code long}. It notes duplicates and any message that arrives after a higher
 * sequence of the same topic (out of order).
 */
final class SeqSubscriber implements AutoCloseable {
    private final Mqtt3AsyncClient client;
    private final BitSet received = new BitSet();
    private long distinct;
    private long duplicates;
    private long outOfOrder;
    private final java.util.Map<String, Integer> highest = new java.util.HashMap<>();
    private long total;

    private SeqSubscriber(Mqtt3AsyncClient client) {
        this.client = client;
    }

    /**
     * Connects and (when {@code filter} is not null) subscribes with QoS 1.
     *
     * @return the subscriber and whether the broker had a session for it
     */
    static SeqSubscriber connect(int port, String clientId, boolean clean, String filter) throws Exception {
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        SeqSubscriber s = new SeqSubscriber(c);
        c.publishes(MqttGlobalPublishFilter.ALL, p -> s.onMessage(p.getTopic().toString(), p.getPayloadAsBytes()));
        Mqtt3ConnAck ack = c.connectWith().cleanSession(clean).keepAlive(60).send().get(30, TimeUnit.SECONDS);
        s.sessionPresent = ack.isSessionPresent();
        if (filter != null) {
            c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().get(30, TimeUnit.SECONDS);
        }
        return s;
    }

    boolean sessionPresent;

    private synchronized void onMessage(String topic, byte[] payload) {
        int seq = (int) ByteBuffer.wrap(payload).getLong();
        total++;
        int top = highest.getOrDefault(topic, -1);
        if (received.get(seq)) {
            duplicates++; // redelivered (after a reconnect or a restart): allowed for QoS 1
        } else {
            if (seq < top) {
                outOfOrder++; // a message never seen before arrives after a later one of its topic
            }
            received.set(seq);
            distinct++;
        }
        highest.put(topic, Math.max(top, seq));
        notifyAll();
    }

    /** Waits until {@code count} distinct messages arrived or the time is up; returns the distinct count. */
    synchronized long awaitDistinct(long count, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (distinct < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return distinct;
    }

    /**
     * Waits until this subscriber and {@code seenElsewhere} together hold every sequence below {@code total}.
     *
     * @return how many of them are held together
     */
    synchronized int awaitTogether(BitSet seenElsewhere, int total, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            BitSet union = (BitSet) received.clone();
            union.or(seenElsewhere);
            int have = union.get(0, total).cardinality();
            long left = deadline - System.nanoTime();
            if (have >= total || left <= 0) {
                return have;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized BitSet received() {
        return (BitSet) received.clone();
    }

    synchronized long distinct() {
        return distinct;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long outOfOrder() {
        return outOfOrder;
    }

    synchronized long total() {
        return total;
    }

    void disconnect() throws Exception {
        client.disconnect().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            if (client.getState().isConnected()) {
                client.disconnect().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // already gone
        }
    }

    static byte[] payload(long seq, int size) {
        return ByteBuffer.allocate(Math.max(8, size)).putLong(0, seq).array();
    }
}
