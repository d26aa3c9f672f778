package io.mqttsentinel.launcher;

import java.util.Locale;

/** The executables a launcher process can run, alone or together ({@code all}). */
public enum Role {
    /** The TLS edge proxy; metrics on 9090 by default. */
    PROXY(9090),
    /** The inspecting core broker with its durable log; metrics on 9091 by default. */
    BROKER(9091),
    /** The WebSocket bridge to the origin; metrics on 9092 by default. */
    BRIDGE(9092);

    private final int defaultMetricsPort;

    Role(int defaultMetricsPort) {
        this.defaultMetricsPort = defaultMetricsPort;
    }

    /** @return the metrics port used when {@code SENTINEL_METRICS_PORT} is unset and this role runs alone */
    public int defaultMetricsPort() {
        return defaultMetricsPort;
    }

    /** @return the role's name as a command and a readiness label, e.g. {@code proxy} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
