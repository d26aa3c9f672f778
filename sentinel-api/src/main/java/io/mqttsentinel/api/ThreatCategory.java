package io.mqttsentinel.api;

/**
 * The kinds of finding a {@link PayloadInspector} reports: four signature classes and three behavioural
 * anomalies.
 */
public enum ThreatCategory {
    /** SQL injection signature. */
    SQL_INJECTION(false),
    /** Shell command injection signature. */
    COMMAND_INJECTION(false),
    /** Cross-site scripting signature. */
    XSS(false),
    /** Path traversal signature. */
    PATH_TRAVERSAL(false),
    /** Payload larger than the size threshold (10 KB by default). */
    PAYLOAD_SIZE(true),
    /** Shannon entropy above the threshold (7.5 bits per byte by default). */
    ENTROPY(true),
    /** Message or connection rate above the threshold (100 per second by default). */
    RATE(true);

    private final boolean anomaly;

    ThreatCategory(boolean anomaly) {
        this.anomaly = anomaly;
    }

    /** @return {@code true} for behavioural anomalies, {@code false} for signatures */
    public boolean isAnomaly() {
        return anomaly;
    }

    /** @return the lower-case label used in metrics and events, e.g. {@code "sql_injection"} */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
