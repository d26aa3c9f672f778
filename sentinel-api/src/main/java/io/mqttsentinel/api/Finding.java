package io.mqttsentinel.api;

import java.util.Objects;

/**
 * One thing an inspector found in a message.
 *
 * @param category what kind of threat or anomaly
 * @param severity how serious
 * @param action   what this finding alone asks for
 * @param ruleId   the id of the rule or detector that fired (stable, e.g. {@code "sqli-tautology"})
 * @param excerpt  a short, escaped excerpt of the offending input (at most a few hundred characters,
 *                 control characters escaped), safe to log; may be empty
 */
public record Finding(ThreatCategory category, Severity severity, Action action, String ruleId, String excerpt) {

    /** Longest excerpt kept, in characters. */
    public static final int MAX_EXCERPT = 256;

    /**
     * @param category what kind of threat or anomaly
     * @param severity how serious
     * @param action   what this finding asks for
     * @param ruleId   the id of the rule that fired
     * @param excerpt  a short excerpt, truncated to {@link #MAX_EXCERPT}
     */
    public Finding {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(ruleId, "ruleId");
        excerpt = excerpt == null ? "" : (excerpt.length() > MAX_EXCERPT ? excerpt.substring(0, MAX_EXCERPT) : excerpt);
        if (action == Action.ALLOW) {
            throw new IllegalArgumentException("a finding asks for FLAG, QUARANTINE or BLOCK, not ALLOW");
        }
    }
}
