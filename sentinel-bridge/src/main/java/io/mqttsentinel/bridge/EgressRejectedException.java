package io.mqttsentinel.bridge;

/**
 * Fails a {@link io.mqttsentinel.api.Egress#publish} stage at once, before anything was sent: the egress is
 * not started, closed, or has as many publishes awaiting the origin's acknowledgement as it allows.
 */
public final class EgressRejectedException extends RuntimeException {
    /** Why a publish was refused. */
    public enum Reason {
        /** {@code start} has not been called. */
        NOT_STARTED,
        /** The egress is closed. */
        CLOSED,
        /** The bound of publishes awaiting PUBACK is reached. */
        IN_FLIGHT_LIMIT
    }

    private final Reason reason;

    /**
     * @param reason  why
     * @param message a message naming the limit or state
     */
    public EgressRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return why the publish was refused */
    public Reason reason() {
        return reason;
    }
}
