package io.mqttsentinel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.Await;

/** A node's membership: its tail follows the log, learns how far behind it is, and stops counting once it stops. */
class LogTailTest {
    @TempDir
    Path dir;

    @Test
    void tail_learnsTheLogsEnd_reportsItsLag_andIsHealthyOnlyWhileItRecentlyReachedTheLog() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open()) {
            for (int i = 0; i < 100; i++) {
                log.append(new LogEntry("clients/d1/telemetry", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, "d1",
                        System.currentTimeMillis())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            AtomicBoolean cut = new AtomicBoolean();
            MessageLog unreachable = new MessageLog() {
                @Override
                public java.util.concurrent.CompletionStage<io.mqttsentinel.api.LogPosition> append(LogEntry entry) {
                    return log.append(entry);
                }

                @Override
                public LogReader openReader(String group) {
                    LogReader r = log.openReader(group);
                    return new LogReader() {
                        @Override
                        public List<LogRecord> poll(int max, Duration timeout) throws InterruptedException {
                            return r.poll(max, timeout);
                        }

                        @Override
                        public java.util.concurrent.CompletionStage<Void> commit(LogRecord record) {
                            return r.commit(record);
                        }

                        @Override
                        public void seek(io.mqttsentinel.api.LogPosition position) {
                            r.seek(position);
                        }

                        @Override
                        public void seekToEarliest() {
                            r.seekToEarliest();
                        }

                        @Override
                        public Map<Integer, Long> endOffsets() {
                            if (cut.get()) {
                                throw new IllegalStateException("the log does not answer");
                            }
                            return r.endOffsets();
                        }

                        @Override
                        public void assign(Map<Integer, Long> offsets) {
                            r.assign(offsets);
                        }

                        @Override
                        public void close() {
                            r.close();
                        }
                    };
                }

                @Override
                public void close() {
                }
            };
            LogTail tail = new LogTail(unreachable, "n1", new Router(new SubscriptionIndex()), r -> { }, Map.of(0, 0L), now::get);
            assertThat(tail.isHealthy(Duration.ofSeconds(10))).as("not before it ran").isFalse();
            assertThat(tail.lag()).isEqualTo(-1);
            tail.start();
            try {
                Await.until("the tail reached the log", () -> tail.isHealthy(Duration.ofSeconds(10)));
                Await.until("the tail read everything", () -> tail.positions().values().stream().mapToLong(Long::longValue).sum() == 100);
                now.addAndGet(TimeUnit.SECONDS.toNanos(2)); // the next end check is due
                Await.until("no lag once read", () -> tail.lag() == 0);

                cut.set(true); // the log stops answering: after 10 s of its clock the node is no member
                now.addAndGet(TimeUnit.SECONDS.toNanos(11));
                Await.until("the tail found the log silent", () -> tail.failedEndChecks() > 0);
                assertThat(tail.isHealthy(Duration.ofSeconds(10))).as("not a member while the log does not answer").isFalse();
                cut.set(false);
                now.addAndGet(TimeUnit.SECONDS.toNanos(2)); // the next check is due
                Await.until("a member again once it answers", () -> tail.isHealthy(Duration.ofSeconds(10)));
            } finally {
                tail.close();
            }
            assertThat(tail.isHealthy(Duration.ofSeconds(10))).as("a closed tail is no member").isFalse();
        }
    }
}
