package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MessageLogs}: files unless the Kafka bootstrap is set; the Kafka log keeps the store's retention and size limit. */
class MessageLogsTest {
    @TempDir
    Path dir;

    @Test
    void withoutBootstrap_theLogsAreFilesInTheirDirectories() {
        MessageLogs logs = MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_RETENTION", "24h"));
        assertThat(logs.kafkaConfig()).isEmpty();
        assertThat(logs.storeConfig().retention()).isEqualTo(Duration.ofHours(24));
        assertThat(logs.location(dir.resolve("log"))).isEqualTo(dir.resolve("log").toString());
        try (MessageLog log = logs.open(dir.resolve("log"), new SimpleMeterRegistry());
             MessageLog quarantine = logs.open(dir.resolve("quarantine"), "unused-topic", Duration.ofDays(30),
                     new SimpleMeterRegistry())) {
            assertThat(log).isInstanceOfSatisfying(SegmentedFileLog.class,
                    f -> assertThat(f.directory()).isEqualTo(dir.resolve("log")));
            assertThat(quarantine).isInstanceOfSatisfying(SegmentedFileLog.class,
                    f -> assertThat(f.directory()).isEqualTo(dir.resolve("quarantine")));
        }
    }

    @Test
    void theSecondLogsRetention_isCheckedAsTheStoresIs() {
        MessageLogs logs = MessageLogs.fromEnvironment(Map.of());
        assertThatThrownBy(() -> logs.open(dir.resolve("quarantine"), "q", Duration.ofSeconds(1), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
    }

    @Test
    void withBootstrap_theKafkaLogTakesItsKeys_andTheStoresRetentionAndSizeLimit() {
        MessageLogs logs = MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092",
                "SENTINEL_STORE_KAFKA_TOPIC", "fleet.log", "SENTINEL_STORE_RETENTION", "7d",
                "SENTINEL_STORE_MAX_BYTES", "10g"));
        KafkaLogConfig kafka = logs.kafkaConfig().orElseThrow();
        assertThat(kafka.bootstrapServers()).contains("k1:9092,k2:9092");
        assertThat(kafka.topic()).isEqualTo("fleet.log");
        assertThat(kafka.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(kafka.maxTotalBytes()).isEqualTo(10L << 30);
        assertThat(logs.location(dir)).isEqualTo("Kafka k1:9092,k2:9092 topic fleet.log");
    }

    @Test
    void withBootstrap_anUnlimitedStore_leavesTheKafkaLogUnlimited() {
        MessageLogs logs = MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092"));
        assertThat(logs.storeConfig().maxTotalBytes()).isEqualTo(StoreConfig.UNLIMITED);
        assertThat(logs.kafkaConfig().orElseThrow().maxTotalBytes()).isEqualTo(KafkaLogConfig.UNLIMITED);
        assertThat(logs.kafkaConfig().orElseThrow().retention()).isEqualTo(StoreConfig.DEFAULT_RETENTION);
    }

    @Test
    void invalidValues_nameTheirKey() {
        assertThatThrownBy(() -> MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("SENTINEL_STORE_KAFKA_BOOTSTRAP=' '");
        assertThatThrownBy(() -> MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_REPLICATION", "8")))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("SENTINEL_STORE_KAFKA_REPLICATION='8'");
        assertThatThrownBy(() -> MessageLogs.fromEnvironment(Map.of("SENTINEL_STORE_RETENTION", "forever")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("SENTINEL_STORE_RETENTION='forever'");
    }
}
