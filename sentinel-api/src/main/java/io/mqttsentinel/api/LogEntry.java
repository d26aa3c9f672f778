package io.mqttsentinel.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A message to append to a {@link MessageLog}: what the broker received, before it has a position.
 *
 * <p>Immutable: the payload is copied in and out.
 */
public final class LogEntry {
    private static final String CLIENTS_PREFIX = "clients/";

    private final String topic;
    private final byte[] payload;
    private final int qos;
    private final String clientId;
    private final long timestampMillis;

    /**
     * @param topic           the topic, not empty
     * @param payload         the payload bytes (copied)
     * @param qos             0, 1 or 2
     * @param clientId        the publisher's client id (may be empty)
     * @param timestampMillis when the broker received the message, epoch milliseconds
     */
    public LogEntry(String topic, byte[] payload, int qos, String clientId, long timestampMillis) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
        }
        this.qos = qos;
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.timestampMillis = timestampMillis;
    }

    /**
     * The key that orders messages: records with the same key are read back in the order they were
     * appended. It is the client id for topics of the form {@code clients/{client_id}/...}, else the topic.
     *
     * @param topic a topic
     * @return the ordering key of {@code topic}
     */
    public static String orderingKeyOf(String topic) {
        if (topic.startsWith(CLIENTS_PREFIX)) {
            int end = topic.indexOf('/', CLIENTS_PREFIX.length());
            if (end > CLIENTS_PREFIX.length()) {
                return topic.substring(CLIENTS_PREFIX.length(), end);
            }
        }
        return topic;
    }

    /** @return the ordering key of this entry's topic, see {@link #orderingKeyOf(String)} */
    public String orderingKey() {
        return orderingKeyOf(topic);
    }

    /** @return the topic */
    public String topic() {
        return topic;
    }

    /** @return a copy of the payload */
    public byte[] payload() {
        return payload.clone();
    }

    /** @return the payload's length in bytes, without copying it */
    public int payloadSize() {
        return payload.length;
    }

    /** @return the QoS */
    public int qos() {
        return qos;
    }

    /** @return the publisher's client id */
    public String clientId() {
        return clientId;
    }

    /** @return when the broker received the message, epoch milliseconds */
    public long timestampMillis() {
        return timestampMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LogEntry)) {
            return false;
        }
        LogEntry that = (LogEntry) o;
        return qos == that.qos && timestampMillis == that.timestampMillis && topic.equals(that.topic)
                && Arrays.equals(payload, that.payload) && clientId.equals(that.clientId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, clientId, timestampMillis);
    }

    @Override
    public String toString() {
        return "LogEntry[topic=" + topic + ", qos=" + qos + ", clientId=" + clientId + ", bytes=" + payload.length
                + ", ts=" + timestampMillis + "]";
    }
}
