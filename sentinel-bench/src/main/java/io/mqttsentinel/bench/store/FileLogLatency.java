package io.mqttsentinel.bench.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Append latency of a {@link SegmentedFileLog} at a fixed offered rate (open loop): appends are issued on a
 * schedule, and each latency is measured from its scheduled time to its completion, so a stall is not
 * hidden by the sender waiting (no coordinated omission).
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.store.FileLogLatency [rate] [seconds] [always|interval|os]
 * </pre>
 *
 * Defaults: 10,000 appends/s of 200-byte payloads for 10 s after 3 s of warm-up, {@code always}.
 */
public final class FileLogLatency {
    private FileLogLatency() {
    }

    /**
     * @param args rate per second, seconds, fsync policy
     * @throws Exception when the log fails
     */
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String policyName = args.length > 2 ? args[2] : "always";
        FsyncPolicy policy = switch (policyName) {
            case "always" -> FsyncPolicy.ALWAYS;
            case "interval" -> FsyncPolicy.interval(Duration.ofMillis(100));
            case "os" -> FsyncPolicy.OS;
            default -> throw new IllegalArgumentException("policy must be always, interval or os, was " + policyName);
        };
        Path dir = BenchFiles.tempDir(Path.of(System.getProperty("java.io.tmpdir")), "filelog-latency-", 2L << 30);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().percentiles(0.5, 0.99, 0.999).build().merge(config);
            }
        });
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(policy).meterRegistry(registry).open()) {
            Histogram h = run(log, rate, seconds, 3);
            System.out.printf("file log, %s, %,d appends/s offered for %d s (200-byte payloads)%n", policy, rate, seconds);
            print(h);
            Timer fsync = registry.get("sentinel.store.fsync.latency").timer();
            if (fsync.count() > 0) {
                ValueAtPercentile[] p = fsync.takeSnapshot().percentileValues();
                System.out.printf("  fsyncs %,d (%.0f appends each)  fsync p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
                        fsync.count(), (double) rate * (seconds + 3) / fsync.count(), p[0].value(TimeUnit.MILLISECONDS),
                        p[1].value(TimeUnit.MILLISECONDS), p[2].value(TimeUnit.MILLISECONDS), fsync.max(TimeUnit.MILLISECONDS));
            }
        } finally {
            BenchFiles.deleteRecursively(dir);
        }
    }

    /** Offers {@code rate} appends per second, discards the warm-up, returns the measured latencies. */
    static Histogram run(MessageLog log, int rate, int seconds, int warmupSeconds) {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        LogEntry entry = new LogEntry("clients/latency/telemetry", new byte[200], 1, "latency", System.currentTimeMillis());
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long total = (long) rate * (seconds + warmupSeconds);
        long warmup = (long) rate * warmupSeconds;
        AtomicLong failures = new AtomicLong();
        CompletableFuture<?> last = null;
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long now;
            while ((now = System.nanoTime()) < intended) {
                long wait = intended - now;
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait - 20_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            boolean measured = i >= warmup;
            last = log.append(entry).whenComplete((p, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else if (measured) {
                    recorder.recordValue(System.nanoTime() - intended);
                }
            }).toCompletableFuture();
        }
        if (last != null) {
            last.handle((v, e) -> null).join(); // completions come in append order per key: the last one is the end
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " appends failed");
        }
        return recorder.getIntervalHistogram();
    }

    static void print(Histogram h) {
        System.out.printf("  count %,d  p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n", h.getTotalCount(),
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
                h.getMaxValue() / 1e6);
    }
}
