package io.mqttsentinel.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of inspecting one message: the action to take and the findings that led to it.
 *
 * <p>{@link #allow()} is a shared instance so that a clean message costs no allocation.
 *
 * @param action   the most severe action among the findings, {@link Action#ALLOW} when there are none
 * @param findings what was found, most severe first; empty for a clean message
 */
public record Verdict(Action action, List<Finding> findings) {

    private static final Verdict ALLOW = new Verdict(Action.ALLOW, List.of());

    /**
     * @param action   the action to take
     * @param findings the findings
     */
    public Verdict {
        Objects.requireNonNull(action, "action");
        findings = List.copyOf(Objects.requireNonNull(findings, "findings"));
        Action strongest = Action.ALLOW;
        for (Finding f : findings) {
            strongest = strongest.max(f.action());
        }
        if (strongest != action) {
            throw new IllegalArgumentException("action " + action + " does not match the findings' strongest action " + strongest);
        }
    }

    /** @return the shared verdict of a clean message */
    public static Verdict allow() {
        return ALLOW;
    }

    /**
     * @param findings what was found (may be empty)
     * @return a verdict whose action is the strongest of the findings'
     */
    public static Verdict of(List<Finding> findings) {
        if (findings.isEmpty()) {
            return ALLOW;
        }
        Action strongest = Action.ALLOW;
        for (Finding f : findings) {
            strongest = strongest.max(f.action());
        }
        List<Finding> sorted = new java.util.ArrayList<>(findings);
        sorted.sort((a, b) -> b.action().compareTo(a.action()) != 0 ? b.action().compareTo(a.action())
                : b.severity().compareTo(a.severity()));
        return new Verdict(strongest, sorted);
    }

    /** @return the most severe finding, if any */
    public Optional<Finding> primary() {
        return findings.isEmpty() ? Optional.empty() : Optional.of(findings.get(0));
    }
}
