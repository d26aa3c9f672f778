package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLogException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-log reader details beyond the contract: commit folding, interrupts, closed logs. */
class FileLogReaderTest {
    @TempDir
    Path tmp;

    private static LogEntry entry(int i) {
        return new LogEntry("t", new byte[] {(byte) i}, 1, "c", i);
    }

    private static void append(SegmentedFileLog log, int from, int count) {
        CompletableFuture<LogPosition> last = null;
        for (int i = from; i < from + count; i++) {
            last = log.append(entry(i)).toCompletableFuture();
        }
        last.join();
    }

    @Test
    void commit_afterEveryRecordWithoutWaiting_allCompleteAndTheLastWins() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open()) {
            append(log, 0, 200);
            List<CompletableFuture<Void>> commits = new ArrayList<>();
            try (LogReader r = log.openReader("eager")) {
                for (LogRecord rec : r.poll(200, Duration.ZERO)) {
                    commits.add(r.commit(rec).toCompletableFuture());
                }
            }
            assertThat(commits).hasSize(200);
            CompletableFuture.allOf(commits.toArray(new CompletableFuture<?>[0])).join();
            append(log, 200, 1);
            try (LogReader r = log.openReader("eager")) {
                assertThat(r.poll(10, Duration.ZERO)).extracting(LogRecord::entry).containsExactly(entry(200));
            }
        }
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open();
             LogReader r = log.openReader("eager")) {
            assertThat(r.poll(10, Duration.ZERO)).extracting(LogRecord::offset).containsExactly(200L);
        }
    }

    @Test
    void poll_interrupted_throwsInterruptedExceptionAndTheLogKeepsWorking() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open()) {
            append(log, 0, 5);
            LogReader r = log.openReader("interrupted");
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> r.poll(10, Duration.ofSeconds(5))).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();
            // the reader works again after the interrupt, and so do appends and other readers
            assertThat(r.poll(10, Duration.ZERO)).hasSize(5);
            r.close();
            append(log, 5, 1);
            try (LogReader other = log.openReader("other")) {
                assertThat(other.poll(10, Duration.ZERO)).hasSize(6);
            }
        }
    }

    @Test
    void poll_idleReaderInterrupted_throwsInterruptedException() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open();
             LogReader r = log.openReader("idle")) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> r.poll(10, Duration.ofSeconds(5))).isInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void reader_ofClosedLog_failsClearly() throws Exception {
        SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open();
        append(log, 0, 1);
        LogReader r = log.openReader("late");
        log.close();
        assertThatThrownBy(() -> r.poll(1, Duration.ZERO)).isInstanceOf(MessageLogException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> log.openReader("new")).isInstanceOf(MessageLogException.class);
    }

    @Test
    void seekAndCommit_otherPartition_isRefused() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open();
             LogReader r = log.openReader("p")) {
            assertThatThrownBy(() -> r.seek(new LogPosition(1, 0))).hasMessageContaining("only partition 0, was 1");
            assertThatThrownBy(() -> r.commit(new LogRecord(new LogPosition(2, 0), entry(0))))
                    .hasMessageContaining("only partition 0, was 2");
            assertThatThrownBy(() -> r.poll(0, Duration.ZERO)).hasMessageContaining("maxRecords must be at least 1, was 0");
        }
    }
}
