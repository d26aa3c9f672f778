package io.mqttsentinel.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.testkit.Await;

/**
 * {@code sentinel <role>} in a child JVM, as an operator runs it, so that a test can kill it with SIGKILL as a
 * crash would. Its output goes to {@code <name>.out} and {@code <name>.err} in the test's directory.
 */
final class LauncherChild implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path err;
    private final int metricsPort;

    private LauncherChild(String name, Process process, Path err, int metricsPort) {
        this.name = name;
        this.process = process;
        this.err = err;
        this.metricsPort = metricsPort;
    }

    /**
     * @param dir         where the output files go
     * @param name        a name for them and for failures
     * @param role        the launcher's subcommand, e.g. {@code broker}
     * @param env         its {@code SENTINEL_*} settings (the parent's are not passed on), with a metrics port
     * @return the started child; {@link #awaitReady(Duration)} waits for its {@code /readyz}
     * @throws IOException when it cannot be started
     */
    static LauncherChild start(Path dir, String name, String role, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SentinelLauncher.class.getName(), role));
        Path err = dir.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SENTINEL_"));
        pb.environment().putAll(env);
        return new LauncherChild(name, pb.start(), err, Integer.parseInt(env.get("SENTINEL_METRICS_PORT")));
    }

    /** Waits until {@code /readyz} answers 200; fails with the child's log otherwise. */
    LauncherChild awaitReady(Duration timeout) {
        Await.until(name + " ready (" + name + ".err: " + tail() + ")", timeout, () -> process.isAlive() && isReady());
        return this;
    }

    boolean isReady() {
        try {
            return TestClients.get(metricsPort, "/readyz").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** @return the child's {@code /metrics} text */
    String metrics() {
        return TestClients.get(metricsPort, "/metrics").body();
    }

    /**
     * @param series a series as the text format writes it, e.g. {@code bridge_lease_held}
     * @return its value in {@link #metrics()}, or NaN when absent or the child does not answer
     */
    double metric(String series) {
        try {
            return metrics().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(Double.NaN);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** SIGKILL: no drain, no flush, no close; the OS resets its connections. */
    void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String name() {
        return name;
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(err);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    @Override
    public void close() {
        kill9();
    }
}
