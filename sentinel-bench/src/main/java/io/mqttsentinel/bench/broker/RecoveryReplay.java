package io.mqttsentinel.bench.broker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.broker.internal.ReservedTopics;
import io.mqttsentinel.broker.internal.SessionStateWriter;
import io.mqttsentinel.broker.internal.StateRecords;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * How long the core broker takes to start over a full log: {@code sessions} persistent device sessions
 * (one state record each), then {@code records} QoS 1 alerts round-robin over their topics, none
 * acknowledged. Times two starts on the same directory, each with the log freshly reopened:
 *
 * <ul>
 *   <li><b>first</b>: no snapshot yet, so recovery reads the whole log (every session gets its backlog noted,
 *       no message is held in memory); the broker then takes a snapshot on its own schedule, and the tool
 *       waits for it and reports how long it took;</li>
 *   <li><b>second</b>: reads the snapshot and the short tail after it, which is what every later start costs.
 *       With {@code tail=N}, N more messages are first appended to the log with the broker stopped, as if
 *       written just before a crash with no checkpoint after them: the second start then reads them in both of
 *       its passes and routes them. In the file log (one partition) a snapshot is due once the log grew by
 *       {@code SENTINEL_BROKER_SNAPSHOT_RECORDS} (1,000,000) records, so {@code tail=1000000} is about the
 *       longest tail a start meets (the snapshot interval, one hour, bounds it on a slow log).</li>
 * </ul>
 *
 * <p>Each start prints: the time to open the log (a real restart opens it too), the wall time of
 * {@link SentinelBroker#start()}, the CPU time of the starting thread (recovery runs on it) and of the whole
 * process (GC, JIT, the log's writer thread), the used heap after a full GC with the broker still open, and
 * the broker's own gauges {@code mqtt_broker_recovery_state_records} and {@code mqtt_broker_recovery_messages}.
 *
 * <p>Run all steps in one JVM, or with {@code dir=} and {@code steps=} one per JVM, so that the second start
 * is a new process (cold JIT) as in a real restart:
 *
 * <pre>
 * java -cp ... io.mqttsentinel.bench.broker.RecoveryReplay sessions=10000 records=1000000
 * java -cp ... io.mqttsentinel.bench.broker.RecoveryReplay dir=/tmp/r steps=write,first sessions=...
 * java -cp ... io.mqttsentinel.bench.broker.RecoveryReplay dir=/tmp/r steps=second
 * </pre>
 *
 * With {@code dir=} the directory is kept (delete it yourself); without, a temporary one is deleted at the end.
 */
public final class RecoveryReplay {
    private RecoveryReplay() {
    }

    /**
     * @param args {@code sessions=} (10000), {@code records=} (1000000), {@code dir=} (a new temporary
     *             directory, deleted at the end), {@code steps=} (any of {@code write,first,second}; all) and
 *             {@code tail=} (0: messages appended before the second start; give the same {@code sessions=})
     * @throws Exception when the log cannot be written
     */
    public static void main(String[] args) throws Exception {
        int sessions = 10_000;
        int records = 1_000_000;
        int tail = 0;
        Path given = null;
        Set<String> steps = new LinkedHashSet<>(List.of("write", "first", "second"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            switch (kv[0]) {
                case "sessions" -> sessions = Integer.parseInt(kv[1]);
                case "records" -> records = Integer.parseInt(kv[1]);
                case "tail" -> tail = Integer.parseInt(kv[1]);
                case "dir" -> given = Path.of(kv[1]);
                case "steps" -> {
                    steps = new LinkedHashSet<>(List.of(kv[1].split(",")));
                    if (!Set.of("write", "first", "second").containsAll(steps)) {
                        throw new IllegalArgumentException("steps: any of write,first,second, got " + kv[1]);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (sessions < 1 || sessions > 1_000_000 || records < 1 || records > 20_000_000 || tail < 0
                || tail > 20_000_000) {
            throw new IllegalArgumentException("sessions 1..1000000, records 1..20000000, tail 0..20000000");
        }
        Path dir = given != null ? Files.createDirectories(given) : Files.createTempDirectory("bench-broker-recovery");
        try {
            if (steps.contains("write")) {
                long t0 = System.nanoTime();
                try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
                    try (LogReader r = log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
                        if (r.endOffsets().getOrDefault(0, 0L) > 0) {
                            throw new IllegalStateException(dir + " already holds a log");
                        }
                    }
                    fill(log, sessions, records);
                }
                System.out.printf(Locale.ROOT, "wrote %d session records and %d messages in %.1f s%n", sessions,
                        records, (System.nanoTime() - t0) / 1e9);
            }
            if (steps.contains("first")) {
                timeStart(dir, "first start (no snapshot: the whole log)", true);
            }
            if (steps.contains("second")) {
                if (tail > 0) {
                    long t0 = System.nanoTime();
                    try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
                        appendMessages(log, sessions, tail, new ArrayList<>());
                    }
                    System.out.printf(Locale.ROOT, "appended a tail of %d messages after the snapshot (as if written "
                            + "just before a crash, no checkpoint after them) in %.1f s%n", tail,
                            (System.nanoTime() - t0) / 1e9);
                }
                timeStart(dir, "second start (snapshot + tail)", false);
            }
        } finally {
            if (given == null) {
                FanOutLoad.deleteTree(dir);
            }
        }
    }

    private static void timeStart(Path dir, String label, boolean waitForSnapshot) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long o0 = System.nanoTime();
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
            double openSeconds = (System.nanoTime() - o0) / 1e9;
            long logEnd;
            boolean hadSnapshot;
            try (LogReader r = log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
                logEnd = r.endOffsets().getOrDefault(0, 0L);
                hadSnapshot = r.positions().getOrDefault(0, 0L) > 0;
            }
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            long cpu0 = threads.getCurrentThreadCpuTime(); // recovery runs on the calling thread
            long proc0 = os.getProcessCpuTime();
            Runtime rt = Runtime.getRuntime();
            long s0 = System.nanoTime();
            try (SentinelBroker broker = SentinelBroker.builder().port(0).messageLog(log).meterRegistry(meters)
                    .build().start()) {
                double seconds = (System.nanoTime() - s0) / 1e9;
                double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double procSeconds = (os.getProcessCpuTime() - proc0) / 1e9;
                System.gc();
                long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
                System.out.printf(Locale.ROOT, "%s: log of %d records (snapshot present: %s) opened in %.2f s; "
                                + "start() took %.2f s wall, %.2f s CPU of the starting thread, %.2f s CPU of the "
                                + "process; heap after start %d MB; mqtt_broker_recovery_state_records=%.0f "
                                + "mqtt_broker_recovery_messages=%.0f mqtt_broker_recovery_seconds=%.2f "
                                + "mqtt_broker_sessions=%.0f; ready=%s%n", label, logEnd, hadSnapshot, openSeconds,
                        seconds, cpuSeconds, procSeconds, heapMb, gauge(meters, "mqtt_broker_recovery_state_records"),
                        gauge(meters, "mqtt_broker_recovery_messages"), gauge(meters, "mqtt_broker_recovery_seconds"),
                        gauge(meters, "mqtt_broker_sessions"), broker.isReady());
                if (waitForSnapshot) {
                    long w0 = System.nanoTime();
                    long p0 = os.getProcessCpuTime();
                    long deadline = w0 + TimeUnit.MINUTES.toNanos(5);
                    while (!snapshotTaken(log) && System.nanoTime() < deadline) {
                        Thread.sleep(50); // a benchmark waits for the broker's own schedule
                    }
                    boolean taken = snapshotTaken(log);
                    System.out.printf(Locale.ROOT, "  snapshot %s %.2f s after start() returned (%.2f s CPU of the "
                                    + "process meanwhile; checkpoint interval %d ms)%n", taken ? "committed" : "NOT taken",
                            (System.nanoTime() - w0) / 1e9, (os.getProcessCpuTime() - p0) / 1e9,
                            broker.config().checkpointInterval().toMillis());
                }
            }
        }
    }

    private static double gauge(SimpleMeterRegistry meters, String name) {
        Gauge g = meters.find(name).gauge();
        return g == null ? Double.NaN : g.value();
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
        appendMessages(log, sessions, records, pending);
    }

    private static void appendMessages(MessageLog log, int sessions, int records, List<CompletableFuture<?>> pending)
            throws Exception {
        long now = System.currentTimeMillis();
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
