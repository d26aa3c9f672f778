package io.mqttsentinel.api;

/**
 * What the core broker does with an inspected message, from least to most severe. When several findings
 * apply, the most severe action wins ({@link #max(Action)}).
 */
public enum Action {
    /** Deliver the message; nothing was found. */
    ALLOW,
    /** Deliver the message, and raise a security event for review. */
    FLAG,
    /** Do not deliver the message: keep it in the quarantine log for review, and raise a security event. */
    QUARANTINE,
    /** Do not deliver or keep the message; raise a security event. */
    BLOCK;

    /**
     * @param other another action
     * @return the more severe of this and {@code other}
     */
    public Action max(Action other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** @return {@code true} when the message may be delivered to subscribers ({@link #ALLOW} or {@link #FLAG}) */
    public boolean delivers() {
        return this == ALLOW || this == FLAG;
    }
}
