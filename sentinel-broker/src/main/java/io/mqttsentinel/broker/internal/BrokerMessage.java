package io.mqttsentinel.broker.internal;

import io.mqttsentinel.api.LogPosition;

/**
 * A message accepted by the broker, as routed to subscribers. The payload array is shared by every
 * subscriber's delivery and never changed.
 *
 * @param topic            the topic
 * @param payload          the payload (shared, read-only by convention)
 * @param qos              the QoS it was published with, 0 to 2
 * @param position         where the log holds it, {@code null} when it was never stored
 * @param receivedAtNanos  the broker's {@code Ticker} reading when it received it (delivery latency), or
 *                         {@code 0} for a message replayed from the log at start (counted in no meter)
 */
public record BrokerMessage(String topic, byte[] payload, int qos, LogPosition position, long receivedAtNanos) {

    /** @return {@code true} for a message replayed from the log by recovery */
    public boolean replayed() {
        return receivedAtNanos == 0;
    }
}
