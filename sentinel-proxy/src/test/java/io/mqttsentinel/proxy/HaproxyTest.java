package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.Services;

/**
 * The proxy behind a real HAProxy in TCP mode ({@code send-proxy} = v1, {@code send-proxy-v2} = v2): the
 * device's address, not HAProxy's, reaches the auth callout and the per-address limits. Skipped with a
 * visible reason (failed under {@code SENTINEL_REQUIRE_SERVICES=true}) when no {@code haproxy} binary exists.
 */
class HaproxyTest {
    @TempDir
    Path dir;

    @Test
    void behindHaproxy_v1AndV2_theDeviceAddressIsSeen() throws Exception {
        String haproxy = Services.assumeBinary("haproxy");
        List<ConnectRequest> seen = new CopyOnWriteArrayList<>();
        try (ProxyHarness h = new ProxyHarness(dir, b -> b.proxyProtocol(List.of("127.0.0.1")))) {
            h.auth.set(r -> {
                seen.add(r);
                return CompletableFuture.completedFuture(AuthDecision.allow("behind haproxy"));
            });
            int v1Port = FreePorts.next();
            int v2Port = FreePorts.next();
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, String.join("\n",
                    "defaults",
                    "  mode tcp",
                    "  timeout connect 5s",
                    "  timeout client 30s",
                    "  timeout server 30s",
                    "listen v1",
                    "  bind 127.0.0.1:" + v1Port,
                    "  server proxy 127.0.0.1:" + h.proxy.tlsPort() + " send-proxy source 127.0.0.1",
                    "listen v2",
                    "  bind 127.0.0.1:" + v2Port,
                    "  server proxy 127.0.0.1:" + h.proxy.tlsPort() + " send-proxy-v2 source 127.0.0.1",
                    ""), StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(haproxy, "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
            try {
                awaitListening(v1Port);
                awaitListening(v2Port);
                try (RawTls a = RawTls.connectWithPrefix(v1Port, "127.0.0.7", new byte[0], h.trust(), null);
                     RawTls b = RawTls.connectWithPrefix(v2Port, "127.0.0.8", new byte[0], h.trust(), null)) {
                    a.write(MqttPackets.connect("hap-v1"));
                    assertThat(a.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                    b.write(MqttPackets.connect("hap-v2"));
                    assertThat(b.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                }
                assertThat(seen).extracting(r -> r.clientId() + "@" + r.peerAddress().getAddress().getHostAddress())
                        .containsExactlyInAnyOrder("hap-v1@127.0.0.7", "hap-v2@127.0.0.8");
            } finally {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @SuppressWarnings("try") // the resource is held open for the block, not used in it
    private static void awaitListening(int port) {
        Await.until("haproxy to listen on " + port, () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}
