package io.mqttsentinel.inspect;

/**
 * A rule file could not be loaded. The message names the file, the rule id (when the problem is in one
 * rule) and the reason, e.g. {@code rules.json: rule "acme-1": unknown action "drop" (allowed: flag,
 * quarantine, block)}.
 */
public final class RuleFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String ruleId;

    /**
     * @param message what is wrong, with the file and the rule id
     * @param ruleId  the rule at fault, or {@code null} when the file as a whole is at fault
     * @param cause   the parser's exception, or {@code null}
     */
    public RuleFileException(String message, String ruleId, Throwable cause) {
        super(message, cause);
        this.ruleId = ruleId;
    }

    /** @return the id of the rule at fault, or {@code null} when the problem is not in one rule */
    public String ruleId() {
        return ruleId;
    }
}
