package io.mqttsentinel.proxy.internal;

import java.time.Clock;
import java.time.Instant;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.ConnectionInspector;
import io.mqttsentinel.api.RateLimiter;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.proxy.ClientAuthMode;
import io.mqttsentinel.proxy.ProxyLimits;

/**
 * What every connection of one proxy shares: its collaborators and settings. Immutable.
 *
 * @param limits             the limits
 * @param mqttLimits         the strict validator's limits
 * @param rateLimiter        the six tiers
 * @param authCallout        the authentication callout
 * @param defaultPermissions the ACL templates used when the auth verdict carries none
 * @param upstreams          the core broker nodes and their health
 * @param forwardUsername    whether the device's user name is sent upstream (the password never is)
 * @param clientAuth         whether client certificates are requested
 * @param metrics            the meters
 * @param events             the security event sink
 * @param clock              the clock of security events (wall-clock timestamps)
 * @param ticker             the time source of every duration the proxy measures
 * @param connections        the behavioural check of each CONNECT's source
 * @param drain              device connections and forwarded PUBLISHes awaiting the core, for a graceful stop
 */
public record ProxyRuntime(ProxyLimits limits, MqttLimits mqttLimits, RateLimiter rateLimiter, AuthCallout authCallout,
                           TopicPermissions defaultPermissions, UpstreamPool upstreams, boolean forwardUsername,
                           ClientAuthMode clientAuth, ProxyMetrics metrics, SecurityEventSink events, Clock clock,
                           Ticker ticker, ConnectionInspector connections, Drain drain) {

    /** The longest queue wait a callout may declare (the longest of the proxy's timeouts). */
    private static final java.time.Duration MAX_QUEUE_WAIT = java.time.Duration.ofMinutes(5);

    /**
     * How long a CONNECT may wait for its verdict: the auth timeout plus the callout's own bounded queue wait
     * ({@link AuthCallout#maxQueueWait()}, at most 5 minutes). The time a CONNECT spends waiting its turn is thus
     * not taken from the time the callout has to answer, and a callout that never answers still cannot hold a
     * connection for ever.
     *
     * @return the deadline from CONNECT to verdict, in nanoseconds
     */
    public long authDeadlineNanos() {
        java.time.Duration queue;
        try {
            queue = authCallout.maxQueueWait();
        } catch (RuntimeException e) {
            queue = null; // a custom callout's bug must not take the proxy's own deadline away
        }
        if (queue == null || queue.isNegative()) {
            queue = java.time.Duration.ZERO;
        }
        if (queue.compareTo(MAX_QUEUE_WAIT) > 0) {
            queue = MAX_QUEUE_WAIT;
        }
        return limits.authTimeout().toNanos() + queue.toNanos();
    }

    /**
     * Hands an event of the proxy layer to the sink; a sink that throws is ignored.
     *
     * @param clientId client id or empty
     * @param topic    topic or empty
     * @param category category label
     * @param ruleId   rule id
     * @param severity severity
     * @param excerpt  a log-safe excerpt
     */
    public void event(String clientId, String topic, String category, String ruleId, Severity severity, String excerpt) {
        event(clientId, topic, category, ruleId, severity, Action.BLOCK, excerpt);
    }

    /**
     * Hands an event of the proxy layer to the sink; a sink that throws is ignored.
     *
     * @param clientId client id or empty
     * @param topic    topic or empty
     * @param category category label
     * @param ruleId   rule id
     * @param severity severity
     * @param action   what was done
     * @param excerpt  a log-safe excerpt
     */
    public void event(String clientId, String topic, String category, String ruleId, Severity severity, Action action,
                      String excerpt) {
        try {
            events.accept(new SecurityEvent(Instant.now(clock), "proxy", clientId == null ? "" : clientId,
                    topic == null ? "" : topic, category, ruleId, severity, action, excerpt));
        } catch (RuntimeException e) {
            // the decision is taken already; a failing sink must not change it
        }
    }
}
