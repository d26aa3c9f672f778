package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launched proxy applies the connection-rate anomaly (SENTINEL_INSPECT_CONNECTION_RATE_LIMIT) to every CONNECT. */
class ProxyConnectionRateTest {

    @TempDir
    Path dir;

    @Test
    void connectsAboveTheRateFromOneSource_areRefusedAndFlagged() throws Exception {
        TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        TestCertificates.Issued server = ca.server("proxy");
        TrustManagerFactory trust = TestClients.trusting(ca.caFile());
        // the proxy alone: a refused CONNECT never reaches the (absent) broker, an admitted one fails at auth
        try (SentinelNode node = SentinelNode.start(EnumSet.of(Role.PROXY), LauncherConfig.of(Map.ofEntries(
                Map.entry("SENTINEL_DATA_DIR", dir.resolve("data").toString()),
                Map.entry("SENTINEL_PROXY_TLS_PORT", "0"),
                Map.entry("SENTINEL_PROXY_BIND", "127.0.0.1"),
                Map.entry("SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + FreePorts.next()),
                Map.entry("SENTINEL_METRICS_PORT", Integer.toString(FreePorts.next())),
                Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                Map.entry("SENTINEL_TLS_CERT", server.certFile().toString()),
                Map.entry("SENTINEL_TLS_KEY", server.keyFile().toString()),
                Map.entry("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "1"))))) {
            // six CONNECTs from 127.0.0.1 as fast as TLS allows: a bucket of one, refilled at one a second, cannot
            // admit them all unless they take more than five seconds
            for (int i = 0; i < 6; i++) {
                Mqtt3AsyncClient device = TestClients.device("flood-" + i, node.proxyTlsPort(), trust);
                try {
                    device.connectWith().simpleAuth().username("flood-" + i).password("x".getBytes(StandardCharsets.UTF_8))
                            .applySimpleAuth().send().get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException refused) {
                    // refused either way: by the anomaly (0x05) or, when admitted, by the empty credentials file
                }
            }
            Path events = dir.resolve("data/events/proxy-events.jsonl");
            assertThat(TestClients.await(Duration.ofSeconds(30), () -> read(events).contains("\"anomaly-connection-rate\"")))
                    .as("connection-rate event in %s", events).isTrue();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
