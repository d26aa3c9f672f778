package io.mqttsentinel.bench.fullpath;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.bridge.WebSocketEgress;
import io.mqttsentinel.testkit.MosquittoProcess;

/**
 * The bridge's egress alone: how fast one {@link WebSocketEgress} gets QoS 1 messages acknowledged by a real
 * Mosquitto over {@code ws://}, beside a plain MQTT-over-TCP hivemq-mqtt-client publishing the same load to the
 * same Mosquitto, in one run. Open loop at a fixed rate; latency from the message's due time to the origin's
 * PUBACK; a bound on what may wait for a PUBACK (as the bridge's window does), counted when reached.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.fullpath.EgressLoad 10000 15 [window]
 * </pre>
 *
 * Says whether the origin hop (the egress and the origin's WebSocket listener) can carry a rate before the whole
 * path is blamed for it.
 */
public final class EgressLoad {
    private EgressLoad() {
    }

    /**
     * @param args rate (msg/s), seconds, optional window (default 1000)
     * @throws Exception when Mosquitto cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("bridge")) {
            bridge(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int rate = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        FullPathLoad.quietLogs();
        Path dir = Files.createTempDirectory("bench-egress-");
        try (MosquittoProcess origin = MosquittoProcess.start(dir)) {
            int connections = args.length > 3 ? Integer.parseInt(args[3]) : 1;
            if (args.length > 4 && args[4].equals("sub")) {
                Mqtt3AsyncClient sub = MqttClient.builder().useMqttVersion3().identifier("sub")
                        .serverHost("127.0.0.1").serverPort(origin.plainPort()).buildAsync();
                sub.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
                sub.subscribeWith().topicFilter("sentinel/#").qos(MqttQos.AT_LEAST_ONCE).callback(p -> { })
                        .send().get(30, TimeUnit.SECONDS);
            }
            WebSocketEgress[] egress = new WebSocketEgress[connections];
            for (int c = 0; c < connections; c++) {
                egress[c] = WebSocketEgress.builder(URI.create("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt"))
                        .clientId("egress-load-" + c).maxInFlight(window).build();
                egress[c].start(m -> CompletableFuture.completedFuture(null)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            run("WebSocketEgress ws:// x" + connections, rate, seconds, window,
                    m -> egress[Math.floorMod(m.topic().hashCode(), connections)].publish(m));
            for (WebSocketEgress e : egress) {
                e.close();
            }

            Mqtt3AsyncClient tcp = MqttClient.builder().useMqttVersion3().identifier("tcp-load")
                    .serverHost("127.0.0.1").serverPort(origin.plainPort()).buildAsync();
            tcp.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
            run("hivemq client tcp://", rate, seconds, window, m -> tcp.publishWith().topic(m.topic())
                    .payload(m.payload()).qos(MqttQos.AT_LEAST_ONCE).send().thenApply(ack -> (Void) null));
            tcp.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The bridge alone: publisher → a Mosquitto core (window 1000) → {@link Bridge} → Mosquitto origin over
     * {@code ws://} → subscriber on the origin; latency from due time to arrival at the subscriber.
     */
    private static void bridge(int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("bench-bridge-");
        try (MosquittoProcess origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")));
             MosquittoProcess core = MosquittoProcess.start(Files.createDirectories(dir.resolve("core")), null,
                     "max_inflight_messages 1000\nmax_queued_messages 0\n")) {
            int total = rate * seconds;
            long[] latency = new long[total];
            AtomicLong arrived = new AtomicLong();
            Mqtt3AsyncClient sub = MqttClient.builder().useMqttVersion3().identifier("sub")
                    .serverHost("127.0.0.1").serverPort(origin.plainPort()).buildAsync();
            sub.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
            sub.subscribeWith().topicFilter("sentinel/#").qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
                java.nio.ByteBuffer b = p.getPayload().orElseThrow();
                int k = b.getInt(0);
                long due = b.getLong(4);
                if (k < total && latency[k] == 0) {
                    latency[k] = System.nanoTime() - due;
                    arrived.incrementAndGet();
                }
            }).send().get(30, TimeUnit.SECONDS);
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            io.mqttsentinel.bridge.Bridge bridge = io.mqttsentinel.bridge.Bridge.builder(
                    io.mqttsentinel.bridge.BridgeConfig.builder()
                            .originUrl("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt")
                            .core("127.0.0.1", core.plainPort()).clientId("bench-bridge").build())
                    .meterRegistry(registry).build();
            bridge.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Mqtt3AsyncClient pub = MqttClient.builder().useMqttVersion3().identifier("pub")
                    .serverHost("127.0.0.1").serverPort(core.plainPort()).buildAsync();
            pub.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            for (int k = 0; k < total; k++) {
                long due = start + (long) k * 1_000_000_000L / rate;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(124);
                b.putInt(0, k).putLong(4, due);
                pub.publishWith().topic("clients/dev-" + (k % 500) + "/telemetry").payload(b)
                        .qos(MqttQos.AT_LEAST_ONCE).send();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (arrived.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            double took = (System.nanoTime() - start) / 1e9;
            if (Boolean.getBoolean("series")) {
                StringBuilder series = new StringBuilder("max latency ms per 250 ms:");
                for (int from = 0; from < total; from += rate / 4) {
                    long max = 0;
                    for (int k = from; k < Math.min(total, from + rate / 4); k++) {
                        max = Math.max(max, latency[k]);
                    }
                    series.append(' ').append(max / 1_000_000);
                }
                System.out.println(series);
            }
            long[] sorted = Arrays.stream(latency).filter(l -> l > 0).sorted().toArray();
            System.out.printf(Locale.ROOT, "bridge alone: offered %d msg/s, arrived %d of %d (%.0f msg/s), "
                            + "due→origin subscriber p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                    rate, sorted.length, total, sorted.length / took, pct(sorted, 0.5), pct(sorted, 0.99),
                    pct(sorted, 0.999), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
            io.micrometer.core.instrument.Timer t = registry.get("bridge_latency_seconds").timer();
            System.out.printf(Locale.ROOT, "  bridge retries %.0f, bridge receipt→origin PUBACK mean %.1f ms max %.1f ms%n",
                    registry.get("bridge_retries").counters().stream().mapToDouble(c -> c.count()).sum(),
                    t.mean(TimeUnit.MILLISECONDS), t.max(TimeUnit.MILLISECONDS));
            pub.disconnect();
            bridge.close();
            sub.disconnect();
        }
    }

    private static void run(String name, int rate, int seconds, int window,
                            Function<EgressMessage, CompletionStage<Void>> publish) throws InterruptedException {
        int total = rate * seconds;
        long[] latency = new long[total];
        AtomicLong acked = new AtomicLong();
        AtomicLong waiting = new AtomicLong();
        long windowFull = 0;
        byte[] payload = "{\"run\":\"egress\",\"seq\":0,\"t\":21.5,\"h\":40.1,\"p\":1013.2,\"pad\":\"0123456789012345678901234567890123456789\"}"
                .getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        for (int k = 0; k < total; k++) {
            long due = start + (long) k * 1_000_000_000L / rate;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            while (waiting.get() >= window) {
                windowFull++;
                LockSupport.parkNanos(50_000);
            }
            waiting.incrementAndGet();
            int i = k;
            publish.apply(new EgressMessage("sentinel/clients/dev-" + (k % 500) + "/telemetry", payload, 1, false))
                    .whenComplete((ok, error) -> {
                        latency[i] = error == null ? System.nanoTime() - due : -1;
                        waiting.decrementAndGet();
                        acked.incrementAndGet();
                    });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        double took = (System.nanoTime() - start) / 1e9;
        long[] sorted = Arrays.stream(latency).filter(l -> l > 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-24s offered %d msg/s, acked %d of %d (%.0f msg/s), waits at the window %d, "
                        + "due→PUBACK p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                name, rate, sorted.length, total, sorted.length / took, windowFull, pct(sorted, 0.5), pct(sorted, 0.99),
                pct(sorted, 0.999), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }
}
