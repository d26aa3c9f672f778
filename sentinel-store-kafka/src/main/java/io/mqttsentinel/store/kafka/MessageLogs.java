package io.mqttsentinel.store.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.store.StoreConfig;

/**
 * The message logs that the settings choose: on Kafka ({@link KafkaMessageLog}) when {@value KafkaMessageLog#ENV_BOOTSTRAP}
 * is set, else in files ({@link SegmentedFileLog}) in a directory of the caller's. Either kind keeps the store's
 * retention and size limit ({@link StoreConfig#retention()}, {@link StoreConfig#maxTotalBytes()}); the file log takes
 * the rest of the {@link StoreConfig}, the Kafka log its own keys ({@link KafkaLogConfig#settings()}). A second log of
 * the same kind (the broker's quarantine) has its own directory or topic, and its own retention.
 *
 * <pre>{@code
 * MessageLogs logs = MessageLogs.fromEnvironment(System.getenv());
 * MessageLog messages = logs.open(dataDir.resolve("log"), registry);
 * MessageLog quarantine = logs.open(dataDir.resolve("quarantine"), "sentinel-quarantine", Duration.ofDays(30), registry);
 * }</pre>
 *
 * <p>Immutable and thread-safe; each {@code open} opens a new log, the caller's to close.
 */
public final class MessageLogs {
    private final StoreConfig store;
    private final KafkaLogConfig kafka; // null: the logs are files

    private MessageLogs(StoreConfig store, KafkaLogConfig kafka) {
        this.store = store;
        this.kafka = kafka;
    }

    /**
     * Reads the store's keys ({@link StoreConfig#fromEnvironment(Map)}), then, when {@value KafkaMessageLog#ENV_BOOTSTRAP}
     * is set, the Kafka log's ({@link KafkaMessageLog#fromEnvironment(Map)}) with the store's retention and size limit.
     *
     * @param env the settings, e.g. {@code System.getenv()}
     * @return the choice
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public static MessageLogs fromEnvironment(Map<String, String> env) {
        StoreConfig store = StoreConfig.fromEnvironment(Objects.requireNonNull(env, "env"));
        return new MessageLogs(store, KafkaMessageLog.fromEnvironment(env).map(kafka -> {
            kafka.retention(store.retention());
            if (store.maxTotalBytes() != StoreConfig.UNLIMITED) {
                kafka.maxTotalBytes(store.maxTotalBytes());
            }
            return kafka.snapshot();
        }).orElse(null));
    }

    /** @return the store's settings: all of the file log's, the retention and size limit of the Kafka log */
    public StoreConfig storeConfig() {
        return store;
    }

    /** @return the Kafka log's settings, or empty when the logs are files */
    public Optional<KafkaLogConfig> kafkaConfig() {
        return Optional.ofNullable(kafka);
    }

    /**
     * Opens the log: the Kafka log of the settings (the directory is not used), or the file log in {@code dir}.
     *
     * @param dir      the file log's directory
     * @param registry where the log's meters go
     * @return the open log
     * @throws io.mqttsentinel.api.MessageLogException when it cannot be opened (files unreadable, cluster unreachable)
     */
    public MessageLog open(Path dir, MeterRegistry registry) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(registry, "registry");
        return kafka != null ? KafkaMessageLog.builder(kafka).meterRegistry(registry).build()
                : SegmentedFileLog.builder(dir).config(store).meterRegistry(registry).open();
    }

    /**
     * Opens a second log of the same kind, with a retention of its own: on Kafka in {@code kafkaTopic}, else in files in
     * {@code dir}.
     *
     * @param dir        the file log's directory (not the first log's)
     * @param kafkaTopic the Kafka log's topic (not the first log's)
     * @param retention  how long its records are kept
     * @param registry   where the log's meters go
     * @return the open log
     * @throws IllegalArgumentException naming the parameter when the topic or the retention is not allowed
     * @throws io.mqttsentinel.api.MessageLogException when it cannot be opened
     */
    public MessageLog open(Path dir, String kafkaTopic, Duration retention, MeterRegistry registry) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(registry, "registry");
        return kafka != null
                ? KafkaMessageLog.builder(kafka).topic(kafkaTopic).retention(retention).meterRegistry(registry).build()
                : SegmentedFileLog.builder(dir).config(store).retention(retention).meterRegistry(registry).open();
    }

    /**
     * @param dir the file log's directory
     * @return where {@link #open(Path, MeterRegistry)} keeps the log, for a log line: {@code Kafka <bootstrap servers>
     *         topic <topic>}, or the directory
     */
    public String location(Path dir) {
        return kafka != null ? "Kafka " + kafka.bootstrapServers().orElseThrow() + " topic " + kafka.topic() : dir.toString();
    }

    @Override
    public String toString() {
        return "MessageLogs{" + (kafka != null ? kafka : "files, " + store) + "}";
    }
}
