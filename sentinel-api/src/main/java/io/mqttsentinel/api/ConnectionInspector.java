package io.mqttsentinel.api;

/**
 * Looks at every new device connection by its source and says whether to accept it: the behavioural check
 * on connection rates ("100+ connections/s from one source: rate limit and flag"), next to the proxy's
 * CONNECT rate-limit tier.
 *
 * <p><b>Who calls it:</b> the edge proxy, once per CONNECT, before the rate-limit tiers and the auth
 * callout. A verdict that does not {@linkplain Action#delivers() deliver} refuses the connection (CONNACK
 * 0x05); every finding, blocking or not, becomes a {@link SecurityEvent}.
 *
 * <p><b>Threading and cost:</b> synchronous, CPU-only, called from proxy I/O threads; constant time per
 * call and bounded memory whatever the number of sources. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ConnectionInspector {

    /** Accepts every connection. */
    ConnectionInspector ALLOW_ALL = source -> Verdict.allow();

    /**
     * Counts a new connection and judges it.
     *
     * @param sourceAddress the source, an IP address in text form
     * @return {@link Verdict#allow()} to accept, or a verdict with findings
     */
    Verdict inspectConnection(String sourceAddress);
}
