package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void inspectorConfig_exemptsTheBridgeFromTheRateAnomaly_byDefault() {
        assertThat(EngineSettings.inspectorConfig(LauncherConfig.of(Map.of())).rateExemptClients())
                .containsExactly("sentinel-bridge");
        assertThat(EngineSettings.inspectorConfig(LauncherConfig.of(Map.of("SENTINEL_BRIDGE_CLIENT_ID", "edge-bridge-7")))
                .rateExemptClients()).containsExactly("edge-bridge-7");
    }

    @Test
    void inspectorConfig_operatorsExemptList_wins() {
        assertThat(EngineSettings.inspectorConfig(LauncherConfig.of(Map.of("SENTINEL_INSPECT_RATE_EXEMPT", "a, b")))
                .rateExemptClients()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void eventSinks_defaultsRotateFilesBySize_andAddNoRemoteSink() {
        io.mqttsentinel.inspect.EventsConfig es = EngineSettings.eventSinks(LauncherConfig.of(Map.of()));
        assertThat(es.fileMaxBytes()).isEqualTo(100L << 20);
        assertThat(es.fileMaxAge()).isNull();
        assertThat(es.fileKeep()).isEqualTo(10);
        assertThat(es.syslog()).isNull();
        assertThat(es.http()).isNull();
        assertThat(es.kafkaBootstrap()).isNull();
        assertThat(es.kafkaTopic()).isEqualTo("sentinel-security-events");
    }

    @Test
    void eventSinks_kafka_takesAHostPortList_andATopic() {
        io.mqttsentinel.inspect.EventsConfig es = EngineSettings.eventSinks(LauncherConfig.of(Map.of(
                "SENTINEL_EVENTS_KAFKA_BOOTSTRAP", " k1.example:9092, 10.0.0.2:9093 ",
                "SENTINEL_EVENTS_KAFKA_TOPIC", "siem.mqtt-events_1")));
        assertThat(es.kafkaBootstrap()).isEqualTo("k1.example:9092,10.0.0.2:9093");
        assertThat(es.kafkaTopic()).isEqualTo("siem.mqtt-events_1");
        for (String bad : List.of("k1.example", "k1:0", "k1:65536", ":9092", "k1:9092,", "k 1:9092", "k1:x")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineSettings.eventSinks(
                    LauncherConfig.of(Map.of("SENTINEL_EVENTS_KAFKA_BOOTSTRAP", bad))))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_EVENTS_KAFKA_BOOTSTRAP");
        }
        for (String bad : List.of("a/b", "..", "x".repeat(250), "topic with space")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineSettings.eventSinks(
                    LauncherConfig.of(Map.of("SENTINEL_EVENTS_KAFKA_TOPIC", bad))))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_EVENTS_KAFKA_TOPIC");
        }
    }

    @Test
    void eventSinks_parsesEachSetting_andNeverPrintsTheToken() {
        io.mqttsentinel.inspect.EventsConfig es = EngineSettings.eventSinks(LauncherConfig.of(Map.of(
                "SENTINEL_EVENTS_FILE_MAX_BYTES", "10m", "SENTINEL_EVENTS_FILE_MAX_AGE", "1d", "SENTINEL_EVENTS_FILE_KEEP", "3",
                "SENTINEL_EVENTS_SYSLOG", "tls://siem.example:6514", "SENTINEL_EVENTS_HTTP", "https://siem.example/in",
                "SENTINEL_EVENTS_HTTP_TOKEN", "abc123")));
        assertThat(es.fileMaxBytes()).isEqualTo(10L << 20);
        assertThat(es.fileMaxAge()).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(es.fileKeep()).isEqualTo(3);
        assertThat(es.syslog()).hasToString("tls://siem.example:6514");
        assertThat(es.http()).hasToString("https://siem.example/in");
        assertThat(es.httpToken()).isEqualTo("abc123");
        assertThat(es.toString()).doesNotContain("abc123");
        assertThat(Settings.CATALOGUE.isSecret("SENTINEL_EVENTS_HTTP_TOKEN")).isTrue();
    }

    @Test
    void eventSinks_badValues_nameTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineSettings.eventSinks(
                LauncherConfig.of(Map.of("SENTINEL_EVENTS_SYSLOG", "udp://h:514"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_EVENTS_SYSLOG='udp://h:514'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineSettings.eventSinks(
                LauncherConfig.of(Map.of("SENTINEL_EVENTS_FILE_MAX_BYTES", "12"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_EVENTS_FILE_MAX_BYTES");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineSettings.eventSinks(
                LauncherConfig.of(Map.of("SENTINEL_EVENTS_HTTP_TOKEN", "a b"))))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("a b");
    }

    @Test
    void eventsTopic_isAnyMqttTopicName_includingOneWithALeadingSlash() {
        assertThat(eventsTopic(LauncherConfig.of(Map.of()))).isNull();
        assertThat(eventsTopic(LauncherConfig.of(Map.of("SENTINEL_EVENTS_TOPIC", "/sentinel/events"))))
                .isEqualTo("/sentinel/events");
        for (String bad : new String[] {"sentinel/#", "a/+/b", "a\u0000b"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> eventsTopic(
                    LauncherConfig.of(Map.of("SENTINEL_EVENTS_TOPIC", bad))))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_EVENTS_TOPIC='" + bad + "'");
        }
    }

    private static String eventsTopic(LauncherConfig config) {
        return EngineSettings.eventSinks(config).topic();
    }
}
