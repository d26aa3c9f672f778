package io.mqttsentinel.api;

import java.util.Objects;

/**
 * Who sent a message and where to: what an inspector may use besides the payload.
 *
 * @param clientId the publishing device's client id
 * @param topic    the PUBLISH topic
 * @param qos      the PUBLISH QoS (0, 1 or 2)
 * @param sourceAddress the device's address as text, or empty when unknown (the broker sees the proxy)
 * @param receivedAtMillis when the broker received it, epoch milliseconds from the broker's clock
 */
public record MessageContext(String clientId, String topic, int qos, String sourceAddress, long receivedAtMillis) {

    /**
     * @param clientId the publisher's client id
     * @param topic    the topic
     * @param qos      the QoS, 0 to 2
     * @param sourceAddress the source address or empty
     * @param receivedAtMillis the receive time
     */
    public MessageContext {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
        }
    }
}
