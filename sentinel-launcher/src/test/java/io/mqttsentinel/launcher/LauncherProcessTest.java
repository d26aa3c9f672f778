package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
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
    void broker_servesUntilSigterm_thenStopsCleanlyWithExitCodeZero() throws Exception {
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
            assertThat(p.exitValue()).as("a graceful stop is a success").isZero();
            assertThat(read("err.txt")).contains("core broker stopped").contains("closed message log");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermMidStream_exitsZeroWithinTheGrace_andEveryAcknowledgedMessageIsDeliveredAfterRestart() throws Exception {
        int port = FreePorts.next();
        Map<String, String> env = Map.of("SENTINEL_DATA_DIR", dir.resolve("data").toString(),
                "SENTINEL_BROKER_PORT", Integer.toString(port), "SENTINEL_BROKER_BIND", "127.0.0.1",
                "SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next()), "SENTINEL_METRICS_BIND", "127.0.0.1",
                "SENTINEL_BROKER_INSECURE_PLAIN", "true", "SENTINEL_SHUTDOWN_GRACE", "10s",
                // one device publishing as fast as it can: above the inspector's per-client rate anomaly, whose
                // refusals are not acknowledged (the client would retry them), so raise it
                "SENTINEL_INSPECT_RATE_LIMIT", "1000000");
        Process first = launch(env, "broker");
        try {
            Mqtt3BlockingClient keeper = client("keeper", port);
            assertThat(Await.within(Duration.ofSeconds(60), () -> tryConnect(keeper))).as("broker up; %s", readQuietly("err.txt"))
                    .isTrue();
            keeper.subscribeWith().topicFilter("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE).send();
            keeper.disconnect(); // its persistent session collects the stream

            Mqtt3AsyncClient device = Mqtt3Client.builder().identifier("dev-1").serverHost("127.0.0.1").serverPort(port)
                    .buildAsync();
            device.connect().get(10, TimeUnit.SECONDS);
            Set<Integer> acked = ConcurrentHashMap.newKeySet();
            Semaphore window = new Semaphore(64);
            long stoppedAt = 0;
            for (int i = 0; i < 20_000 && first.isAlive(); i++) {
                if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                    break; // the broker stopped answering: it is going down
                }
                int seq = i;
                device.publishWith().topic("clients/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Integer.toString(seq).getBytes(StandardCharsets.UTF_8)).send()
                        .whenComplete((ack, e) -> {
                            if (e == null) {
                                acked.add(seq); // PUBACK: in the log
                            }
                            window.release();
                        });
                if (i == 2_000) {
                    stoppedAt = System.nanoTime();
                    first.destroy(); // SIGTERM while messages are in flight
                }
            }
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM; %s", readQuietly("err.txt")).isTrue();
            double stopSeconds = (System.nanoTime() - stoppedAt) / 1e9;
            assertThat(first.exitValue()).as("exit code after SIGTERM; %s", readQuietly("err.txt")).isZero();
            assertThat(stopSeconds).as("stopped within the grace").isLessThan(10 + 5);
            // the first 2,001 were sent before the SIGTERM; those the broker had read are acknowledged in the drain,
            // at most the window's 64 may still have been in the socket, unread (not acknowledged: resent by a client)
            assertThat(acked).hasSizeGreaterThanOrEqualTo(2_001 - 64);

            Process second = launch(env, "broker");
            try {
                Set<Integer> received = ConcurrentHashMap.newKeySet();
                Mqtt3AsyncClient again = Mqtt3Client.builder().identifier("keeper").serverHost("127.0.0.1")
                        .serverPort(port).buildAsync();
                again.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> received.add(
                        Integer.parseInt(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))));
                assertThat(Await.within(Duration.ofSeconds(60), () -> tryConnect(again))).isTrue();
                assertThat(Await.within(Duration.ofSeconds(60), () -> received.containsAll(acked)))
                        .as("every PUBACKed message delivered after the restart (%d acked, %d received)", acked.size(),
                                received.size()).isTrue();
                again.disconnect();
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            first.destroyForcibly();
        }
    }

    private static Mqtt3BlockingClient client(String id, int port) {
        return Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).buildBlocking();
    }

    private static boolean tryConnect(Mqtt3BlockingClient c) {
        try {
            c.connectWith().cleanSession(false).send();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean tryConnect(Mqtt3AsyncClient c) {
        try {
            c.connectWith().cleanSession(false).send().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
