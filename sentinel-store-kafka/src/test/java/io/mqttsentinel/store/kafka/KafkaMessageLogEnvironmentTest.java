package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link KafkaMessageLog#fromEnvironment}: defaults, values, and refusals that name the key, value and range. */
class KafkaMessageLogEnvironmentTest {

    @Test
    void noBootstrap_meansNoKafkaLog() {
        assertThat(KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_TOPIC", "t"))).isEmpty();
    }

    @Test
    void defaults_andValues() {
        KafkaMessageLog.Builder d = KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", " k1:9092,k2:9092 "))
                .orElseThrow();
        assertThat(d.bootstrapServers).isEqualTo("k1:9092,k2:9092");
        assertThat(d.topic).isEqualTo("sentinel-messages");
        assertThat(d.partitions).isEqualTo(12);
        assertThat(d.replicationFactor).isEqualTo((short) 3);
        assertThat(d.minInsyncReplicas).isEqualTo(2);

        KafkaMessageLog.Builder b = KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_TOPIC", "fleet.log", "SENTINEL_STORE_KAFKA_PARTITIONS", "48",
                "SENTINEL_STORE_KAFKA_REPLICATION", "1")).orElseThrow();
        assertThat(b.topic).isEqualTo("fleet.log");
        assertThat(b.partitions).isEqualTo(48);
        assertThat(b.replicationFactor).isEqualTo((short) 1);
        assertThat(b.minInsyncReplicas).as("at most the replication factor").isEqualTo(1);
    }

    @Test
    void invalidValues_nameTheKeyTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SENTINEL_STORE_KAFKA_BOOTSTRAP")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_TOPIC", "bad topic")))
                .hasMessageContaining("SENTINEL_STORE_KAFKA_TOPIC='bad topic'").hasMessageContaining("[a-zA-Z0-9._-]");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_REPLICATION", "2", "SENTINEL_STORE_KAFKA_MIN_INSYNC", "3")))
                .hasMessageContaining("SENTINEL_STORE_KAFKA_MIN_INSYNC='3'").hasMessageContaining("[1, 2]");
        assertThatThrownBy(() -> KafkaMessageLog.fromEnvironment(Map.of("SENTINEL_STORE_KAFKA_BOOTSTRAP", "k:9092",
                "SENTINEL_STORE_KAFKA_PARTITIONS", "many")))
                .hasMessageContaining("SENTINEL_STORE_KAFKA_PARTITIONS='many'").hasMessageContaining("[1, 10000]");
    }
}
