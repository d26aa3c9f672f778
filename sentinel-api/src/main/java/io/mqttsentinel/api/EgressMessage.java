package io.mqttsentinel.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A message crossing the bridge, in either direction: from the core broker to the origin, or from the
 * origin back to the core (alerts).
 */
public final class EgressMessage {
    private final String topic;
    private final byte[] payload;
    private final int qos;
    private final boolean retain;

    /**
     * @param topic   the topic: a valid MQTT topic name ({@link Topics#isValidName(String)})
     * @param payload the payload (copied)
     * @param qos     0, 1 or 2
     * @param retain  the MQTT retain flag
     */
    public EgressMessage(String topic, byte[] payload, int qos, boolean retain) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (!Topics.isValidName(topic)) {
            throw new IllegalArgumentException("topic must be an MQTT topic name (1 to 65535 bytes of UTF-8, no wildcards, "
                    + "no U+0000): '" + (topic.length() > 200 ? topic.substring(0, 200) + "...' (" + topic.length() + " chars)"
                    : topic + "'"));
        }
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
        }
        this.qos = qos;
        this.retain = retain;
    }

    /** @return the topic */
    public String topic() {
        return topic;
    }

    /** @return a copy of the payload */
    public byte[] payload() {
        return payload.clone();
    }

    /** @return the QoS */
    public int qos() {
        return qos;
    }

    /** @return the retain flag */
    public boolean retain() {
        return retain;
    }

    /**
     * @param newTopic the topic to use instead
     * @return a copy of this message on {@code newTopic}
     */
    public EgressMessage withTopic(String newTopic) {
        return new EgressMessage(newTopic, payload, qos, retain);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EgressMessage)) {
            return false;
        }
        EgressMessage that = (EgressMessage) o;
        return qos == that.qos && retain == that.retain && topic.equals(that.topic) && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain);
    }

    @Override
    public String toString() {
        return "EgressMessage[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", bytes=" + payload.length + "]";
    }
}
