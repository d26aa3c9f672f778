package io.mqttsentinel.bench.store;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * Time to recover a 1 GB {@link SegmentedFileLog} after a crash: the log is generated in the temp directory
 * (after a free-space check), its last segment gets a torn tail of random bytes, and the directory is
 * opened again, as after a power cut. Measured three ways: the normal recovery (the last segment is scanned
 * and cut, sealed segments load their index), the worst case where every index is lost (every segment is
 * scanned record by record, checksums included), and a full read of every record with checksum checks.
 * The directory is deleted afterwards.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.store.FileLogRecovery [megabytes]
 * </pre>
 *
 * Figures are with the files in the page cache (the generation just wrote them); a cold cache adds the
 * disk's read time for what is scanned.
 */
public final class FileLogRecovery {
    private FileLogRecovery() {
    }

    /**
     * @param args the log size in MiB, default 1024
     * @throws Exception when the log fails
     */
    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        long bytes = megabytes << 20;
        Path dir = BenchFiles.tempDir(Path.of(System.getProperty("java.io.tmpdir")), "filelog-recovery-", bytes * 2 + (1L << 30));
        try {
            long t0 = System.nanoTime();
            long records = generate(dir, bytes);
            System.out.printf("generated %,d records, %,d bytes in %.1f s%n", records, BenchFiles.sizeOf(dir),
                    (System.nanoTime() - t0) / 1e9);

            tearLastSegment(dir);
            time("recovery (last segment scanned and torn tail cut, sealed segments by index)", dir, records, false);

            tearLastSegment(dir);
            deleteIndexes(dir);
            time("recovery with every index lost (all segments scanned, checksums checked)", dir, records, false);

            time("open and read every record (checksums checked)", dir, records, true);
        } finally {
            BenchFiles.deleteRecursively(dir);
        }
    }

    private static long generate(Path dir, long bytes) {
        LogEntry entry = new LogEntry("clients/recovery/telemetry", new byte[200], 1, "recovery", 0);
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS)
                .retention(Duration.ofDays(3650)).open()) {
            ArrayDeque<CompletableFuture<LogPosition>> window = new ArrayDeque<>();
            long n = 0;
            while (log.totalBytes() < bytes) {
                for (int i = 0; i < 10_000; i++) {
                    if (window.size() >= 50_000) {
                        window.poll().join();
                    }
                    window.add(log.append(entry).toCompletableFuture());
                    n++;
                }
                window.peekLast().join();
                window.clear();
            }
            return n;
        }
    }

    private static List<Path> segments(Path dir) throws Exception {
        List<Path> list = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.log")) {
            s.forEach(list::add);
        }
        list.sort(null);
        return list;
    }

    private static void tearLastSegment(Path dir) throws Exception {
        List<Path> segs = segments(dir);
        byte[] garbage = new byte[137];
        ThreadLocalRandom.current().nextBytes(garbage);
        try (FileChannel ch = FileChannel.open(segs.get(segs.size() - 1), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(garbage));
        }
    }

    private static void deleteIndexes(Path dir) throws Exception {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.idx")) {
            for (Path p : s) {
                Files.delete(p);
            }
        }
    }

    private static void time(String what, Path dir, long records, boolean readAll) throws Exception {
        long t0 = System.nanoTime();
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).retention(Duration.ofDays(3650)).open()) {
            long read = 0;
            if (readAll) {
                try (LogReader r = log.openReader("bench-read-" + System.nanoTime())) {
                    List<LogRecord> got;
                    while (!(got = r.poll(10_000, Duration.ZERO)).isEmpty()) {
                        read += got.size();
                    }
                }
                if (read != records) {
                    throw new IllegalStateException("read " + read + " records, expected " + records);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (log.nextOffset() != records) {
                throw new IllegalStateException("recovered " + log.nextOffset() + " records, expected " + records);
            }
            System.out.printf("%s: %.2f s%s%n", what, s,
                    readAll ? String.format(" (%,.0f records/s)", read / s) : "");
        }
    }
}
