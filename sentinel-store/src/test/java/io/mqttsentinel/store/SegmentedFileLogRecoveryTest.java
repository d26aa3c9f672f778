package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery: the torn or corrupt tail of the last segment is found by checksum and cut; everything
 * before it is served, and appends continue at the right offset.
 */
class SegmentedFileLogRecoveryTest {
    private static final int GOOD = 4;

    @TempDir
    Path tmp;

    private static LogEntry entry(int i) {
        return new LogEntry("clients/dev/alerts", ("record-" + i).repeat(3).getBytes(StandardCharsets.UTF_8), 1, "dev", i);
    }

    private static SegmentedFileLog open(Path dir) {
        return SegmentedFileLog.builder(dir).open();
    }

    private static void append(SegmentedFileLog log, int i) {
        assertThat(log.append(entry(i)).toCompletableFuture().join().offset()).isEqualTo(i);
    }

    private static Path onlySegment(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> logs = files.filter(p -> p.toString().endsWith(".log")).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }

    private static List<LogRecord> readAll(SegmentedFileLog log) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>();
        try (LogReader r = log.openReader("check-" + System.nanoTime())) {
            List<LogRecord> got;
            while (!(got = r.poll(100, Duration.ZERO)).isEmpty()) {
                out.addAll(got);
            }
        }
        return out;
    }

    /** Writes GOOD records, notes the file size, writes one more; returns {sizeBefore, sizeAfter}. */
    private long[] template(Path dir) throws IOException {
        try (SegmentedFileLog log = open(dir)) {
            for (int i = 0; i < GOOD; i++) {
                append(log, i);
            }
        }
        long before = Files.size(onlySegment(dir));
        try (SegmentedFileLog log = open(dir)) {
            append(log, GOOD);
        }
        return new long[] {before, Files.size(onlySegment(dir))};
    }

    private void assertRecoveredTo(Path dir, int expectedRecords) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).meterRegistry(registry).open()) {
            assertThat(log.nextOffset()).isEqualTo(expectedRecords);
            List<LogRecord> records = readAll(log);
            assertThat(records).hasSize(expectedRecords);
            for (int i = 0; i < expectedRecords; i++) {
                assertThat(records.get(i).entry()).isEqualTo(entry(i));
                assertThat(records.get(i).offset()).isEqualTo(i);
            }
            // appends continue right after the last good record, and survive another restart
            append(log, expectedRecords);
        }
        try (SegmentedFileLog log = open(dir)) {
            assertThat(readAll(log)).extracting(LogRecord::entry).last().isEqualTo(entry(expectedRecords));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(onlySegment(from), to.resolve(onlySegment(from).getFileName()));
    }

    @Test
    void open_lastRecordTruncatedAtEveryByte_servesAllEarlierRecords() throws Exception {
        Path template = tmp.resolve("template");
        long[] sizes = template(template);
        for (long cut = sizes[0]; cut < sizes[1]; cut++) {
            Path dir = tmp.resolve("cut-" + cut);
            copy(template, dir);
            try (FileChannel ch = FileChannel.open(onlySegment(dir), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            assertRecoveredTo(dir, GOOD);
        }
        Path whole = tmp.resolve("whole");
        copy(template, whole);
        assertRecoveredTo(whole, GOOD + 1);
    }

    @Test
    void open_lastRecordCorruptAtEveryByte_servesAllEarlierRecordsAndCountsTheCut() throws Exception {
        Path template = tmp.resolve("template");
        long[] sizes = template(template);
        for (long at = sizes[0]; at < sizes[1]; at++) {
            Path dir = tmp.resolve("flip-" + at);
            copy(template, dir);
            byte[] bytes = Files.readAllBytes(onlySegment(dir));
            bytes[(int) at] ^= (byte) 0x5A;
            Files.write(onlySegment(dir), bytes);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (SegmentedFileLog log = SegmentedFileLog.builder(dir).meterRegistry(registry).open()) {
                assertThat(registry.get("sentinel.store.recovery.truncated.bytes").counter().count())
                        .as("bytes cut when byte %d is corrupt", at).isEqualTo(sizes[1] - sizes[0]);
                assertThat(log.nextOffset()).isEqualTo(GOOD);
            }
            assertRecoveredTo(dir, GOOD);
        }
    }

    @Test
    void open_zeroFilledTail_isCut() throws Exception {
        Path dir = tmp.resolve("zeros");
        template(dir);
        try (FileChannel ch = FileChannel.open(onlySegment(dir), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.allocate(10_000));
        }
        assertRecoveredTo(dir, GOOD + 1);
    }

    @Test
    void open_sealedSegmentIndexMissingOrDamaged_isRebuiltAndEveryRecordServed() throws Exception {
        Path dir = tmp.resolve("sealed");
        int n = 200;
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).segmentBytes(2048).open()) {
            for (int i = 0; i < n; i++) {
                log.append(entry(i));
            }
            log.append(entry(n)).toCompletableFuture().join();
        }
        List<Path> indexes;
        try (Stream<Path> files = Files.list(dir)) {
            indexes = files.filter(p -> p.toString().endsWith(".idx")).sorted().toList();
        }
        assertThat(indexes).hasSizeGreaterThan(3);
        Files.delete(indexes.get(0));
        Files.write(indexes.get(1), new byte[] {1, 2, 3});
        Files.write(indexes.get(2), new byte[] {0, 0, 0, 5, 0x7f, 0, 0, 0}); // points past the file's end

        try (SegmentedFileLog log = open(dir)) {
            List<LogRecord> records = readAll(log);
            assertThat(records).hasSize(n + 1);
            for (int i = 0; i <= n; i++) {
                assertThat(records.get(i).entry()).isEqualTo(entry(i));
            }
            // seeks land through the rebuilt indexes
            try (LogReader r = log.openReader("seeker")) {
                for (int i = n; i >= 0; i -= 37) {
                    r.seek(new io.mqttsentinel.api.LogPosition(0, i));
                    assertThat(r.poll(1, Duration.ZERO)).extracting(LogRecord::entry).containsExactly(entry(i));
                }
            }
        }
        assertThat(Files.size(indexes.get(0))).isPositive();
    }

    @Test
    void open_directoryAlreadyOpen_isRefused() {
        Path dir = tmp.resolve("locked");
        try (SegmentedFileLog log = open(dir)) {
            assertThat(log.directory()).isEqualTo(dir);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(dir))
                    .isInstanceOf(io.mqttsentinel.api.MessageLogException.class)
                    .hasMessageContaining("already open");
        }
        open(dir).close();
    }
}
