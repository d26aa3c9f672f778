package io.mqttsentinel.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of {@link MessageLog}: every implementation's test extends this class and so
 * passes the same contract (append durability and positions, order per ordering key, consumer groups
 * that resume exactly where they committed, retention that tells a reader behind it, the end offsets
 * of the log and readers assigned a subset of its partitions).
 *
 * <p>An implementation supplies a fresh, empty log per test ({@link #newLog()}), a way to open the same
 * storage again after close ({@link #reopen(MessageLog)}) and a way to let retention drop every record
 * appended so far ({@link #expireAllRecords(MessageLog)}).
 */
public abstract class MessageLogContract {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * @return a new, empty log on storage of its own
     * @throws Exception when it cannot be created
     */
    protected abstract MessageLog newLog() throws Exception;

    /**
     * @param closed a log returned by {@link #newLog()} or this method, already closed
     * @return a log over the same storage, as after a restart
     * @throws Exception when it cannot be opened
     */
    protected abstract MessageLog reopen(MessageLog closed) throws Exception;

    /**
     * Makes the log's retention delete every record appended so far (for example by advancing its clock
     * past the retention and running retention), so that later appends are the only records left.
     *
     * @param log the log
     * @throws Exception when it cannot
     */
    protected abstract void expireAllRecords(MessageLog log) throws Exception;

    /** @return how long an operation that should succeed may take before the test fails */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    /**
     * Registers a resource to close after the test.
     *
     * @param c the resource
     * @param <T> its type
     * @return {@code c}
     */
    protected <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private MessageLog log() throws Exception {
        return closeLater(newLog());
    }

    private MessageLog restart(MessageLog log) throws Exception {
        log.close();
        return closeLater(reopen(log));
    }

    /**
     * @param topic the topic
     * @param i     a sequence number written into the payload
     * @return an entry whose payload names its topic and number
     */
    protected static LogEntry entry(String topic, int i) {
        return new LogEntry(topic, (topic + "#" + i).getBytes(StandardCharsets.UTF_8), 1, "client-" + (i % 7),
                1_700_000_000_000L + i);
    }

    /**
     * Appends every entry in order and waits for all positions.
     *
     * @param log     the log
     * @param entries the entries
     * @return their positions, in the same order
     */
    protected List<LogPosition> appendAll(MessageLog log, List<LogEntry> entries) {
        List<CompletableFuture<LogPosition>> futures = new ArrayList<>();
        for (LogEntry e : entries) {
            futures.add(log.append(e).toCompletableFuture());
        }
        List<LogPosition> positions = new ArrayList<>();
        for (CompletableFuture<LogPosition> f : futures) {
            positions.add(f.orTimeout(patience().toMillis(), TimeUnit.MILLISECONDS).join());
        }
        return positions;
    }

    /**
     * Polls until {@code n} records arrived or the patience ran out.
     *
     * @param reader the reader
     * @param n      how many records to wait for
     * @return the records, in the order polled
     * @throws InterruptedException when interrupted
     */
    protected List<LogRecord> readN(LogReader reader, int n) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + patience().toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            out.addAll(reader.poll(n - out.size(), Duration.ofMillis(200)));
        }
        return out;
    }

    private static List<LogEntry> entries(String topic, int from, int count) {
        List<LogEntry> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(entry(topic, i));
        }
        return list;
    }

    private static Map<String, List<LogEntry>> byKey(List<LogRecord> records) {
        Map<String, List<LogEntry>> map = new LinkedHashMap<>();
        for (LogRecord r : records) {
            map.computeIfAbsent(r.entry().orderingKey(), k -> new ArrayList<>()).add(r.entry());
        }
        return map;
    }

    private static Map<String, List<LogEntry>> byKeyOfEntries(List<LogEntry> entries) {
        Map<String, List<LogEntry>> map = new LinkedHashMap<>();
        for (LogEntry e : entries) {
            map.computeIfAbsent(e.orderingKey(), k -> new ArrayList<>()).add(e);
        }
        return map;
    }

    @Test
    void append_completesWithOffsetsGrowingByOnePerPartition() throws Exception {
        MessageLog log = log();
        List<LogPosition> positions = appendAll(log, entries("sensors/a", 0, 20));
        Map<Integer, List<Long>> offsets = new LinkedHashMap<>();
        for (LogPosition p : positions) {
            offsets.computeIfAbsent(p.partition(), k -> new ArrayList<>()).add(p.offset());
        }
        assertThat(offsets).hasSize(1); // one key, one partition
        List<Long> list = offsets.values().iterator().next();
        for (int i = 1; i < list.size(); i++) {
            assertThat(list.get(i)).isEqualTo(list.get(i - 1) + 1);
        }
    }

    @Test
    void append_thenRead_returnsEveryFieldUnchanged() throws Exception {
        MessageLog log = log();
        LogEntry big = new LogEntry("clients/c1/alerts", new byte[300_000], 1, "c1", 42L);
        LogEntry empty = new LogEntry("ünïcode/tópic", new byte[0], 0, "", 0L);
        LogEntry plain = new LogEntry("a", new byte[] {1, 2, 3}, 2, "client-é", Long.MAX_VALUE);
        List<LogPosition> positions = appendAll(log, List.of(big, empty, plain));

        try (LogReader reader = log.openReader("roundtrip")) {
            List<LogRecord> records = readN(reader, 3);
            assertThat(records).extracting(LogRecord::entry).containsExactlyInAnyOrder(big, empty, plain);
            for (LogRecord r : records) {
                int i = List.of(big, empty, plain).indexOf(r.entry());
                assertThat(r.position()).isEqualTo(positions.get(i));
            }
        }
    }

    @Test
    void append_manyKeysInterleaved_eachKeyReadBackInAppendOrder() throws Exception {
        MessageLog log = log();
        List<LogEntry> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String topic = switch (i % 4) {
                case 0 -> "sensors/t1";
                case 1 -> "sensors/t2";
                case 2 -> "clients/dev-9/alerts"; // same key as the next one: the client id
                default -> "clients/dev-9/status";
            };
            all.add(entry(topic, i));
        }
        appendAll(log, all);
        try (LogReader reader = log.openReader("order")) {
            List<LogRecord> records = readN(reader, all.size());
            assertThat(records).hasSize(all.size());
            assertThat(byKey(records)).isEqualTo(byKeyOfEntries(all));
        }
    }

    @Test
    void append_concurrentWriters_keepEachWritersOrder() throws Exception {
        MessageLog log = log();
        int writers = 4;
        int each = 250;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<List<LogPosition>>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String topic = "clients/writer-" + w + "/data";
                results.add(pool.submit(() -> appendAll(log, entries(topic, 0, each))));
            }
            for (Future<List<LogPosition>> f : results) {
                assertThat(f.get(patience().toMillis(), TimeUnit.MILLISECONDS)).hasSize(each);
            }
        } finally {
            pool.shutdownNow();
        }
        try (LogReader reader = log.openReader("concurrent")) {
            List<LogRecord> records = readN(reader, writers * each);
            Map<String, List<LogEntry>> keyed = byKey(records);
            assertThat(keyed).hasSize(writers);
            for (int w = 0; w < writers; w++) {
                assertThat(keyed.get("writer-" + w)).containsExactlyElementsOf(entries("clients/writer-" + w + "/data", 0, each));
            }
        }
    }

    @Test
    void openReader_newGroup_startsAtEarliestRecord() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 5));
        try (LogReader reader = log.openReader("fresh")) {
            assertThat(readN(reader, 5)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 5));
            assertThat(reader.poll(10, Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void poll_emptyLog_returnsNothingAfterTimeout() throws Exception {
        MessageLog log = log();
        try (LogReader reader = log.openReader("idle")) {
            assertThat(reader.poll(10, Duration.ofMillis(50))).isEmpty();
        }
    }

    @Test
    void poll_waitingReader_getsRecordAppendedMeanwhile() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 1));
        try (LogReader reader = log.openReader("waiting")) {
            assertThat(readN(reader, 1)).hasSize(1);
            CompletableFuture<List<LogRecord>> polled = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.poll(10, patience());
                } catch (InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            appendAll(log, entries("t", 1, 1));
            assertThat(polled.get(patience().toMillis() + 5000, TimeUnit.MILLISECONDS))
                    .extracting(LogRecord::entry).containsExactly(entry("t", 1));
        }
    }

    @Test
    void poll_respectsMaxRecords() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 10));
        try (LogReader reader = log.openReader("max")) {
            List<LogRecord> first = new ArrayList<>(reader.poll(3, patience()));
            assertThat(first).hasSizeBetween(1, 3);
            List<LogRecord> rest = readN(reader, 10 - first.size());
            first.addAll(rest);
            assertThat(first).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 10));
        }
    }

    @Test
    void positions_followCommitsAndPolls_withoutMovingTheReader() throws Exception {
        MessageLog log = log();
        List<LogPosition> written = appendAll(log, entries("t", 0, 10));
        int partition = written.get(0).partition();
        try (LogReader fresh = log.openReader("positions")) {
            assertThat(fresh.positions()).containsKey(partition);
            assertThat(fresh.positions().values()).allMatch(offset -> offset == 0L);
            List<LogRecord> records = readN(fresh, 10);
            assertThat(fresh.positions()).containsEntry(partition, written.get(9).offset() + 1);
            fresh.commit(records.get(3)).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        }
        try (LogReader again = log.openReader("positions")) {
            assertThat(again.positions()).containsEntry(partition, written.get(3).offset() + 1);
            assertThat(again.positions()).containsEntry(partition, written.get(3).offset() + 1); // asking does not move it
            assertThat(readN(again, 1)).extracting(LogRecord::entry).containsExactly(entries("t", 4, 1).get(0));
            again.assign(Map.of(partition, written.get(7).offset()));
            assertThat(again.positions()).containsExactly(Map.entry(partition, written.get(7).offset()));
        }
    }

    @Test
    void commit_thenReopenReader_resumesRightAfterCommittedRecord() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 10));
        try (LogReader reader = log.openReader("resume")) {
            List<LogRecord> records = readN(reader, 10);
            reader.commit(records.get(5)).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        }
        try (LogReader again = log.openReader("resume")) {
            assertThat(readN(again, 4)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 6, 4));
        }
    }

    @Test
    void uncommittedProgress_isReadAgainByNextReader() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 6));
        try (LogReader reader = log.openReader("redeliver")) {
            List<LogRecord> records = readN(reader, 6);
            reader.commit(records.get(1)).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        }
        try (LogReader again = log.openReader("redeliver")) {
            assertThat(readN(again, 4)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 2, 4));
        }
    }

    @Test
    void restart_keepsEveryAcknowledgedRecordAndEveryCommit() throws Exception {
        MessageLog log = log();
        List<LogPosition> positions = appendAll(log, entries("t", 0, 50));
        try (LogReader reader = log.openReader("restart")) {
            List<LogRecord> records = readN(reader, 20);
            reader.commit(records.get(19)).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        }
        MessageLog reopened = restart(log);
        try (LogReader reader = reopened.openReader("restart")) {
            List<LogRecord> records = readN(reader, 30);
            assertThat(records).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 20, 30));
            assertThat(records).extracting(LogRecord::position).containsExactlyElementsOf(positions.subList(20, 50));
        }
        try (LogReader other = reopened.openReader("restart-new-group")) {
            assertThat(readN(other, 50)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 50));
        }
        List<LogPosition> more = appendAll(reopened, entries("t", 50, 5));
        assertThat(more.get(0).offset()).isGreaterThan(positions.get(49).offset());
    }

    @Test
    void groups_progressIndependently() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 8));
        try (LogReader a = log.openReader("group-a"); LogReader b = log.openReader("group-b")) {
            List<LogRecord> ra = readN(a, 8);
            a.commit(ra.get(7)).toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(readN(b, 8)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 8));
        }
        try (LogReader b = log.openReader("group-b")) {
            assertThat(readN(b, 8)).hasSize(8);
        }
    }

    @Test
    void seek_movesTheReaderToThePosition() throws Exception {
        MessageLog log = log();
        List<LogPosition> positions = appendAll(log, entries("t", 0, 10));
        try (LogReader reader = log.openReader("seek")) {
            reader.seek(positions.get(7));
            assertThat(readN(reader, 3)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 7, 3));
            reader.seek(positions.get(2));
            assertThat(readN(reader, 2)).extracting(LogRecord::entry).containsExactly(entry("t", 2), entry("t", 3));
            reader.seekToEarliest();
            assertThat(readN(reader, 10)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 10));
        }
    }

    @Test
    void retention_readerBehindIt_isToldAndNotMoved() throws Exception {
        MessageLog log = log();
        List<LogPosition> old = appendAll(log, entries("t", 0, 10));
        LogReader reader = closeLater(log.openReader("behind"));
        expireAllRecords(log);
        List<LogPosition> fresh = appendAll(log, entries("t", 10, 3));

        LogTruncatedException told = null;
        long deadline = System.nanoTime() + patience().toNanos();
        while (told == null && System.nanoTime() < deadline) {
            try {
                List<LogRecord> got = reader.poll(10, Duration.ofMillis(200));
                assertThat(got).as("records behind retention must not be served silently").isEmpty();
            } catch (LogTruncatedException e) {
                told = e;
            }
        }
        assertThat(told).as("reader behind retention is told").isNotNull();
        assertThat(told.requested()).isEqualTo(old.get(0));
        assertThat(told.earliest().offset()).isGreaterThan(old.get(9).offset());
        assertThat(told).isInstanceOf(MessageLogException.class);
        // not moved: it is told again until it seeks
        assertThatThrownBy(() -> reader.poll(10, Duration.ofMillis(200))).isInstanceOf(LogTruncatedException.class);

        reader.seekToEarliest();
        List<LogRecord> records = readN(reader, 3);
        assertThat(records).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 10, 3));
        assertThat(records).extracting(LogRecord::position).containsExactlyElementsOf(fresh);
    }

    /**
     * @return {@code perKey} entries on each of {@code keys} ordering keys, interleaved, so that a partitioned
     *         log spreads them over several partitions
     */
    private List<LogEntry> interleaved(int keys, int perKey) {
        List<LogEntry> all = new ArrayList<>();
        for (int i = 0; i < keys * perKey; i++) {
            all.add(entry("clients/dev-" + (i % keys) + "/data", i));
        }
        return all;
    }

    /** @return the appended records of {@code partition} from {@code offset} on, in offset order */
    private static List<LogRecord> appendedFrom(List<LogEntry> entries, List<LogPosition> positions, int partition,
                                                long offset) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            LogPosition p = positions.get(i);
            if (p.partition() == partition && p.offset() >= offset) {
                out.add(new LogRecord(p, entries.get(i)));
            }
        }
        out.sort(Comparator.comparing(LogRecord::position));
        return out;
    }

    /** @return a partition that holds the most of {@code positions}, and at least one */
    private static int busiestPartition(List<LogPosition> positions) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (LogPosition p : positions) {
            counts.merge(p.partition(), 1, Integer::sum);
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /**
     * Polls until a {@link LogTruncatedException} or the patience runs out; records served meanwhile fail.
     */
    private LogTruncatedException pollUntilTruncated(LogReader reader) throws InterruptedException {
        long deadline = System.nanoTime() + patience().toNanos();
        while (System.nanoTime() < deadline) {
            try {
                List<LogRecord> got = reader.poll(10, Duration.ofMillis(200));
                assertThat(got).as("records behind retention must not be served silently").isEmpty();
            } catch (LogTruncatedException e) {
                return e;
            }
        }
        throw new AssertionError("reader behind retention was not told within " + patience());
    }

    @Test
    void endOffsets_emptyLog_isZeroForEveryPartition() throws Exception {
        MessageLog log = log();
        try (LogReader reader = log.openReader("end-empty")) {
            Map<Integer, Long> end = reader.endOffsets();
            assertThat(end).isNotEmpty().containsKey(0);
            assertThat(end.keySet()).as("partitions are numbered from 0 without gaps")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, end.size()).boxed().toList());
            assertThat(end.values()).containsOnly(0L);
        }
    }

    @Test
    void endOffsets_afterAppends_isHighestAppendedOffsetPlusOnePerPartition() throws Exception {
        MessageLog log = log();
        LogReader reader = closeLater(log.openReader("end-appended")); // opened before the appends
        List<LogEntry> all = interleaved(8, 10);
        List<LogPosition> positions = appendAll(log, all);

        Map<Integer, Long> expected = new TreeMap<>();
        for (int partition : reader.endOffsets().keySet()) {
            expected.put(partition, 0L);
        }
        for (LogPosition p : positions) {
            expected.merge(p.partition(), p.offset() + 1, Math::max);
        }
        Map<Integer, Long> end = reader.endOffsets();
        assertThat(end).isEqualTo(expected);
        assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(all.size());
    }

    @Test
    void endOffsets_midRead_doesNotMoveTheReader() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 6));
        try (LogReader reader = log.openReader("end-still")) {
            assertThat(readN(reader, 2)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 2));
            reader.endOffsets();
            assertThat(readN(reader, 4)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 2, 4));
            assertThat(reader.poll(10, Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void assign_onePartitionAtOffset_returnsOnlyThatPartitionFromThereInOrder() throws Exception {
        MessageLog log = log();
        List<LogEntry> all = interleaved(8, 10);
        List<LogPosition> positions = appendAll(log, all);
        int partition = busiestPartition(positions);
        List<LogRecord> inPartition = appendedFrom(all, positions, partition, 0);
        long from = inPartition.get(inPartition.size() / 2).offset();
        List<LogRecord> expected = appendedFrom(all, positions, partition, from);

        try (LogReader reader = log.openReader("assign-one")) {
            reader.assign(Map.of(partition, from));
            assertThat(readN(reader, expected.size())).containsExactlyElementsOf(expected);
            assertThat(reader.poll(10, Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void assign_afterPoll_forgetsRecordsFetchedBefore() throws Exception {
        MessageLog log = log();
        List<LogEntry> all = interleaved(8, 10);
        List<LogPosition> positions = appendAll(log, all);
        int partition = busiestPartition(positions);
        List<LogRecord> inPartition = appendedFrom(all, positions, partition, 0);
        long from = inPartition.get(inPartition.size() / 2).offset();
        List<LogRecord> expected = appendedFrom(all, positions, partition, from);

        try (LogReader reader = log.openReader("assign-after-poll")) {
            assertThat(reader.poll(1, patience())).hasSize(1); // a reader may fetch more than it returns
            reader.assign(Map.of(partition, from));
            assertThat(readN(reader, expected.size())).containsExactlyElementsOf(expected);
            assertThat(reader.poll(10, Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void assign_emptyMap_pollWaitsAndReturnsNothingUntilAssignedAgain() throws Exception {
        MessageLog log = log();
        List<LogPosition> positions = appendAll(log, entries("t", 0, 5));
        try (LogReader reader = log.openReader("assign-none")) {
            reader.assign(Map.of());
            Duration timeout = Duration.ofMillis(200);
            long start = System.nanoTime();
            assertThat(reader.poll(10, timeout)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waits instead of spinning")
                    .isGreaterThanOrEqualTo(timeout.dividedBy(2));
            appendAll(log, entries("t", 5, 2));
            reader.seekToEarliest(); // acts on the assigned partitions: none
            assertThat(reader.poll(10, timeout)).isEmpty();

            reader.assign(Map.of(positions.get(3).partition(), positions.get(3).offset()));
            assertThat(readN(reader, 4)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 3, 4));
        }
    }

    @Test
    void seek_partitionNotAssigned_throwsIllegalArgumentException() throws Exception {
        MessageLog log = log();
        List<LogPosition> positions = appendAll(log, entries("t", 0, 3));
        try (LogReader reader = log.openReader("seek-unassigned")) {
            reader.assign(Map.of());
            assertThatThrownBy(() -> reader.seek(positions.get(0))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not assigned");
        }
    }

    @Test
    void assign_unknownPartitionOrNegativeOffset_throwsIllegalArgumentExceptionAndKeepsThePosition() throws Exception {
        MessageLog log = log();
        appendAll(log, entries("t", 0, 4));
        try (LogReader reader = log.openReader("assign-invalid")) {
            int partitions = reader.endOffsets().size();
            assertThatThrownBy(() -> reader.assign(Map.of(partitions, 0L))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reader.assign(Map.of(0, -1L))).isInstanceOf(IllegalArgumentException.class);
            assertThat(readN(reader, 4)).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 0, 4));
        }
    }

    @Test
    void assign_offsetDeletedByRetention_pollThrowsLogTruncatedException() throws Exception {
        MessageLog log = log();
        List<LogPosition> old = appendAll(log, entries("t", 0, 10));
        expireAllRecords(log);
        List<LogPosition> fresh = appendAll(log, entries("t", 10, 3));
        int partition = old.get(0).partition();

        try (LogReader reader = log.openReader("assign-truncated")) {
            reader.assign(Map.of(partition, old.get(2).offset()));
            LogTruncatedException told = pollUntilTruncated(reader);
            assertThat(told.requested()).isEqualTo(old.get(2));
            assertThat(told.earliest().partition()).isEqualTo(partition);
            assertThat(told.earliest().offset()).isGreaterThan(old.get(9).offset());
            // not moved: it is told again until it seeks
            assertThatThrownBy(() -> reader.poll(10, Duration.ofMillis(200))).isInstanceOf(LogTruncatedException.class);

            reader.seekToEarliest();
            List<LogRecord> records = readN(reader, 3);
            assertThat(records).extracting(LogRecord::entry).containsExactlyElementsOf(entries("t", 10, 3));
            assertThat(records).extracting(LogRecord::position).containsExactlyElementsOf(fresh);
        }
    }

    @Test
    void append_afterClose_failsWithMessageLogException() throws Exception {
        MessageLog log = newLog();
        log.close();
        CompletableFuture<LogPosition> f = log.append(entry("t", 0)).toCompletableFuture();
        assertThatThrownBy(() -> f.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(MessageLogException.class);
    }
}
