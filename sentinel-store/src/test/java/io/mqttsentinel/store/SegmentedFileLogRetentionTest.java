package io.mqttsentinel.store;

import io.mqttsentinel.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by age and by size, through a clock the test moves. */
class SegmentedFileLogRetentionTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));

    private SegmentedFileLog.Builder builder() {
        return SegmentedFileLog.builder(tmp.resolve("log")).clock(clock).segmentBytes(4096).retention(Duration.ofHours(72));
    }

    private static void append(SegmentedFileLog log, int from, int count) {
        for (int i = from; i < from + count - 1; i++) {
            log.append(entry(i));
        }
        log.append(entry(from + count - 1)).toCompletableFuture().join();
    }

    private static LogEntry entry(int i) {
        return new LogEntry("t", new byte[200], 1, "c", i);
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("log"))) {
            return s.filter(p -> p.toString().endsWith(".log")).count();
        }
    }

    @Test
    void age_segmentsOlderThanRetention_areDeletedWhole() throws Exception {
        try (SegmentedFileLog log = builder().open()) {
            append(log, 0, 100); // ~25 KB: several segments, last appended at t0
            clock.advance(Duration.ofHours(48));
            append(log, 100, 100); // at t0 + 48 h (the age limit seals the old active segment first)
            long segmentsBefore = segmentFiles();
            assertThat(log.enforceRetention()).isZero();

            clock.advance(Duration.ofHours(25)); // the first 100 are now 73 h old, the rest 25 h
            int deleted = log.enforceRetention();
            assertThat(deleted).isPositive();
            assertThat(segmentFiles()).isEqualTo(segmentsBefore - deleted);
            assertThat(log.earliestOffset()).isEqualTo(100);
            try (LogReader r = log.openReader("new")) {
                assertThat(r.poll(1, Duration.ZERO)).extracting(LogRecord::offset).containsExactly(100L);
            }
        }
    }

    @Test
    void age_wholeLogExpired_activeSegmentIsSealedAndDeletedAndOffsetsContinue() throws Exception {
        try (SegmentedFileLog log = builder().segmentBytes(1 << 20).open()) {
            append(log, 0, 10);
            clock.advance(Duration.ofHours(73));
            assertThat(log.enforceRetention()).isEqualTo(1);
            assertThat(log.earliestOffset()).isEqualTo(10);
            assertThat(log.totalBytes()).isZero();
            assertThat(log.append(entry(10)).toCompletableFuture().join()).isEqualTo(new LogPosition(0, 10));
        }
        try (SegmentedFileLog log = builder().open()) {
            assertThat(log.earliestOffset()).isEqualTo(10);
            assertThat(log.nextOffset()).isEqualTo(11);
        }
    }

    @Test
    void size_totalAboveLimit_oldestSegmentsAreDeleted() throws Exception {
        try (SegmentedFileLog log = builder().segmentBytes(64 << 10).maxTotalBytes(1 << 20).open()) {
            append(log, 0, 10_000); // ~2.4 MB
            assertThat(log.totalBytes()).isGreaterThan(2L << 20);
            assertThat(log.enforceRetention()).isPositive();
            assertThat(log.totalBytes()).isLessThanOrEqualTo(1 << 20);
            assertThat(log.earliestOffset()).isPositive();
            assertThat(log.nextOffset()).isEqualTo(10_000);
        }
    }

    @Test
    void committedGroupBehindRetention_isToldAfterRestart() throws Exception {
        try (SegmentedFileLog log = builder().open()) {
            append(log, 0, 50);
            try (LogReader r = log.openReader("slow")) {
                List<LogRecord> got = r.poll(5, Duration.ZERO);
                r.commit(got.get(4)).toCompletableFuture().join();
            }
            clock.advance(Duration.ofHours(73));
            log.enforceRetention();
        }
        try (SegmentedFileLog log = builder().open(); LogReader r = log.openReader("slow")) {
            assertThatThrownBy(() -> r.poll(10, Duration.ZERO)).isInstanceOfSatisfying(LogTruncatedException.class, e -> {
                assertThat(e.requested()).isEqualTo(new LogPosition(0, 5));
                assertThat(e.earliest()).isEqualTo(new LogPosition(0, 50));
            });
        }
    }

    @Test
    void background_retentionRunsEveryCheckIntervalWithoutBeingCalled() throws Exception {
        try (SegmentedFileLog log = builder().retentionCheckInterval(Duration.ofSeconds(1)).open()) {
            append(log, 0, 100);
            clock.advance(Duration.ofHours(73));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            // segments leave the index first, their files are deleted right after
            while ((log.earliestOffset() < 100 || segmentFiles() > 1) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll a background thread, not timing
            }
            assertThat(log.earliestOffset()).isEqualTo(100);
            assertThat(segmentFiles()).isEqualTo(1);
        }
    }
}
