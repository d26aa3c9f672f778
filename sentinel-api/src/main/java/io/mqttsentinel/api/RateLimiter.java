package io.mqttsentinel.api;

import java.net.InetAddress;

/**
 * Decides, per MQTT packet, whether the edge proxy admits it under the six tiers of
 * {@link RateLimitTier}.
 *
 * <p><b>Who calls it:</b> the proxy, once for every packet it has decoded and validated, on the Netty
 * event loop of the connection, before it acts on the packet. The call is on the hot path of up to a
 * million connections per node: implementations answer synchronously, never block or wait on I/O, and
 * allocate nothing per call in the steady state. A limiter shared by a fleet (Redis) leases tokens in
 * the background so that this method still does not wait.
 *
 * <p><b>Thread-safety:</b> implementations are safe for concurrent use by any number of threads.
 *
 * <p><b>Failure:</b> this method does not throw for any well-formed argument. A limiter that cannot
 * track a new key (its memory cap is reached) rejects it: rate limiting fails closed.
 *
 * <p>What the caller does with a rejection is fixed by the architecture: CONNECT is answered with
 * CONNACK 0x05, a QoS 0 PUBLISH is dropped silently, a QoS 1 or 2 PUBLISH gets no PUBACK, a SUBSCRIBE gets
 * SUBACK 0x80.
 */
public interface RateLimiter {

    /**
     * Takes one token for a packet from every tier that applies to it, in tier order.
     *
     * @param kind     the packet's kind
     * @param source   the device's source address (the IP tier and the CONNECT tier key on it)
     * @param clientId the device's client id, or {@code null} when not yet known (before CONNECT is parsed);
     *                 the client-id tiers are skipped when it is {@code null}
     * @return the decision; {@link RateLimitDecision#rejectedBy()} names the first tier that rejected
     */
    RateLimitDecision tryAcquire(PacketKind kind, InetAddress source, String clientId);
}
