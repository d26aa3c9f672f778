package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import org.junit.jupiter.api.Test;

/** {@link KafkaLogConfig} follows the configuration pattern; a {@link KafkaMessageLog} never keeps its builder. */
class KafkaLogConfigTest {

    @Test
    void settings_haveUniqueKeys_aDocLine_andEveryDefaultThroughTheReaderIsOfDefaults() throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Setting<KafkaLogConfig.Builder> s : KafkaLogConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_STORE_KAFKA_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
            if (!s.defaultValue().isEmpty()) {
                assertThat(SettingsReader.apply(List.of(s), Map.of(s.key(), s.defaultValue()), KafkaLogConfig.builder()).build())
                        .as(s.key() + "=" + s.defaultValue()).isEqualTo(KafkaLogConfig.ofDefaults());
            }
        }
        Set<String> constants = new HashSet<>();
        for (Field f : KafkaLogConfig.class.getFields()) {
            if (f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(keys).isEqualTo(constants);
        assertThat(KafkaLogConfig.ofDefaults().bootstrapServers()).isEmpty();
    }

    @Test
    void aRefusalPerType_namesParameterAndRange() {
        KafkaLogConfig.Builder b = KafkaLogConfig.builder();
        assertThatThrownBy(() -> b.partitions(0)).hasMessage("partitions must be 1 to 10000, was 0");
        assertThatThrownBy(() -> b.minInsyncReplicas(8)).hasMessage("minInsyncReplicas must be 1 to 7, was 8");
        assertThatThrownBy(() -> b.topic("bad topic")).hasMessage("topic must be 1 to 249 of [a-zA-Z0-9._-], was 'bad topic'");
        assertThatThrownBy(() -> b.retention(Duration.ofSeconds(1))).hasMessage("retention must be 1m to 3650d, was 1s");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ofMinutes(11))).hasMessage("requestTimeout must be 1s to 10m, was 11m");
        assertThatThrownBy(() -> b.maxTotalBytes(1000)).hasMessage("maxTotalBytes must be 1m or more, or unlimited, was 1000");
        assertThatThrownBy(() -> b.bootstrapServers(" ")).hasMessage("bootstrapServers must be host:port[,host:port...], was ' '");
        assertThatThrownBy(() -> KafkaMessageLog.builder(KafkaLogConfig.ofDefaults()))
                .hasMessageContaining("SENTINEL_STORE_KAFKA_BOOTSTRAP");
    }

    @Test
    void minInsyncReplicas_defaultsToTheSmallerOfTwoAndTheReplicationFactor_andAnExplicitOneIsChecked() {
        assertThat(KafkaLogConfig.builder().replicationFactor(1).build().minInsyncReplicas()).isEqualTo(1);
        assertThat(KafkaLogConfig.builder().replicationFactor(5).build().minInsyncReplicas()).isEqualTo(2);
        assertThatThrownBy(() -> KafkaLogConfig.builder().replicationFactor(1).minInsyncReplicas(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_STORE_KAFKA_MIN_INSYNC (minInsyncReplicas) must be 1 to SENTINEL_STORE_KAFKA_REPLICATION "
                        + "(replicationFactor, 1), was 2");
    }

    @Test
    void toBuilder_roundTrips_andToStringHidesClientPropertyValues() {
        KafkaLogConfig c = KafkaLogConfig.fromEnvironment(Map.of(KafkaLogConfig.BOOTSTRAP, "k:9092", KafkaLogConfig.TOPIC, "t",
                KafkaLogConfig.PARTITIONS, "3", KafkaLogConfig.REPLICATION, "5", KafkaLogConfig.MIN_INSYNC, "4"))
                .toBuilder().retention(Duration.ofHours(1)).maxTotalBytes(1L << 30).groupPrefix("g-")
                .requestTimeout(Duration.ofSeconds(5)).clientProperty("sasl.jaas.config", "password=\"hunter2\"").build();
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c).isNotSameAs(c);
        assertThat(c).isNotEqualTo(KafkaLogConfig.ofDefaults());
        assertThat(c.toString()).contains("sasl.jaas.config").doesNotContain("hunter2");
        assertThat(c.retentionBytesPerPartition()).isEqualTo((1L << 30) / 3);
    }

    @Test
    void twoConfigsFromOneBuilder_areIndependent() {
        KafkaLogConfig.Builder b = KafkaLogConfig.builder().bootstrapServers("k:1").topic("first").clientProperty("a", "1");
        KafkaLogConfig first = b.build();
        b.topic("second").clientProperty("b", "2").partitions(1);
        KafkaLogConfig second = b.build();
        assertThat(first.topic()).isEqualTo("first");
        assertThat(first.clientProperties()).containsOnlyKeys("a");
        assertThat(first.partitions()).isEqualTo(12);
        assertThat(second.clientProperties()).containsOnlyKeys("a", "b");
        assertThatThrownBy(() -> first.clientProperties().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void twoLogsFromOneBuilder_shareNoState_theLogKeepsOnlyAnImmutableSnapshot() {
        KafkaMessageLog.Builder b = KafkaMessageLog.builder("k:1").topic("first").clientProperty("a", "1");
        KafkaLogConfig first = b.snapshot();
        b.topic("second").clientProperty("b", "2").replicationFactor(1);
        KafkaLogConfig second = b.snapshot();
        assertThat(first.topic()).isEqualTo("first");
        assertThat(first.clientProperties()).containsOnlyKeys("a");
        assertThat(first.replicationFactor()).isEqualTo(3);
        assertThat(second.topic()).isEqualTo("second");
        assertThat(first).isNotSameAs(second).isNotEqualTo(second);
        for (Field f : KafkaMessageLog.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            assertThat(f.getType()).as(f.getName()).isNotIn(KafkaMessageLog.Builder.class, KafkaLogConfig.Builder.class);
            if (!f.getName().equals("closed")) {
                assertThat(Modifier.isFinal(f.getModifiers())).as(f.getName() + " is final").isTrue();
            }
        }
    }
}
