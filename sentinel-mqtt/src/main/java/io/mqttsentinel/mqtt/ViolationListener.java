package io.mqttsentinel.mqtt;

import java.net.SocketAddress;

/**
 * Told about every connection the strict validator refuses, once per connection, on the connection's
 * event loop. Implementations count and log; they must not block.
 */
@FunctionalInterface
public interface ViolationListener {

    /** A listener that ignores violations. */
    ViolationListener NONE = (violation, detail, remote) -> { };

    /**
     * @param violation why the connection is refused
     * @param detail    a short, log-safe description (never payload bytes)
     * @param remote    the peer's address, may be {@code null}
     */
    void onViolation(ProtocolViolation violation, String detail, SocketAddress remote);
}
