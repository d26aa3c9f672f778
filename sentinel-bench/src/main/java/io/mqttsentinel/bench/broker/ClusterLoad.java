package io.mqttsentinel.bench.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import io.mqttsentinel.store.kafka.KafkaTestCluster;

/**
 * What a core of one, two and three broker nodes on one Kafka log costs (docs/cluster.md): the {@link FanOutLoad}
 * scenario (one publisher standing for the bridge sends QoS 1 alerts round-robin to {@code N} per-device topics,
 * open loop at a fixed rate, latency from the intended send time) with the devices spread over the nodes and the
 * publisher on the first, so that with several nodes most messages are appended by one node and routed by
 * another's tail. Kafka runs in this JVM (three brokers, replication 3, as {@code KafkaTestCluster} in the
 * tests); every node runs the real inspector. Mosquitto on the same load is the yardstick.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.broker.ClusterLoad \
 *      devices=1000 rate=1000 seconds=20 warmup=10 nodes=1,2,3
 * </pre>
 * On one machine the nodes share its cores with Kafka and the clients: expect no gain from more nodes here; the
 * figures say what the cluster costs (one Kafka fetch per delivery, every node reading the whole log).
 */
public final class ClusterLoad {
    private ClusterLoad() {
    }

    /**
     * @param args {@code key=value}: devices (1000), rate (1000 msg/s), seconds (20), warmup (10),
     *             nodes (a comma list of node counts, default 1,2,3), mosquitto (true|false)
     * @throws Exception when Kafka or a node cannot start
     */
    public static void main(String[] args) throws Exception {
        int devices = 1000;
        int rate = 1000;
        int seconds = 20;
        int warmup = 10;
        List<Integer> nodeCounts = List.of(1, 2, 3);
        boolean mosquitto = true;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "devices" -> devices = Integer.parseInt(kv[1]);
                case "rate" -> rate = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "nodes" -> nodeCounts = java.util.Arrays.stream(kv[1].split(",")).map(String::strip)
                        .map(Integer::parseInt).toList();
                case "mosquitto" -> mosquitto = Boolean.parseBoolean(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (devices < 1 || devices > 20_000 || rate < 1 || rate > 100_000 || seconds < 1 || seconds > 600
                || nodeCounts.stream().anyMatch(n -> n < 1 || n > 5)) {
            throw new IllegalArgumentException("devices 1..20000, rate 1..100000, seconds 1..600, nodes 1..5 each");
        }
        List<FanOutLoad.Result> results = new ArrayList<>();
        try (KafkaTestCluster kafka = new KafkaTestCluster()) {
            for (int n : nodeCounts) {
                results.add(runCluster(kafka, n, devices, rate, seconds, warmup));
            }
        }
        if (mosquitto) {
            results.add(FanOutLoad.runMosquitto(devices, rate, seconds, warmup));
        }
        System.out.println();
        for (FanOutLoad.Result r : results) {
            System.out.println(r.line());
        }
        FanOutLoad.Result last = results.get(results.size() - 1);
        if (mosquitto) {
            for (FanOutLoad.Result r : results.subList(0, results.size() - 1)) {
                System.out.printf(Locale.ROOT, "ratio %s / mosquitto: throughput %.2f, p99 latency %.1f%n", r.target(),
                        (r.delivered() / r.seconds()) / (last.delivered() / last.seconds()),
                        (double) r.latency().getValueAtPercentile(99) / last.latency().getValueAtPercentile(99));
            }
        }
    }

    private static FanOutLoad.Result runCluster(KafkaTestCluster kafka, int nodes, int devices, int rate, int seconds,
            int warmup) throws Exception {
        String topic = "bench-cluster-" + nodes + "-" + System.nanoTime();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            int[] ports = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                KafkaMessageLog log = KafkaMessageLog.builder(kafka.bootstrapServers()).topic(topic).partitions(12)
                        .build();
                open.add(log);
                SentinelBroker node = SentinelBroker.builder().port(0).nodeId("node-" + i).messageLog(log)
                        .inspector(Inspectors.standard(InspectorConfig.builder().rateLimit(InspectorConfig.MAX_RATE)
                                .build(), registry, Ticker.system()))
                        .meterRegistry(registry).build().start();
                open.add(node);
                ports[i] = node.port();
            }
            return FanOutLoad.run("sentinel(" + nodes + " node" + (nodes > 1 ? "s" : "") + ", kafka)", ports, devices,
                    rate, seconds, warmup, null);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.err.println("closing " + open.get(i) + ": " + e);
                }
            }
        }
    }
}
