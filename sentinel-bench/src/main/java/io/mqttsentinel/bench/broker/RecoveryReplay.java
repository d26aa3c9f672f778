package io.mqttsentinel.bench.broker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.broker.internal.ReservedTopics;
import io.mqttsentinel.broker.internal.SessionStateWriter;
import io.mqttsentinel.broker.internal.StateRecords;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * How long the core broker takes to start over a full log: {@code sessions} persistent device sessions
 * (one state record each), then {@code records} QoS 1 alerts round-robin over their topics, none
 * acknowledged. Times {@link SentinelBroker#start()} twice on freshly reopened logs: the first start finds
 * no snapshot and reads the whole log once (every session gets its backlog noted, no message is held in
 * memory), then takes a snapshot; the second start reads the snapshot and the short tail after it, which is
 * what every later start costs.
 *
 * <pre>java -cp ... io.mqttsentinel.bench.broker.RecoveryReplay sessions=10000 records=1000000</pre>
 */
public final class RecoveryReplay {
    private RecoveryReplay() {
    }

    /**
     * @param args {@code sessions=} (10000) and {@code records=} (1000000)
     * @throws Exception when the log cannot be written
     */
    public static void main(String[] args) throws Exception {
        int sessions = 10_000;
        int records = 1_000_000;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "sessions" -> sessions = Integer.parseInt(kv[1]);
                case "records" -> records = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (sessions < 1 || sessions > 1_000_000 || records < 1 || records > 20_000_000) {
            throw new IllegalArgumentException("sessions 1..1000000, records 1..20000000");
        }
        Path dir = Files.createTempDirectory("bench-broker-recovery");
        try {
            long t0 = System.nanoTime();
            try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
                fill(log, sessions, records);
            }
            System.out.printf(Locale.ROOT, "wrote %d session records and %d messages in %.1f s%n", sessions, records,
                    (System.nanoTime() - t0) / 1e9);
            long total = (long) sessions + records;
            timeStart(dir, "first start (no snapshot: the whole log)", total, true);
            timeStart(dir, "second start (snapshot + tail)", total, false);
        } finally {
            FanOutLoad.deleteTree(dir);
        }
    }

    private static void timeStart(Path dir, String label, long total, boolean waitForSnapshot) throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime(); // recovery runs on the calling thread
            Runtime rt = Runtime.getRuntime();
            long s0 = System.nanoTime();
            try (SentinelBroker broker = SentinelBroker.builder().port(0).messageLog(log).build().start()) {
                double seconds = (System.nanoTime() - s0) / 1e9;
                double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                System.gc();
                long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
                System.out.printf(Locale.ROOT, "%s: start() took %.2f s wall, %.2f s CPU of the starting thread, "
                        + "log of %d records; heap after start %d MB; ready=%s%n", label, seconds, cpuSeconds, total,
                        heapMb, broker.isReady());
                if (waitForSnapshot) {
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    while (!snapshotTaken(log) && System.nanoTime() < deadline) {
                        Thread.sleep(200); // a benchmark waits for the broker's own schedule
                    }
                }
            }
        }
    }

    private static boolean snapshotTaken(MessageLog log) {
        try (LogReader r = log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
            return r.positions().getOrDefault(0, 0L) > 0;
        }
    }

    private static void fill(MessageLog log, int sessions, int records) throws Exception {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < sessions; i++) {
            String id = "dev-" + i;
            byte[] state = StateRecords.session(id, i + 1, Map.of("clients/" + id + "/alerts", 1), List.of());
            pending.add(log.append(new LogEntry(StateRecords.TOPIC, state, 1, ReservedTopics.BROKER_CLIENT_ID, now))
                    .toCompletableFuture());
            drainIfFull(pending);
        }
        byte[] payload = new byte[64];
        for (int k = 0; k < records; k++) {
            String topic = "clients/dev-" + (k % sessions) + "/alerts";
            pending.add(log.append(new LogEntry(topic, payload, 1, "origin", now)).toCompletableFuture());
            drainIfFull(pending);
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    }

    private static void drainIfFull(List<CompletableFuture<?>> pending) throws Exception {
        if (pending.size() >= 4096) {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            pending.clear();
        }
    }
}
