package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stops the leader broker of a partition while appends run: every append that completed is read back
 * afterwards, once, in order per key. Its own 3-broker cluster, since the test takes a broker down.
 */
class KafkaMessageLogFailoverTest {
    private static final int KEYS = 12;
    private static final int BEFORE = 1500;
    private static final int AFTER = 1500;

    private static KafkaTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new KafkaTestCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Acked(String key, int seq, LogPosition position) {
    }

    private static LogEntry entry(String key, int seq) {
        return new LogEntry("clients/" + key + "/telemetry", (key + ":" + seq).getBytes(StandardCharsets.UTF_8), 1, key, seq);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void leaderStopped_whileAppending_everyCompletedAppendIsReadBackInOrderPerKey() throws Exception {
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        int stoppedBroker;
        try (KafkaMessageLog log = KafkaMessageLog.builder(cluster.bootstrapServers()).topic("failover").partitions(3)
                .requestTimeout(Duration.ofSeconds(90)).build()) {
            Semaphore inFlight = new Semaphore(200);
            int[] seq = new int[KEYS];
            List<CompletableFuture<LogPosition>> all = new ArrayList<>();
            stoppedBroker = -1;
            CompletableFuture<Void> shutdown = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // appends run before, during and after the leader's shutdown
            for (int n = 0; (n < BEFORE + AFTER || !shutdown.isDone()) && System.nanoTime() < until; n++) {
                if (n == BEFORE) {
                    stoppedBroker = cluster.leaderOf("failover", 0);
                    int broker = stoppedBroker;
                    shutdown = CompletableFuture.runAsync(() -> cluster.kit.brokers().get(broker).shutdown());
                }
                String key = "dev-" + (n % KEYS);
                int s = seq[n % KEYS]++;
                assertThat(inFlight.tryAcquire(120, TimeUnit.SECONDS)).as("appends keep completing").isTrue();
                CompletableFuture<LogPosition> f = log.append(entry(key, s)).toCompletableFuture();
                f.whenComplete((p, e) -> {
                    if (e == null) {
                        acked.add(new Acked(key, s, p));
                    } else {
                        failed.incrementAndGet();
                    }
                    inFlight.release();
                });
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null)
                    .get(3, TimeUnit.MINUTES);
            assertThat(shutdown).isDone();
        }
        assertThat(stoppedBroker).isNotNegative();
        assertThat(cluster.leaderOf("failover", 0)).as("partition 0 has a new leader").isNotEqualTo(stoppedBroker);
        assertThat(acked.size()).as("most appends complete despite the failover (failed: %s)", failed.get())
                .isGreaterThan((BEFORE + AFTER) * 9 / 10);

        Map<String, List<Integer>> read = new HashMap<>();
        Map<LogPosition, String> seen = new HashMap<>();
        try (KafkaMessageLog log = KafkaMessageLog.builder(cluster.bootstrapServers()).topic("failover").partitions(3)
                .requestTimeout(Duration.ofSeconds(90)).build();
             LogReader reader = log.openReader("verify")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int expected = acked.size();
            int total = 0;
            while (total < expected + failed.get() && System.nanoTime() < deadline) {
                List<LogRecord> got = reader.poll(1000, Duration.ofMillis(500));
                if (got.isEmpty() && total >= expected) {
                    break; // every acknowledged one could be there; failed ones may or may not be
                }
                for (LogRecord r : got) {
                    assertThat(seen.put(r.position(), r.topic())).as("no position twice").isNull();
                    String key = r.entry().clientId();
                    read.computeIfAbsent(key, k -> new ArrayList<>()).add((int) r.entry().timestampMillis());
                    total++;
                }
            }
        }
        for (Map.Entry<String, List<Integer>> e : read.entrySet()) {
            List<Integer> seqs = e.getValue();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("order of key %s", e.getKey()).isGreaterThan(seqs.get(i - 1));
            }
        }
        for (Acked a : acked) {
            assertThat(read.getOrDefault(a.key(), List.of())).as("acknowledged %s#%d at %s", a.key(), a.seq(), a.position())
                    .contains(a.seq());
            assertThat(seen).containsKey(a.position());
        }
    }
}
