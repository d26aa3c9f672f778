package io.mqttsentinel.api;

/**
 * Receives security events: the security event aggregator of the architecture.
 *
 * <p><b>Who calls it:</b> any layer, from its I/O threads, every time it blocks, quarantines or flags
 * something. {@link #accept} must return quickly and must not block: a sink that writes to a file or a
 * network queues the event (bounded) and writes it from its own thread, and counts what it had to drop.
 *
 * <p><b>Failure:</b> {@code accept} never throws; losing an event never changes a security decision,
 * which has already been taken.
 *
 * <p><b>Thread-safety:</b> implementations are thread-safe.
 */
@FunctionalInterface
public interface SecurityEventSink {

    /** A sink that drops every event. */
    SecurityEventSink NONE = event -> { };

    /** @param event the event to record or forward */
    void accept(SecurityEvent event);

    /**
     * @param other another sink
     * @return a sink that hands every event to this sink, then to {@code other}
     */
    default SecurityEventSink andThen(SecurityEventSink other) {
        return event -> {
            accept(event);
            other.accept(event);
        };
    }
}
