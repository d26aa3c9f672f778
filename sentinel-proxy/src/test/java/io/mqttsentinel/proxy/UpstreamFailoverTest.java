package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.proxy.internal.UpstreamPool;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.Await;

/**
 * A proxy in front of two real core broker nodes (in-process {@link SentinelBroker}s on separate file logs): devices
 * are spread by client id, a stopped node's devices are disconnected and reconnect through the other node, new
 * devices go to the healthy node, and the stopped node is skipped.
 */
class UpstreamFailoverTest {
    private static final int DEVICES = 24;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    private final SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    private SentinelBroker a;
    private SentinelBroker b;
    private ProxyHarness h;

    @BeforeEach
    void start() {
        a = broker("a", registryA);
        b = broker("b", registryB);
        List<InetSocketAddress> nodes = List.of(InetSocketAddress.createUnresolved("127.0.0.1", a.port()),
                InetSocketAddress.createUnresolved("127.0.0.1", b.port()));
        h = new ProxyHarness(dir, new SimpleMeterRegistry(),
                c -> c.upstreams(nodes).upstreamRetry(Duration.ofSeconds(2)), p -> { }, a.port());
    }

    private SentinelBroker broker(String name, SimpleMeterRegistry registry) {
        SegmentedFileLog log = SegmentedFileLog.builder(dir.resolve("log-" + name)).open();
        open.add(log);
        SentinelBroker broker = SentinelBroker.builder().port(0).bindAddress("127.0.0.1").messageLog(log)
                .meterRegistry(registry).build().start();
        open.add(0, broker);
        return broker;
    }

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void nodeStops_itsDevicesAreDisconnectedAndReconnectThroughTheOther_newDevicesGoThereToo() {
        AtomicInteger disconnects = new AtomicInteger();
        List<Mqtt3AsyncClient> devices = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            Mqtt3AsyncClient d = h.device("dev-" + i)
                    .automaticReconnect().initialDelay(50, TimeUnit.MILLISECONDS).maxDelay(200, TimeUnit.MILLISECONDS)
                    .applyAutomaticReconnect()
                    .addDisconnectedListener(ctx -> disconnects.incrementAndGet())
                    .buildAsync();
            d.connectWith().cleanSession(false).keepAlive(30).send().join();
            devices.add(d);
        }
        try {
            // spread by client id: both nodes serve devices, each device on the node its id ranks first
            UpstreamPool ranking = new UpstreamPool(List.of(InetSocketAddress.createUnresolved("127.0.0.1", a.port()),
                    InetSocketAddress.createUnresolved("127.0.0.1", b.port())), Duration.ofSeconds(1), System::nanoTime);
            long onA = devices.stream().filter(d -> ranking.candidates(id(d)).get(0).getPort() == a.port()).count();
            Await.until("every device on the node its client id ranks first",
                    () -> connections(registryA) == onA && connections(registryB) == DEVICES - onA);
            assertThat(onA).as("devices spread over both nodes").isBetween(1L, DEVICES - 1L);
            assertThat(gauge(h.registry, "mqtt.proxy.upstream.healthy")).isEqualTo(2);

            long stoppedAt = System.nanoTime();
            a.close();
            Await.until("every device connected through node b",
                    () -> connections(registryB) == DEVICES
                            && devices.stream().allMatch(d -> d.getState().isConnected()));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stoppedAt);
            assertThat(seconds).as("failover within seconds").isLessThan(10);
            assertThat(disconnects.get()).as("only node a's devices were disconnected").isEqualTo((int) onA);
            Await.until("node a marked down", () -> gauge(h.registry, "mqtt.proxy.upstream.healthy") == 1);

            // a new device whose id ranks node a first still gets in, through b, at the first try
            String newcomer = firstIdRanking(ranking, a.port());
            Mqtt3AsyncClient late = h.device(newcomer).buildAsync();
            late.connectWith().cleanSession(false).send().join();
            devices.add(late);
            Await.until("the new device on node b", () -> connections(registryB) == DEVICES + 1);
        } finally {
            for (Mqtt3AsyncClient d : devices) {
                d.disconnect();
            }
        }
    }

    private static String id(Mqtt3AsyncClient d) {
        return d.getConfig().getClientIdentifier().orElseThrow().toString();
    }

    private static String firstIdRanking(UpstreamPool ranking, int port) {
        for (int i = 0; i < 1_000; i++) {
            if (ranking.candidates("late-" + i).get(0).getPort() == port) {
                return "late-" + i;
            }
        }
        throw new AssertionError("no client id ranks port " + port + " first");
    }

    private static double connections(SimpleMeterRegistry registry) {
        return gauge(registry, "mqtt_broker_connections_active");
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? -1 : g.value();
    }
}
