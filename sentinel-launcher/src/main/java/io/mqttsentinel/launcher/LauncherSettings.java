package io.mqttsentinel.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.mqttsentinel.config.Setting;

/**
 * The launcher's own settings (data directory, metrics server, shutdown, logs), described once like an engine's:
 * {@link #SETTINGS} is what {@link LauncherConfig} reads them with and what the catalogue ({@code sentinel config},
 * docs/configuration.md) lists. A value that is not allowed fails in the one format of every setting
 * ({@code SENTINEL_X='v' is invalid: <parameter> must be <range>}).
 */
final class LauncherSettings {
    /** Log levels of {@code SENTINEL_LOG_LEVEL}. */
    enum Level { TRACE, DEBUG, INFO, WARN, ERROR }

    static final List<Setting<LauncherSettings>> SETTINGS = List.of(
            Setting.<LauncherSettings>text("SENTINEL_DATA_DIR", "dataDir", "./data", "a writable directory (created if missing)",
                    "Local state: message log, generated TLS pair, credentials file, security event files",
                    LauncherSettings::dataDir),
            Setting.<LauncherSettings>integer("SENTINEL_METRICS_PORT", "metricsPort", 0, 65_535, 9090,
                    "Port of the process's /metrics (Prometheus), /healthz and /readyz; 0 = off",
                    (s, port) -> s.metricsPort = port)
                    .defaultText("9090 proxy and all, 9091 broker, 9092 bridge"),
            Setting.<LauncherSettings>text("SENTINEL_METRICS_BIND", "metricsBind", "0.0.0.0",
                    "an IP address or host name of this machine", "Address the metrics/health server binds",
                    (s, bind) -> s.metricsBind = bind),
            Setting.<LauncherSettings>duration("SENTINEL_SHUTDOWN_DELAY", "shutdownDelay", Duration.ZERO,
                    Duration.ofMinutes(5), Duration.ZERO, "On SIGTERM, /readyz answers 503 at once and the process goes on "
                            + "serving this long, so that a load balancer stops sending new connections (set it to the "
                            + "balancer's health-check interval)", (s, d) -> s.shutdownDelay = d),
            Setting.<LauncherSettings>duration("SENTINEL_SHUTDOWN_GRACE", "shutdownGrace", Duration.ZERO,
                    Duration.ofMinutes(10), Duration.ofSeconds(30), "Then the proxy stops accepting and reading, and "
                            + "waits up to this long for the core's PUBACK of what it forwarded before it disconnects the "
                            + "devices (0s: stop at once)", (s, d) -> s.shutdownGrace = d),
            Setting.<LauncherSettings, Level>choice("SENTINEL_LOG_LEVEL", "logLevel", Level.class, Level.INFO,
                    "Log level (logs go to standard error)", (s, level) -> s.logLevel = level));

    private Path dataDir = Path.of("./data").toAbsolutePath().normalize();
    private int metricsPort = -1; // unset: the role's default
    private String metricsBind = "0.0.0.0";
    private Duration shutdownDelay = Duration.ZERO;
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private Level logLevel = Level.INFO;

    private void dataDir(String path) {
        dataDir = Path.of(path).toAbsolutePath().normalize(); // an invalid path throws IllegalArgumentException
    }

    /** @return the data directory, absolute */
    Path dataDir() {
        return dataDir;
    }

    /**
     * @param roleDefault the port when unset (the process's first role's)
     * @return the metrics server's port, 0 = off
     */
    int metricsPort(int roleDefault) {
        return metricsPort < 0 ? roleDefault : metricsPort;
    }

    /** @return the metrics server's bind address */
    String metricsBind() {
        return metricsBind;
    }

    /** @return how long a stopping process keeps serving while {@code /readyz} answers 503 */
    Duration shutdownDelay() {
        return shutdownDelay;
    }

    /** @return how long a stopping proxy waits for the core's acknowledgements of what it forwarded */
    Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** @return the log level, lower case */
    String logLevel() {
        return logLevel.name().toLowerCase(Locale.ROOT);
    }
}
