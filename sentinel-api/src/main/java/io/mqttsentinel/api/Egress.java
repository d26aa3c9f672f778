package io.mqttsentinel.api;

import java.util.concurrent.CompletionStage;

/**
 * The bridge's connection to the customer's origin (MQTT over WebSocket through the customer's WAF).
 *
 * <p><b>Lifecycle:</b> {@link #start} once, then {@link #publish} from any thread, then {@link #close()}.
 * The egress reconnects by itself with exponential backoff when the origin goes away; while it is away,
 * {@link #publish} stages stay pending (bounded) or fail, they never complete without an acknowledgement.
 *
 * <p><b>Acknowledgement:</b> the stage returned by {@link #publish} completes only when the origin has
 * acknowledged the message (PUBACK for QoS 1). The bridge acknowledges the core broker only then: nothing
 * acknowledged is lost.
 *
 * <p><b>Inbound:</b> messages the origin sends back (alerts for devices) are handed to the
 * {@link InboundListener} given to {@link #start}; the egress acknowledges them to the origin only when
 * the listener's stage completes.
 *
 * <p><b>Thread-safety:</b> implementations are thread-safe.
 */
public interface Egress extends AutoCloseable {

    /** Receives messages that the origin sends towards the devices. */
    @FunctionalInterface
    interface InboundListener {
        /**
         * @param message a message from the origin
         * @return a stage that completes when the message is safely in the core broker
         */
        CompletionStage<Void> onMessage(EgressMessage message);
    }

    /**
     * Connects to the origin and subscribes to its inbound topics.
     *
     * @param inbound where messages from the origin go
     * @return a stage that completes at the first successful connection
     */
    CompletionStage<Void> start(InboundListener inbound);

    /**
     * @param message the message to send to the origin
     * @return a stage that completes when the origin acknowledged the message, or exceptionally when it
     *         cannot be sent (closed egress, queue full)
     */
    CompletionStage<Void> publish(EgressMessage message);

    /** @return {@code true} while connected to the origin */
    boolean isConnected();

    /** Disconnects; pending publishes fail. */
    @Override
    void close();
}
