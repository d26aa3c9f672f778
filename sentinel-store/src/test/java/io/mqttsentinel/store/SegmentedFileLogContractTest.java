package io.mqttsentinel.store;

import io.mqttsentinel.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;

import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.testkit.store.MessageLogContract;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file log against the compatibility kit, with tiny segments so that reads, commits and retention
 * cross segment boundaries, and fsync on every batch.
 */
class SegmentedFileLogContractTest extends MessageLogContract {
    @TempDir
    Path tmp;

    private final Map<MessageLog, MutableClock> clocks = new IdentityHashMap<>();
    private int logs;

    protected SegmentedFileLog.Builder configure(SegmentedFileLog.Builder builder) {
        return builder.segmentBytes(4096).fsyncPolicy(FsyncPolicy.ALWAYS);
    }

    @Override
    protected MessageLog newLog() {
        return open(tmp.resolve("log-" + logs++), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
    }

    private MessageLog open(Path dir, MutableClock clock) {
        SegmentedFileLog log = configure(SegmentedFileLog.builder(dir)).retention(Duration.ofHours(72)).clock(clock).open();
        clocks.put(log, clock);
        return log;
    }

    @Override
    protected MessageLog reopen(MessageLog closed) {
        return open(((SegmentedFileLog) closed).directory(), clocks.get(closed));
    }

    @Override
    protected void expireAllRecords(MessageLog log) {
        clocks.get(log).advance(Duration.ofHours(73));
        ((SegmentedFileLog) log).enforceRetention();
    }
}
