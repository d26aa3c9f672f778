package io.mqttsentinel.broker.internal;

/**
 * Hands a stored message to every matching session, with the QoS each may receive: the lower of the
 * publish QoS and the granted QoS, and never more than 1 (the broker does not send QoS 2).
 */
public final class Router {
    private final SubscriptionIndex index;

    /** @param index the subscription index */
    public Router(SubscriptionIndex index) {
        this.index = index;
    }

    /** @param message a message that may be delivered (its verdict delivers and the log holds it) */
    public void route(BrokerMessage message) {
        if (ReservedTopics.isReserved(message.topic())) {
            return;
        }
        int published = message.qos();
        index.forEachMatch(message.topic(),
                (session, granted) -> session.deliver(message, Math.min(1, Math.min(published, granted)), false, true));
    }
}
