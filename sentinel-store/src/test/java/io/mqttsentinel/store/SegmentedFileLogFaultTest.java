package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLogException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full and I/O errors through an injected failing channel: appends fail clearly, nothing half-written
 * stays behind, the log stays readable and works again once the fault is gone. Also group commit and the
 * fsync policies, observed through the same channel.
 */
class SegmentedFileLogFaultTest {
    @TempDir
    Path tmp;

    private final FaultyFileIo io = new FaultyFileIo();

    private static LogEntry entry(int i) {
        return new LogEntry("sensors/" + i % 3, ("value-" + i).repeat(10).getBytes(StandardCharsets.UTF_8), 1, "c", i);
    }

    private SegmentedFileLog open(FsyncPolicy policy, int segmentBytes) {
        return SegmentedFileLog.builder(tmp.resolve("log")).fileIo(io).fsyncPolicy(policy).segmentBytes(segmentBytes).open();
    }

    private static List<CompletableFuture<LogPosition>> append(SegmentedFileLog log, int from, int count) {
        List<CompletableFuture<LogPosition>> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(log.append(entry(i)).toCompletableFuture());
        }
        return list;
    }

    private static void assertAllFail(List<CompletableFuture<LogPosition>> futures, String message) {
        for (CompletableFuture<LogPosition> f : futures) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(MessageLogException.class).hasMessageContaining("not stored")
                    .hasMessageContaining(message);
        }
    }

    private static void join(List<CompletableFuture<LogPosition>> futures) {
        for (CompletableFuture<LogPosition> f : futures) {
            f.orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    private static List<LogEntry> readAll(SegmentedFileLog log) throws InterruptedException {
        List<LogEntry> out = new ArrayList<>();
        try (LogReader r = log.openReader("all-" + System.nanoTime())) {
            List<LogRecord> got;
            while (!(got = r.poll(100, Duration.ZERO)).isEmpty()) {
                got.forEach(x -> out.add(x.entry()));
            }
        }
        return out;
    }

    private static List<LogEntry> entries(int... ranges) {
        List<LogEntry> out = new ArrayList<>();
        for (int k = 0; k < ranges.length; k += 2) {
            for (int i = ranges[k]; i < ranges[k + 1]; i++) {
                out.add(entry(i));
            }
        }
        return out;
    }

    @Test
    void diskFull_midWrite_appendsFailLogStaysReadableAndRecovers() throws Exception {
        try (SegmentedFileLog log = open(FsyncPolicy.ALWAYS, 1 << 20)) {
            join(append(log, 0, 10));
            io.failWrites = true;
            assertAllFail(append(log, 10, 5), "No space left on device");
            assertThat(readAll(log)).isEqualTo(entries(0, 10));
            io.failWrites = false;
            List<CompletableFuture<LogPosition>> later = append(log, 20, 3);
            join(later);
            assertThat(later.get(0).join().offset()).isEqualTo(10);
            assertThat(readAll(log)).isEqualTo(entries(0, 10, 20, 23));
        }
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open()) {
            assertThat(readAll(log)).as("no half-written record survives a restart").isEqualTo(entries(0, 10, 20, 23));
        }
    }

    @Test
    void fsyncFails_appendsFailAndAreNotServed_thenRecovers() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).fileIo(io).meterRegistry(registry).open()) {
            join(append(log, 0, 5));
            io.failForce = true;
            assertAllFail(append(log, 5, 4), "fsync failure");
            assertThat(readAll(log)).isEqualTo(entries(0, 5));
            io.failForce = false;
            join(append(log, 9, 2));
            assertThat(readAll(log)).isEqualTo(entries(0, 5, 9, 11));
            assertThat(registry.get("sentinel.store.appends").tag("result", "failed").counter().count()).isEqualTo(4);
            assertThat(registry.get("sentinel.store.appends").tag("result", "ok").counter().count()).isEqualTo(7);
        }
    }

    @Test
    void newSegmentCannotBeCreated_appendsFail_thenRollSucceedsLater() throws Exception {
        int n = 0;
        try (SegmentedFileLog log = open(FsyncPolicy.ALWAYS, 1024)) {
            while (log.totalBytes() < 1024) { // fill the first segment
                join(append(log, n++, 1));
            }
            io.failOpen = true;
            assertAllFail(append(log, 100, 3), "creating");
            io.failOpen = false;
            join(append(log, 200, 20));
            assertThat(readAll(log)).isEqualTo(entries(0, n, 200, 220));
            assertThat(log.segments).hasSizeGreaterThan(1);
        }
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).open()) {
            assertThat(readAll(log)).hasSize(n + 20);
        }
    }

    @Test
    void always_appendsWaitingDuringAnFsync_shareTheNextOne() throws Exception {
        try (SegmentedFileLog log = open(FsyncPolicy.ALWAYS, 1 << 20)) {
            io.holdForce = new CountDownLatch(1);
            CompletableFuture<LogPosition> first = log.append(entry(0)).toCompletableFuture();
            assertThat(io.forceEntered.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<LogPosition>> waiting = append(log, 1, 500);
            assertThat(first).as("not complete before its fsync returned").isNotDone();
            io.holdForce.countDown();
            io.holdForce = null;
            join(waiting);
            assertThat(io.forces.get()).as("one fsync for the first, one for the 500 that waited").isEqualTo(2);
        }
    }

    @Test
    void os_completesWithoutFsync_andForcesOnClose() throws Exception {
        SegmentedFileLog log = open(FsyncPolicy.OS, 1 << 20);
        join(append(log, 0, 50));
        assertThat(io.forces.get()).isZero();
        log.close();
        assertThat(io.forces.get()).isEqualTo(1);
    }

    @Test
    void interval_fsyncsInTheBackground() throws Exception {
        try (SegmentedFileLog log = open(FsyncPolicy.interval(Duration.ofMillis(10)), 1 << 20)) {
            join(append(log, 0, 50));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (io.forces.get() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll a background thread, not timing
            }
            assertThat(io.forces.get()).isPositive();
        }
    }

    @Test
    void append_recordLargerThanLimit_failsAndIsNotStored() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).maxRecordBytes(2048).open()) {
            CompletableFuture<LogPosition> f = log.append(new LogEntry("t", new byte[4096], 1, "c", 0)).toCompletableFuture();
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(MessageLogException.class)
                    .hasMessageContaining("maxRecordBytes=2048");
            assertThat(log.nextOffset()).isZero();
        }
    }

    @Test
    void append_moreWaitingThanMaxPending_failsFastAndOthersComplete() throws Exception {
        try (SegmentedFileLog log = SegmentedFileLog.builder(tmp.resolve("log")).fileIo(io).maxPendingAppends(10).open()) {
            io.holdForce = new CountDownLatch(1);
            CompletableFuture<LogPosition> first = log.append(entry(0)).toCompletableFuture();
            assertThat(io.forceEntered.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<LogPosition>> waiting = append(log, 1, 10);
            CompletableFuture<LogPosition> overflow = log.append(entry(11)).toCompletableFuture();
            assertThatThrownBy(() -> overflow.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(MessageLogException.class)
                    .hasMessageContaining("maxPendingAppends");
            io.holdForce.countDown();
            io.holdForce = null;
            join(waiting);
            assertThat(first.join().offset()).isZero();
            assertThat(readAll(log)).isEqualTo(entries(0, 11));
        }
    }
}
