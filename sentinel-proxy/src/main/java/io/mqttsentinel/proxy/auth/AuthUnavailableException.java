package io.mqttsentinel.proxy.auth;

/**
 * The authority gave no verdict (timeout, refused connection, 5xx, an answer that cannot be parsed, an
 * open circuit breaker, a full call queue). The CONNECT is denied with 0x05 and nothing is cached.
 */
public final class AuthUnavailableException extends RuntimeException {
    /** @param message what went wrong, log-safe */
    public AuthUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, log-safe
     * @param cause   the underlying failure
     */
    public AuthUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
