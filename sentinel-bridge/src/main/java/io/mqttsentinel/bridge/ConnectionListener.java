package io.mqttsentinel.bridge;

import java.time.Duration;

/**
 * Hears when one side of the bridge (the core broker or the origin) connects and disconnects, e.g. to log
 * or to drive a health check. Called on the MQTT client's I/O thread: implementations return quickly and
 * never block. Both methods do nothing by default.
 */
public interface ConnectionListener {
    /** A listener that does nothing. */
    ConnectionListener NONE = new ConnectionListener() {
    };

    /** The connection is established (after the first connect or a reconnect). */
    default void onConnected() {
    }

    /**
     * The connection was lost or a connection attempt failed.
     *
     * @param cause   why
     * @param retryIn the delay before the next attempt, or {@code null} when no attempt follows (closed)
     */
    default void onDisconnected(Throwable cause, Duration retryIn) {
    }
}
