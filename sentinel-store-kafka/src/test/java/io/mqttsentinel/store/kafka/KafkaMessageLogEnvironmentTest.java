package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.mqttsentinel.config.InvalidSettingException;
import org.junit.jupiter.api.Test;

/** {@link KafkaMessageLog#fromEnvironment}: defaults, values, and refusals that name the key, value and range. */
class KafkaMessageLogEnvironmentTest {

    @Test
    void noBootstrap_meansNoKafkaLog() {
        assertThat(KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_TOPIC", "t"))).isEmpty();
    }

    @Test
    void defaults_andValues() {
        KafkaLogConfig d = KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", " k1:9092,k2:9092 "))
                .orElseThrow().snapshot();
        assertThat(d.bootstrapServers()).contains("k1:9092,k2:9092");
        assertThat(d.topic()).isEqualTo("sentinel-messages");
        assertThat(d.partitions()).isEqualTo(12);
        assertThat(d.replicationFactor()).isEqualTo(3);
        assertThat(d.minInsyncReplicas()).isEqualTo(2);
        assertThat(d.toBuilder().bootstrapServers("x:1").build())
                .isEqualTo(KafkaLogConfig.ofDefaults().toBuilder().bootstrapServers("x:1").build());

        KafkaLogConfig b = KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_TOPIC", "fleet.log", "SENTINEL_STORE_KAFKA_PARTITIONS", "48",
                "SENTINEL_STORE_KAFKA_REPLICATION", "1")).orElseThrow().snapshot();
        assertThat(b.topic()).isEqualTo("fleet.log");
        assertThat(b.partitions()).isEqualTo(48);
        assertThat(b.replicationFactor()).isEqualTo(1);
        assertThat(b.minInsyncReplicas()).as("at most the replication factor").isEqualTo(1);
    }

    @Test
    void invalidValues_nameTheKeyTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_STORE_KAFKA_BOOTSTRAP=' ' is invalid: bootstrapServers must be host:port[,host:port...]");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_TOPIC", "bad topic")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_STORE_KAFKA_TOPIC='bad topic' is invalid: topic must be 1 to 249 of [a-zA-Z0-9._-]");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_REPLICATION", "2", "SENTINEL_STORE_KAFKA_MIN_INSYNC", "3")))
                .hasMessage("SENTINEL_STORE_KAFKA_MIN_INSYNC (minInsyncReplicas) must be 1 to "
                        + "SENTINEL_STORE_KAFKA_REPLICATION (replicationFactor, 2), was 3");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_PARTITIONS", "many")))
                .hasMessage("SENTINEL_STORE_KAFKA_PARTITIONS='many' is invalid: partitions must be 1 to 10000 (not a whole number)");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_REPLICATION", "8")))
                .hasMessage("SENTINEL_STORE_KAFKA_REPLICATION='8' is invalid: replicationFactor must be 1 to 7");
    }
}
