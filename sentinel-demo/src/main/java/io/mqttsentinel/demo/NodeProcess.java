package io.mqttsentinel.demo;

import io.mqttsentinel.launcher.SentinelLauncher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code sentinel broker} or {@code sentinel bridge} of the cluster demo in a child JVM of its own, started
 * from the demo's own class path (the demo jar), so that the demo can kill it with SIGKILL as a crash would.
 * It gets only the settings the demo gives it, never the operator's {@code SENTINEL_*} environment; its output
 * goes to {@code <name>.out} and {@code <name>.err} in the demo's data directory. Its state comes from its
 * {@code /readyz} and {@code /metrics}. Thread-safe.
 */
final class NodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private final String name;
    private final Process process;
    private final int metricsPort;
    private volatile boolean killed;

    private NodeProcess(String name, Process process, int metricsPort) {
        this.name = name;
        this.process = process;
        this.metricsPort = metricsPort;
    }

    /**
     * @param dir      where the output files go
     * @param name     its name, e.g. {@code node-1}
     * @param role     the launcher's command, {@code broker} or {@code bridge}
     * @param settings its {@code SENTINEL_*} settings, with {@code SENTINEL_METRICS_PORT}
     * @return the started process (not yet ready)
     * @throws IOException when it cannot be started
     */
    static NodeProcess start(Path dir, String name, String role, Map<String, String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SentinelLauncher.class.getName(), role));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SENTINEL_"));
        pb.environment().putAll(settings);
        return new NodeProcess(name, pb.start(), Integer.parseInt(settings.get("SENTINEL_METRICS_PORT")));
    }

    /** @return its name */
    String name() {
        return name;
    }

    /** @return its process id */
    long pid() {
        return process.pid();
    }

    /** @return whether it runs and was not killed */
    boolean isAlive() {
        return !killed && process.isAlive();
    }

    /** @return whether it runs and its {@code /readyz} answers 200 */
    boolean isReady() {
        return isAlive() && get("/readyz") != null;
    }

    /**
     * @param series a series' name as {@code /metrics} writes it, e.g. {@code bridge_lease_held}
     * @return the sum of its values over every label set, or NaN when it is absent or the process does not answer
     */
    double metric(String series) {
        if (!isAlive()) {
            return Double.NaN;
        }
        String body = get("/metrics");
        if (body == null) {
            return Double.NaN;
        }
        double sum = Double.NaN;
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    /** SIGKILL: no drain, no flush, no close; the operating system resets its connections. */
    void kill() {
        killed = true;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String get(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Kills it (the demo's end needs no graceful stop: its log is Kafka, which stops after it). */
    @Override
    public void close() {
        kill();
    }
}
