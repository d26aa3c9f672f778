package io.mqttsentinel.proxy.auth;

import java.util.Objects;

/**
 * No verdict: the authority failed (timeout, refused connection, 5xx, an answer that cannot be parsed, an open
 * circuit breaker), or the proxy could not ask it in time because its own queue of CONNECTs waiting for a call
 * was full or the wait ran past its bound. Nothing is cached; {@link #reason()} tells the proxy which of these it
 * was, so that its own overload is never counted, answered or alerted on as the authority's outage.
 */
public final class AuthUnavailableException extends RuntimeException {
    /** Why there is no verdict. */
    public enum Reason {
        /** The authority failed or its circuit breaker is open: an outage (CONNACK 0x05). */
        OUTAGE,
        /**
         * The queue of CONNECTs waiting for a call was full: the proxy is overloaded, the authority was not asked
         * (CONNACK 0x03).
         */
        BUSY,
        /**
         * The CONNECT waited for a call longer than the queue allows: the authority answers slower than CONNECTs
         * arrive, or the proxy is starved; the authority was not asked (CONNACK 0x03).
         */
        QUEUE_TIMEOUT
    }

    private final Reason reason;

    /** @param message what went wrong, log-safe; the reason is {@link Reason#OUTAGE} */
    public AuthUnavailableException(String message) {
        this(Reason.OUTAGE, message, null);
    }

    /**
     * @param message what went wrong, log-safe; the reason is {@link Reason#OUTAGE}
     * @param cause   the underlying failure
     */
    public AuthUnavailableException(String message, Throwable cause) {
        this(Reason.OUTAGE, message, cause);
    }

    /**
     * @param reason  why there is no verdict
     * @param message what went wrong, log-safe
     * @param cause   the underlying failure, or null
     */
    public AuthUnavailableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why there is no verdict */
    public Reason reason() {
        return reason;
    }
}
