package io.mqttsentinel.bench.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import org.HdrHistogram.Histogram;

/**
 * Appends per second and append latency of a {@link KafkaMessageLog} (replication factor 3,
 * {@code min.insync.replicas=2}, {@code acks=all}) against a running cluster, for comparison with the file
 * log: first as fast as it takes them with up to 10,000 in flight, then at a fixed offered rate (open loop,
 * latency from the scheduled time). Each run uses a new topic.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.store.KafkaLogBench host:port[,...] [appends] [rate] [seconds]
 * </pre>
 *
 * Defaults: 200,000 appends, then 10,000 appends/s for 10 s after 3 s of warm-up, 200-byte payloads.
 */
public final class KafkaLogBench {
    private KafkaLogBench() {
    }

    /**
     * @param args bootstrap servers, appends for the throughput run, offered rate, seconds
     * @throws Exception when the log fails
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int appends = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        try (KafkaMessageLog log = KafkaMessageLog.builder(bootstrap).topic("bench-" + System.currentTimeMillis())
                .partitions(3).requestTimeout(Duration.ofMinutes(2)).build()) {
            LogEntry[] entries = new LogEntry[64];
            for (int i = 0; i < entries.length; i++) {
                entries[i] = new LogEntry("clients/bench-" + i + "/telemetry", new byte[200], 1, "bench-" + i, 0);
            }
            for (int round = 0; round < 2; round++) { // the first round warms up
                ArrayDeque<CompletableFuture<LogPosition>> window = new ArrayDeque<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < appends; i++) {
                    if (window.size() >= 10_000) {
                        window.poll().join();
                    }
                    window.add(log.append(entries[i & 63]).toCompletableFuture());
                }
                window.forEach(CompletableFuture::join);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("Kafka log (RF 3, min ISR 2, acks=all), %s: %,d appends in %.2f s = %,.0f appends/s%n",
                        round == 0 ? "warm-up" : "measured", appends, s, appends / s);
            }
            Histogram h = FileLogLatency.run(log, rate, seconds, 3);
            System.out.printf("Kafka log, %,d appends/s offered for %d s (200-byte payloads)%n", rate, seconds);
            FileLogLatency.print(h);
        }
    }
}
