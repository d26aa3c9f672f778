package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's real {@code main}: a child JVM per test, its exit codes, its output, SIGTERM. */
class LauncherProcessTest {
    @TempDir
    Path dir;

    private Process launch(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SentinelLauncher.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SENTINEL_") && !k.equals("SENTINEL_REQUIRE_SERVICES"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    private String readQuietly(String name) {
        try {
            return read(name);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void badValue_exitsTwoWithOneLineAndNoStackTrace() throws Exception {
        Process p = launch(Map.of("SENTINEL_DATA_DIR", dir.resolve("data").toString(), "SENTINEL_BROKER_PORT", "-1"), "broker");

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        // one line naming the key, the value and the range (the wording is the broker's)
        assertThat(read("err.txt").strip().lines()).singleElement().asString()
                .startsWith("sentinel: configuration error: SENTINEL_BROKER_PORT").contains("-1").contains("65535");
    }

    @Test
    void broker_servesUntilSigterm_thenStopsCleanly() throws Exception {
        int metrics = FreePorts.next();
        Process p = launch(Map.of("SENTINEL_DATA_DIR", dir.resolve("data").toString(), "SENTINEL_BROKER_PORT", "0",
                "SENTINEL_METRICS_PORT", Integer.toString(metrics), "SENTINEL_METRICS_BIND", "127.0.0.1",
                "SENTINEL_BROKER_INSECURE_PLAIN", "true"), "broker");
        try {
            assertThat(TestClients.await(Duration.ofSeconds(60), () -> {
                try {
                    return TestClients.get(metrics, "/readyz").statusCode() == 200;
                } catch (RuntimeException e) {
                    return false;
                }
            })).as("ready; stderr: %s", read("err.txt")).isTrue();
            assertThat(TestClients.await(Duration.ofSeconds(30), () -> readQuietly("out.txt").startsWith(
                    "sentinel broker started, broker mqtt 127.0.0.1:"))).as("started line").isTrue();

            p.destroy(); // SIGTERM

            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(read("err.txt")).contains("core broker stopped").contains("closed message log");
        } finally {
            p.destroyForcibly();
        }
    }
}
