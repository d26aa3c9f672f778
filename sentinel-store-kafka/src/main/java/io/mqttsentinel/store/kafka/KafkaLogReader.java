package io.mqttsentinel.store.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.LogTruncatedException;
import io.mqttsentinel.api.MessageLogException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer group's cursor over the log's topic: a {@link KafkaConsumer} assigned every partition, with
 * automatic offset reset off so that a position deleted by retention surfaces as
 * {@link LogTruncatedException} instead of a silent jump. Positions of partitions the group never
 * committed are resolved to the earliest offset when the reader opens, so that retention running later
 * is reported too.
 *
 * <p>{@link #assign(Map)} narrows the consumer's assignment to the given partitions (none at all for an
 * empty map; polls then wait their timeout and return nothing, since a Kafka consumer refuses to poll
 * without partitions); {@link #seek} and {@link #seekToEarliest()} then act on those partitions only.
 */
final class KafkaLogReader implements LogReader {
    private final KafkaLogConfig config;
    private final String group;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Every partition of the topic, index = partition number. */
    private final List<TopicPartition> partitions = new ArrayList<>();
    /** The partitions the consumer is assigned: all of them until {@link #assign(Map)} says otherwise. */
    private List<TopicPartition> assigned;
    private final ArrayDeque<LogRecord> buffered = new ArrayDeque<>();

    KafkaLogReader(KafkaLogConfig config, String group) {
        this.config = config;
        this.group = group;
        Map<String, Object> p = config.common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupPrefix() + group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        p.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.requestTimeout().toMillis());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            for (PartitionInfo info : consumer.partitionsFor(config.topic())) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            assigned = List.copyOf(partitions);
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            List<TopicPartition> fresh = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata om = committed.get(tp);
                if (om == null) {
                    fresh.add(tp);
                } else {
                    consumer.seek(tp, om.offset());
                }
            }
            seekToBeginningNow(fresh);
        } catch (KafkaException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw new MessageLogException("cannot open a reader of group '" + group + "' on topic " + config.topic() + ": " + e, e);
        }
    }

    private void seekToBeginningNow(List<TopicPartition> tps) {
        if (tps.isEmpty()) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> e : consumer.beginningOffsets(tps).entrySet()) {
            consumer.seek(e.getKey(), e.getValue());
        }
    }

    @Override
    public List<LogRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (assigned.isEmpty()) {
            // the consumer would throw IllegalStateException; wait as a poll without records does, so that a
            // caller polling in a loop does not spin
            TimeUnit.NANOSECONDS.sleep(Math.max(0, timeout.toNanos()));
            return List.of();
        }
        if (buffered.isEmpty()) {
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
                    buffered.add(toRecord(r));
                }
            } catch (OffsetOutOfRangeException e) {
                throw truncated(e);
            } catch (InterruptException e) {
                Thread.interrupted(); // Kafka sets the flag again; an InterruptedException clears it
                throw new InterruptedException("interrupted while polling topic " + config.topic());
            } catch (KafkaException e) {
                throw new MessageLogException("could not poll topic " + config.topic() + " for group '" + group + "': " + e, e);
            }
        }
        List<LogRecord> out = new ArrayList<>(Math.min(maxRecords, buffered.size()));
        while (out.size() < maxRecords && !buffered.isEmpty()) {
            out.add(buffered.poll());
        }
        return out;
    }

    private LogTruncatedException truncated(OffsetOutOfRangeException e) {
        TopicPartition first = e.offsetOutOfRangePartitions().keySet().stream()
                .min(Comparator.comparingInt(TopicPartition::partition)).orElseThrow();
        long requested = e.offsetOutOfRangePartitions().get(first);
        long earliest = consumer.beginningOffsets(List.of(first)).get(first);
        // keep the position where it was: the fetch position is untouched, and stays out of range until a seek
        return new LogTruncatedException(new LogPosition(first.partition(), requested),
                new LogPosition(first.partition(), earliest));
    }

    private static LogRecord toRecord(ConsumerRecord<byte[], byte[]> r) {
        Headers h = r.headers();
        String topic = text(h.lastHeader(KafkaMessageLog.HEADER_TOPIC));
        String client = text(h.lastHeader(KafkaMessageLog.HEADER_CLIENT));
        Header qos = h.lastHeader(KafkaMessageLog.HEADER_QOS);
        Header ts = h.lastHeader(KafkaMessageLog.HEADER_TIMESTAMP);
        if (topic == null || client == null || qos == null || qos.value().length != 1 || ts == null || ts.value().length != 8) {
            throw new MessageLogException("record " + r.topic() + "-" + r.partition() + "@" + r.offset()
                    + " was not written by a KafkaMessageLog (sentinel headers missing)");
        }
        byte[] payload = r.value() == null ? new byte[0] : r.value();
        LogEntry entry = new LogEntry(topic, payload, qos.value()[0], client, ByteBuffer.wrap(ts.value()).getLong());
        return new LogRecord(new LogPosition(r.partition(), r.offset()), entry);
    }

    private static String text(Header h) {
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public CompletionStage<Void> commit(LogRecord record) {
        Objects.requireNonNull(record, "record");
        TopicPartition tp = partition(record.position());
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)), config.requestTimeout());
            return CompletableFuture.completedFuture(null);
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(new MessageLogException("could not commit " + record.position()
                    + " for group '" + group + "': " + e, e));
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the partition does not exist or is not assigned to this reader
     */
    @Override
    public void seek(LogPosition position) {
        Objects.requireNonNull(position, "position");
        TopicPartition tp = partition(position);
        if (!assigned.contains(tp)) {
            throw new IllegalArgumentException("cannot seek to " + position + ": partition " + tp.partition()
                    + " is not assigned to the reader of group '" + group + "' (assigned: " + numbers(assigned)
                    + "); assign it first");
        }
        buffered.removeIf(r -> r.position().partition() == tp.partition());
        consumer.seek(tp, position.offset());
    }

    /** {@inheritDoc} Only the assigned partitions move; does nothing while none is assigned. */
    @Override
    public void seekToEarliest() {
        buffered.clear();
        seekToBeginningNow(assigned);
    }

    /**
     * {@inheritDoc}
     *
     * <p>For each assigned partition: the first record fetched but not yet returned, else the consumer's
     * position (which resolves a committed or reset position with a round trip to the cluster if needed).
     */
    @Override
    public Map<Integer, Long> positions() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        for (LogRecord r : buffered) {
            out.putIfAbsent(r.position().partition(), r.offset());
        }
        try {
            for (TopicPartition tp : assigned) {
                if (!out.containsKey(tp.partition())) {
                    out.put(tp.partition(), consumer.position(tp, config.requestTimeout()));
                }
            }
        } catch (KafkaException e) {
            throw new MessageLogException("could not read the positions of group '" + group + "' on topic " + config.topic() + ": " + e, e);
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The high watermark of every partition of the topic, assigned or not, asked of the partition leaders
     * (waits up to the log's request timeout).
     */
    @Override
    public Map<Integer, Long> endOffsets() {
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, config.requestTimeout());
            Map<Integer, Long> out = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                Long offset = end.get(tp);
                if (offset == null) {
                    throw new MessageLogException("the cluster did not report the end offset of " + tp);
                }
                out.put(tp.partition(), offset);
            }
            return Collections.unmodifiableMap(out);
        } catch (KafkaException e) {
            throw new MessageLogException("could not read the end offsets of topic " + config.topic() + " for group '"
                    + group + "': " + e, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Assigns the consumer exactly these partitions and seeks each; nothing is fetched until the next poll.
     */
    @Override
    public void assign(Map<Integer, Long> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        Map<TopicPartition, Long> seeks = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
        for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
            Integer partition = Objects.requireNonNull(e.getKey(), "partition");
            Long offset = Objects.requireNonNull(e.getValue(), "offset of partition " + partition);
            if (partition < 0 || partition >= partitions.size()) {
                throw new IllegalArgumentException("cannot assign partition " + partition + ": topic " + config.topic()
                        + " has partitions 0 to " + (partitions.size() - 1));
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset of partition " + partition + " must be >= 0, was " + offset);
            }
            seeks.put(partitions.get(partition), offset);
        }
        buffered.clear();
        consumer.assign(seeks.keySet()); // an empty set unassigns everything
        seeks.forEach(consumer::seek);
        assigned = List.copyOf(seeks.keySet());
    }

    private static List<Integer> numbers(List<TopicPartition> tps) {
        List<Integer> out = new ArrayList<>(tps.size());
        for (TopicPartition tp : tps) {
            out.add(tp.partition());
        }
        return out;
    }

    private TopicPartition partition(LogPosition position) {
        if (position.partition() >= partitions.size()) {
            throw new IllegalArgumentException("partition must be below " + partitions.size() + ", was " + position.partition());
        }
        return partitions.get(position.partition());
    }

    @Override
    public void close() {
        buffered.clear();
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
