package io.mqttsentinel.api;

/** How serious a finding is, from least to most. */
public enum Severity {
    /** Informational. */
    LOW,
    /** Worth a look. */
    MEDIUM,
    /** An attack attempt (SQL injection, XSS, path traversal). */
    HIGH,
    /** An attack that can take over a host (command injection). */
    CRITICAL;

    /** @return the lower-case label used in metrics and events */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
