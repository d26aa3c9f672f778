package io.mqttsentinel.bench.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends per second to a {@link SegmentedFileLog} of 200-byte payloads, as a broker with many publishers
 * makes them: each benchmark thread keeps up to {@link #WINDOW} appends in flight (it waits for the oldest
 * when the window is full), so completions are counted, not just submissions. With {@code always} every
 * append waits for the fsync that covers it (group commit); with {@code interval} for the write only.
 *
 * <pre>
 * java -jar sentinel-bench/target/benchmarks.jar FileLogAppendBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s
 * </pre>
 *
 * The log lives in {@code java.io.tmpdir} and is deleted after each trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(2)
@State(Scope.Benchmark)
public class FileLogAppendBenchmark {
    /** Appends one thread keeps in flight. */
    static final int WINDOW = 4096;

    @Param({"always", "interval"})
    public String fsync;

    @Param("200")
    public int payloadBytes;

    private Path dir;
    private SegmentedFileLog log;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchFiles.tempDir(Path.of(System.getProperty("java.io.tmpdir")), "filelog-bench-", 8L << 30);
        FsyncPolicy policy = "always".equals(fsync) ? FsyncPolicy.ALWAYS : FsyncPolicy.interval(Duration.ofMillis(100));
        log = SegmentedFileLog.builder(dir).fsyncPolicy(policy).maxPendingAppends(1 << 20).open();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        BenchFiles.deleteRecursively(dir);
    }

    /** One publisher thread: its payload and its appends in flight. */
    @State(Scope.Thread)
    public static class Publisher {
        final ArrayDeque<CompletableFuture<LogPosition>> inFlight = new ArrayDeque<>(WINDOW);
        LogEntry entry;

        @Setup(Level.Trial)
        public void entry(FileLogAppendBenchmark b) {
            entry = new LogEntry("clients/bench-" + Thread.currentThread().getId() + "/telemetry",
                    new byte[b.payloadBytes], 1, "bench", System.currentTimeMillis());
        }

        @TearDown(Level.Iteration)
        public void drain() {
            CompletableFuture<LogPosition> f;
            while ((f = inFlight.poll()) != null) {
                f.join();
            }
        }
    }

    @Benchmark
    public LogPosition append(Publisher p) {
        LogPosition done = null;
        if (p.inFlight.size() >= WINDOW) {
            done = p.inFlight.poll().join();
        }
        p.inFlight.add(log.append(p.entry).toCompletableFuture());
        return done;
    }
}
