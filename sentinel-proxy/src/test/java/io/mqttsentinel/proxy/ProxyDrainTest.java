package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MqttPackets;

/**
 * A graceful stop: the proxy stops accepting and stops reading new packets, but waits for the core's PUBACK of
 * what it already forwarded and relays it to the device before it disconnects anyone.
 * (Per-device hop: the scripted core is a plain socket that speaks MQTT only.)
 */
class ProxyDrainTest {
    @TempDir
    Path dir;

    /** A core that answers CONNECT, reads one PUBLISH, and sends its PUBACK only when released. */
    static final class HoldingCore implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final CompletableFuture<Integer> publishId = new CompletableFuture<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile Socket socket;

        HoldingCore() throws IOException {
            Thread t = new Thread(() -> {
                try {
                    socket = server.accept();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    MqttPackets.read(in); // CONNECT
                    out.write(new byte[] {0x20, 0x02, 0x00, 0x00});
                    out.flush();
                    byte[] publish = MqttPackets.read(in).body();
                    int topicLength = ((publish[0] & 0xFF) << 8) | (publish[1] & 0xFF);
                    int id = ((publish[2 + topicLength] & 0xFF) << 8) | (publish[3 + topicLength] & 0xFF);
                    publishId.complete(id);
                    release.await();
                    out.write(new byte[] {0x40, 0x02, (byte) (id >> 8), (byte) id});
                    out.flush();
                    while (in.read() >= 0) {
                        // until the proxy closes
                    }
                } catch (IOException | InterruptedException e) {
                    publishId.completeExceptionally(e);
                }
            }, "holding-core");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
            if (socket != null) {
                socket.close();
            }
        }
    }

    @Test
    void drain_refusesNewConnections_andWaitsForTheCoresPubackBeforeLettingGo() throws Exception {
        try (HoldingCore core = new HoldingCore();
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, core.server.getLocalPort())) {
            int port = h.proxy.tlsPort();
            RawTls device = RawTls.connect(port, h.trust());
            device.write(MqttPackets.connect("d1"));
            assertThat(device.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            device.write(MqttPackets.publish("clients/d1/telemetry", "{\"t\":1}".getBytes(StandardCharsets.UTF_8), 1, 7));
            assertThat(core.publishId.get(10, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(h.proxy.awaitingCoreAcknowledgements()).isEqualTo(1);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.proxy.drain(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the proxy reports not ready", () -> !h.proxy.isReady());
            // readiness drops first (so a balancer stops sending), the listener closes right after it
            Await.untilPasses("no new connections while draining", Duration.ofSeconds(5),
                    () -> assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class));
            assertThat(drained).as("waits for the held PUBACK").isNotDone();

            core.release.countDown();
            assertThat(device.read(4)).as("the PUBACK reaches the device").containsExactly(0x40, 0x02, 0x00, 0x07);
            assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(h.proxy.awaitingCoreAcknowledgements()).isZero();
            device.close();
        }
    }

    @Test
    void drain_givesUpAfterItsGrace_andSaysSo() throws Exception {
        try (HoldingCore core = new HoldingCore();
             ProxyHarness h = new ProxyHarness(dir, new SimpleMeterRegistry(), c -> c.coreHop(CoreHop.PER_DEVICE), p -> { }, core.server.getLocalPort())) {
            RawTls device = RawTls.connect(h.proxy.tlsPort(), h.trust());
            device.write(MqttPackets.connect("d2"));
            device.read(4);
            device.write(MqttPackets.publish("clients/d2/telemetry", new byte[] {1}, 1, 9));
            core.publishId.get(10, TimeUnit.SECONDS);

            assertThat(h.proxy.drain(Duration.ofMillis(200))).as("the core never acknowledged").isFalse();
            h.proxy.close();
            device.readUntilClosed();
            Await.until("a closed connection is not counted as waiting", () -> h.proxy.awaitingCoreAcknowledgements() == 0);
        }
    }
}
