package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.TcpRelay;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.MosquittoProcess;

/**
 * Two bridge instances on one lease, between a real core ({@link SentinelBroker} on a file log) and a real
 * Mosquitto origin: the active one is cut off from the core mid-stream (its connections reset, as if its process
 * died), the standby takes over, every message the core accepted reaches the origin, and the duplicates stay
 * within what the old holder had in flight.
 */
class BridgeFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MESSAGES = 2_000;

    @TempDir
    Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void holderCutOffMidStream_standbyTakesOver_nothingAcceptedIsLost_duplicatesWithinTheInFlightWindow()
            throws Exception {
        MosquittoProcess origin = origin();
        SentinelBroker core = core();
        TcpRelay relayA = closeLater(new TcpRelay(core.port()));
        MqttTestClients clients = closeLater(new MqttTestClients());
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", true);

        BridgeLease a = holder(config(origin, relayA.port()));
        BridgeLease b = standby(config(origin, core.port()));
        Mqtt3AsyncClient device = device(core);
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> received = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();

        publish(device, 0, MESSAGES / 2, accepted);
        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted), "the first half at the origin");
        assertThat(b.isActive()).as("the standby does not take a live holder's session").isFalse();

        // the second half goes out while the holder is cut off: some reach it, the rest wait in the session
        List<java.util.concurrent.CompletableFuture<?>> sends = publishAsync(device, MESSAGES / 2, MESSAGES, accepted);
        relayA.cut();
        java.util.concurrent.CompletableFuture.allOf(sends.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(accepted).hasSize(MESSAGES);

        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted),
                "every accepted message at the origin after the takeover");
        assertThat(b.isActive()).isTrue();
        assertThat(a.isActive()).isFalse();
        System.out.printf("bridge failover: %d accepted, %d received, %d duplicates%n", accepted.size(),
                received.size(), duplicates.get());
        assertThat(received.keySet()).containsAll(accepted);
        assertThat(duplicates.get()).as("duplicates: at most what the cut-off holder had in flight")
                .isLessThanOrEqualTo(BridgeConfig.DEFAULT_MAX_INFLIGHT);
        device.disconnect();
    }

    @Test
    void twoInstancesStartedTogether_oneKeepsTheLease() throws Exception {
        MosquittoProcess origin = origin();
        SentinelBroker core = core();
        BridgeLease a = closeLater(BridgeLease.builder(config(origin, core.port())).instanceId("a").build());
        BridgeLease b = closeLater(BridgeLease.builder(config(origin, core.port())).instanceId("b").build());
        a.start();
        b.start(); // both see a free lease and may take it at once

        // both may take the free lease at once; the lesser instance id steps back when it reads the other's beat
        // (a quarter lease): wait for one holder alone through a whole lease before watching it keep the lease
        AtomicInteger alone = new AtomicInteger();
        Await.until("one instance holds the lease alone for a whole lease", WAIT, () -> {
            boolean one = a.isActive() ^ b.isActive();
            alone.set(one ? alone.get() + 1 : 0);
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            return alone.get() >= 40; // 40 checks 50 ms apart: 2 s, the lease
        });
        BridgeLease holder = a.isActive() ? a : b;
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // two leases: long enough to flap
        while (System.nanoTime() < until) {
            assertThat(holder.isActive() && !(holder == a ? b : a).isActive()).as("the holder keeps the lease alone")
                    .isTrue();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    @Test
    void coreNodeLostMidStream_theBridgeMovesToTheNextNode_nothingAcceptedIsLost() throws Exception {
        MosquittoProcess origin = origin();
        SentinelBroker core = core();
        // node 1 is a relay to the core that dies (resets and refuses); node 2 is the core itself, as another node
        // of one cluster would be
        TcpRelay node1 = closeLater(new TcpRelay(core.port()));
        MqttTestClients clients = closeLater(new MqttTestClients());
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", true);
        BridgeConfig config = config(origin, core.port()).toBuilder().lease(Duration.ZERO)
                .core("127.0.0.1:" + node1.port() + ",127.0.0.1:" + core.port()).build();
        Bridge bridge = closeLater(Bridge.builder(config).build());
        bridge.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Mqtt3AsyncClient device = device(core);
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> received = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        publish(device, 0, MESSAGES / 2, accepted);
        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted), "the first half via node 1");

        List<java.util.concurrent.CompletableFuture<?>> sends = publishAsync(device, MESSAGES / 2, MESSAGES, accepted);
        node1.cut();
        java.util.concurrent.CompletableFuture.allOf(sends.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted),
                "every accepted message at the origin through node 2");
        assertThat(received.keySet()).containsAll(accepted);
        assertThat(duplicates.get()).isLessThanOrEqualTo(BridgeConfig.DEFAULT_MAX_INFLIGHT);
        device.disconnect();
    }

    @Test
    void theFirstCoreNodeDies_withBothInstancesOnIt_theLeaseAndTheBridgeMoveToTheNextNode() throws Exception {
        MosquittoProcess origin = origin();
        SentinelBroker core = core();
        // both instances list node 1 first, so the holder's bridge and both watchers are on it when it dies
        TcpRelay node1 = closeLater(new TcpRelay(core.port()));
        MqttTestClients clients = closeLater(new MqttTestClients());
        BlockingQueue<Mqtt3Publish> atOrigin = clients.subscriber("verify", origin.plainPort(), "sentinel/#", true);
        BridgeConfig config = config(origin, core.port()).toBuilder()
                .core("127.0.0.1:" + node1.port() + ",127.0.0.1:" + core.port()).build();
        BridgeLease a = holder(config);
        BridgeLease b = standby(config);
        Mqtt3AsyncClient device = device(core);
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> received = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        publish(device, 0, MESSAGES / 2, accepted);
        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted), "the first half via node 1");

        node1.cut(); // node 1 dies: its connections reset, new ones refused, and no will is published
        publish(device, MESSAGES / 2, MESSAGES, accepted);
        drain(atOrigin, received, duplicates, () -> received.keySet().containsAll(accepted),
                "every accepted message at the origin through node 2, by whichever instance holds the lease");
        assertThat(a.isActive() ^ b.isActive()).as("one instance holds the lease").isTrue();
        assertThat(received.keySet()).containsAll(accepted);
        device.disconnect();
    }

    /** Instance "a", started alone: it takes the free lease; returns once its bridge is ready. */
    private BridgeLease holder(BridgeConfig config) throws Exception {
        BridgeLease a = closeLater(BridgeLease.builder(config).instanceId("a").build());
        a.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Await.until("a holds the lease and its bridge is ready", WAIT, () -> a.isActive() && a.isReady());
        return a;
    }

    /** Instance "b", started after the holder: it follows the lease and stands by. */
    private BridgeLease standby(BridgeConfig config) throws Exception {
        BridgeLease b = closeLater(BridgeLease.builder(config).instanceId("b").build());
        b.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return b;
    }

    /** A device publishing to the core directly. */
    private static Mqtt3AsyncClient device(SentinelBroker core) throws Exception {
        Mqtt3AsyncClient device = Mqtt3Client.builder().identifier("d1").serverHost("127.0.0.1").serverPort(core.port())
                .buildAsync();
        device.connect().get(10, TimeUnit.SECONDS);
        return device;
    }

    private MosquittoProcess origin() throws Exception {
        return closeLater(MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), null));
    }

    /** A real core on a file log, on an ephemeral port. */
    private SentinelBroker core() throws Exception {
        SegmentedFileLog log = closeLater(SegmentedFileLog.builder(dir.resolve("core")).open());
        return closeLater(SentinelBroker.builder().port(0).bindAddress("127.0.0.1").messageLog(log).build().start());
    }

    private BridgeConfig config(MosquittoProcess origin, int corePort) {
        return BridgeConfig.builder()
                .originUrl("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt")
                .core("127.0.0.1", corePort)
                .clientId("bridge-failover")
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(300), 0.2))
                .keepAlive(Duration.ofSeconds(5))
                .lease(Duration.ofSeconds(2))
                .build();
    }

    private static void publish(Mqtt3AsyncClient device, int from, int to, Set<Integer> accepted) throws Exception {
        java.util.concurrent.CompletableFuture.allOf(publishAsync(device, from, to, accepted)
                .toArray(new java.util.concurrent.CompletableFuture<?>[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<java.util.concurrent.CompletableFuture<?>> publishAsync(Mqtt3AsyncClient device, int from, int to,
            Set<Integer> accepted) {
        List<java.util.concurrent.CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int seq = i;
            sends.add(device.publishWith().topic("clients/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(seq).getBytes(StandardCharsets.UTF_8)).send()
                    .thenRun(() -> accepted.add(seq))); // PUBACK: the core has it durably
        }
        return sends;
    }

    private static void drain(BlockingQueue<Mqtt3Publish> atOrigin, Map<Integer, Integer> received,
            AtomicInteger duplicates, java.util.function.BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + received.size() + " received");
            }
            Mqtt3Publish p = atOrigin.poll(100, TimeUnit.MILLISECONDS);
            if (p != null) {
                int seq = Integer.parseInt(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
                if (received.merge(seq, 1, Integer::sum) > 1) {
                    duplicates.incrementAndGet();
                }
            }
        }
    }
}
