package io.mqttsentinel.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A security decision worth telling an operator about: a blocked, quarantined or flagged message, a
 * denied CONNECT, a rate-limit rejection.
 *
 * @param time      when it happened
 * @param layer     which layer took the decision: {@code "proxy"}, {@code "broker"} or {@code "bridge"}
 * @param clientId  the device's client id, empty if not known
 * @param topic     the topic concerned, empty if none
 * @param category  the kind of finding, e.g. {@code "sql_injection"}, {@code "auth"}, {@code "rate"}
 * @param ruleId    the rule or detector that fired
 * @param severity  how serious
 * @param action    what was done
 * @param excerpt   a bounded, escaped excerpt of the input (see {@link Finding#MAX_EXCERPT}); never a secret
 */
public record SecurityEvent(Instant time, String layer, String clientId, String topic, String category,
                            String ruleId, Severity severity, Action action, String excerpt) {

    /**
     * @param time     when it happened
     * @param layer    the layer
     * @param clientId the client id or empty
     * @param topic    the topic or empty
     * @param category the category label
     * @param ruleId   the rule id
     * @param severity the severity
     * @param action   the action
     * @param excerpt  the excerpt, truncated to {@link Finding#MAX_EXCERPT}
     */
    public SecurityEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(action, "action");
        excerpt = excerpt == null ? "" : (excerpt.length() > Finding.MAX_EXCERPT ? excerpt.substring(0, Finding.MAX_EXCERPT) : excerpt);
    }

    /**
     * @param time    when
     * @param context the inspected message
     * @param finding what was found
     * @return the event that reports {@code finding} on the broker
     */
    public static SecurityEvent of(Instant time, MessageContext context, Finding finding) {
        return new SecurityEvent(time, "broker", context.clientId(), context.topic(), finding.category().label(),
                finding.ruleId(), finding.severity(), finding.action(), finding.excerpt());
    }
}
