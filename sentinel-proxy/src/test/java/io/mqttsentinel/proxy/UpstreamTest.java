package io.mqttsentinel.proxy;

import static io.mqttsentinel.proxy.RawTls.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;

/**
 * The proxy's per-device upstream side ({@link CoreHop#PER_DEVICE}), against a scripted broker that shows exactly
 * what the proxy sends; the multiplexed hop is tested against the real core broker (launcher and bench tests).
 */
class UpstreamTest {
    @TempDir
    Path dir;

    /** A one-connection fake broker: accepts, reads the CONNECT, answers with the given CONNACK code. */
    static final class FakeBroker implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final CompletableFuture<byte[]> connect = new CompletableFuture<>();
        final CompletableFuture<Boolean> closedByProxy = new CompletableFuture<>();
        volatile Socket socket;

        FakeBroker(int connackCode) throws IOException {
            Thread t = new Thread(() -> {
                try {
                    socket = server.accept();
                    MqttPackets.Read packet = MqttPackets.read(new DataInputStream(socket.getInputStream()));
                    connect.complete(RawTls.concat(bytes(packet.firstByte()), packet.body()));
                    socket.getOutputStream().write(bytes(0x20, 0x02, 0x00, connackCode));
                    socket.getOutputStream().flush();
                    InputStream rest = socket.getInputStream();
                    while (rest.read() >= 0) {
                        // drain until the proxy closes
                    }
                    closedByProxy.complete(true);
                } catch (IOException e) {
                    connect.completeExceptionally(e);
                    closedByProxy.complete(true);
                }
            }, "fake-broker");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            if (socket != null) {
                socket.close();
            }
        }
    }

    @Test
    void upstreamConnect_keepsClientIdAndUsername_dropsPassword() throws Exception {
        try (FakeBroker broker = new FakeBroker(0);
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, broker.port())) {
            var client = h.device("up-1").buildBlocking();
            client.connectWith().simpleAuth().username("alice").password("secret".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            byte[] c = broker.connect.get(10, TimeUnit.SECONDS);
            String text = new String(c, StandardCharsets.ISO_8859_1);
            assertThat(text).contains("MQTT", "up-1", "alice").doesNotContain("secret");
            int flags = c[8] & 0xFF; // type, name (6), level, flags
            assertThat(flags & 0x80).as("user name flag").isNotZero();
            assertThat(flags & 0x40).as("password flag").isZero();
            client.disconnect();
            assertThat(broker.closedByProxy.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void brokerClosing_closesTheDevice() throws Exception {
        try (FakeBroker broker = new FakeBroker(0);
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, broker.port())) {
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(MqttPackets.connect("up-2"));
                assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                broker.connect.get(10, TimeUnit.SECONDS);
                broker.socket.close();
                assertThat(raw.readUntilClosed()).isEmpty();
            }
        }
    }

    @Test
    void deviceClosing_closesTheUpstream() throws Exception {
        try (FakeBroker broker = new FakeBroker(0);
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, broker.port())) {
            try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
                raw.write(MqttPackets.connect("up-3"));
                assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            } // TCP close without DISCONNECT
            assertThat(broker.closedByProxy.get(10, TimeUnit.SECONDS)).isTrue();
            Await.until("no connection left", () -> h.proxy.activeConnections() == 0);
        }
    }

    @Test
    void brokerRefusal_isRelayed() throws Exception {
        try (FakeBroker broker = new FakeBroker(0x05);
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, broker.port())) {
            assertThat(ProxyHarness.connack(h.device("up-4").buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
            assertThat(h.count("mqtt.proxy.upstream.failures", "reason", "connack_5")).isEqualTo(1);
        }
    }

    @Test
    void brokerDown_answersConnack03() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> { }, p -> { }, dead)) {
            assertThat(ProxyHarness.connack(h.device("up-5").buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);
            assertThat(h.count("mqtt.proxy.upstream.failures", "reason", "connect")).isEqualTo(1);
        }
    }

    @Test
    void deniedDevice_neverReachesTheBroker() throws Exception {
        try (FakeBroker broker = new FakeBroker(0);
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, broker.port())) {
            h.auth.set(r -> CompletableFuture.completedFuture(io.mqttsentinel.api.AuthDecision.badCredentials("no")));
            assertThat(ProxyHarness.connack(h.device("up-6").buildBlocking(), null, null))
                    .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(broker.connect).isNotDone();
        }
    }
}
