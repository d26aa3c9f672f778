package io.mqttsentinel.bench.bridge;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.bridge.Backoff;
import io.mqttsentinel.bridge.Bridge;
import io.mqttsentinel.bridge.BridgeConfig;

/**
 * The bridge's cost: a QoS 1 message of {@code payloadBytes} published by a device to the core broker,
 * bridged over MQTT-over-WebSocket to the origin, and received by a subscriber at the origin; against the
 * same message published directly to the origin over WebSocket. Both Mosquitto processes (core stand-in
 * and origin) run on this machine, so the figures are the bridge's own overhead, not a network's.
 *
 * <ul>
 *   <li>{@code *Latency}: one message at a time, publish to arrival (SampleTime: p50/p99 per message)</li>
 *   <li>{@code *Throughput}: {@value #WINDOW} messages in flight, until all arrived (ops = messages/s)</li>
 * </ul>
 *
 * <p>Run: {@code java -jar sentinel-bench/target/benchmarks.jar bridge.BridgeBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}
 * (needs the {@code mosquitto} binary).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BridgeBenchmark {
    static final int WINDOW = 100;
    private static final long TIMEOUT_S = 30;

    @Param({"1024"})
    int payloadBytes;

    private MosquittoProcess core;
    private MosquittoProcess origin;
    private Bridge bridge;
    private Mqtt3AsyncClient device;
    private Mqtt3AsyncClient directDevice;
    private Mqtt3AsyncClient originSubscriber;
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> awaited = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        core = MosquittoProcess.startTemporary("core");
        origin = MosquittoProcess.startTemporary("origin");
        BridgeConfig config = BridgeConfig.builder()
                .originUrl("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt")
                .core("127.0.0.1", core.plainPort())
                .clientId("bench-bridge")
                .subscriptions(java.util.List.of("clients/+/telemetry"))
                .backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 0.2))
                .build();
        bridge = Bridge.builder(config).meterRegistry(new SimpleMeterRegistry()).build();
        bridge.start().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);

        originSubscriber = Mqtt3Client.builder().identifier("bench-origin-sub").serverHost("127.0.0.1")
                .serverPort(origin.plainPort()).buildAsync();
        originSubscriber.publishes(MqttGlobalPublishFilter.ALL, this::arrived);
        originSubscriber.connect().get(TIMEOUT_S, TimeUnit.SECONDS);
        originSubscriber.subscribeWith().topicFilter("sentinel/clients/#").qos(MqttQos.AT_LEAST_ONCE).send()
                .get(TIMEOUT_S, TimeUnit.SECONDS);

        device = Mqtt3Client.builder().identifier("bench-device").serverHost("127.0.0.1").serverPort(core.plainPort())
                .buildAsync();
        device.connect().get(TIMEOUT_S, TimeUnit.SECONDS);
        directDevice = Mqtt3Client.builder().identifier("bench-direct").serverHost("127.0.0.1")
                .serverPort(origin.webSocketPort()).webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                .buildAsync();
        directDevice.connect().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private void arrived(Mqtt3Publish p) {
        ByteBuffer payload = p.getPayload().orElseThrow();
        CompletableFuture<Void> f = awaited.remove(payload.getLong(payload.position()));
        if (f != null) {
            f.complete(null);
        }
    }

    private CompletableFuture<Void> send(Mqtt3AsyncClient client, String topic) {
        long seq = sequence.incrementAndGet();
        CompletableFuture<Void> arrival = new CompletableFuture<>();
        awaited.put(seq, arrival);
        ByteBuffer payload = ByteBuffer.allocate(payloadBytes);
        payload.putLong(0, seq);
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
        return arrival;
    }

    /** Device to core, bridged to the origin: one message at a time. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void bridgedLatency() throws Exception {
        send(device, "clients/bench/telemetry").get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Device straight to the origin over WebSocket: one message at a time. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void directLatency() throws Exception {
        send(directDevice, "sentinel/clients/bench/telemetry").get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Device to core, bridged to the origin: {@value #WINDOW} messages in flight. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void bridgedThroughput() throws Exception {
        window(device, "clients/bench/telemetry");
    }

    /** Device straight to the origin over WebSocket: {@value #WINDOW} messages in flight. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void directThroughput() throws Exception {
        window(directDevice, "sentinel/clients/bench/telemetry");
    }

    private void window(Mqtt3AsyncClient client, String topic) throws Exception {
        CompletableFuture<?>[] all = new CompletableFuture<?>[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            all[i] = send(client, topic);
        }
        CompletableFuture.allOf(all).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Mqtt3AsyncClient c : new Mqtt3AsyncClient[] {device, directDevice, originSubscriber}) {
            if (c != null && c.getState().isConnected()) {
                c.disconnect().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }
        if (bridge != null) {
            bridge.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (core != null) {
            core.close();
        }
    }
}
