package io.mqttsentinel.inspect;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;

import java.util.List;
import java.util.Objects;

/**
 * One signature rule: what it is called, what it reports and what it asks for. A rule is either bound to
 * a built-in detector by its id ({@link #builtIn()}), or an operator's rule that matches literal strings
 * ({@link #literals()}) in the decoded, lower-cased value, on word boundaries.
 *
 * @param id          stable id, e.g. {@code "sqli-union"}; appears in findings, events and metrics
 * @param category    the signature class it reports (never an anomaly category)
 * @param severity    how serious a match is
 * @param action      what a match asks for: {@link Action#FLAG}, {@link Action#QUARANTINE} or {@link Action#BLOCK}
 * @param description what the rule looks for, for operators
 * @param enabled     whether it runs
 * @param builtIn     whether a built-in detector implements it
 * @param literals    for operators' rules, the lower-case strings it matches; empty for built-in rules
 */
public record Rule(String id, ThreatCategory category, Severity severity, Action action, String description,
                   boolean enabled, boolean builtIn, List<String> literals) {

    /**
     * @param id          the id
     * @param category    the category
     * @param severity    the severity
     * @param action      the action
     * @param description the description
     * @param enabled     whether it runs
     * @param builtIn     whether it is built in
     * @param literals    the literals of an operator's rule
     */
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(description, "description");
        literals = List.copyOf(literals);
        if (category.isAnomaly()) {
            throw new IllegalArgumentException("rule " + id + ": category " + category.label()
                    + " is an anomaly, not a signature");
        }
        if (action == Action.ALLOW) {
            throw new IllegalArgumentException("rule " + id + ": action must be flag, quarantine or block, was allow");
        }
        if (!builtIn && literals.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + ": a rule that is not built in needs at least one literal");
        }
    }

    /**
     * @param enabled whether the copy runs
     * @return a copy that is enabled or not
     */
    public Rule withEnabled(boolean enabled) {
        return new Rule(id, category, severity, action, description, enabled, builtIn, literals);
    }
}
