package io.mqttsentinel.inspect;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InspectorConfigTest {

    @Test
    void ofDefaults_areTheSeedThresholds() {
        InspectorConfig c = InspectorConfig.ofDefaults();

        assertThat(c.maxPayloadBytes()).isEqualTo(10_240);
        assertThat(c.entropyThreshold()).isEqualTo(7.5);
        assertThat(c.rateLimit()).isEqualTo(100);
        assertThat(c.connectionRateLimit()).isEqualTo(100);
        assertThat(c.rulesFile()).isEmpty();
        assertThat(c.decodeRounds()).isEqualTo(3);
        assertThat(c.maxJsonDepth()).isEqualTo(64);
        assertThat(c.toString()).contains("maxPayloadBytes=10240");
    }

    @Test
    void fromEnvironment_readsEveryKey_andIgnoresOthers() {
        InspectorConfig c = InspectorConfig.fromEnvironment(Map.of(
                "SENTINEL_INSPECT_MAX_PAYLOAD", "2048", "SENTINEL_INSPECT_ENTROPY_THRESHOLD", "7.9",
                "SENTINEL_INSPECT_ENTROPY_MIN_BYTES", "512", "SENTINEL_INSPECT_RATE_LIMIT", "50",
                "SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "20", "SENTINEL_INSPECT_RATE_TRACKED_KEYS", "1000",
                "SENTINEL_INSPECT_RULES_FILE", "/etc/sentinel/rules.json", "SENTINEL_INSPECT_DECODE_ROUNDS", "2",
                "SENTINEL_INSPECT_MAX_JSON_DEPTH", "16", "PATH", "/usr/bin"));

        assertThat(c.maxPayloadBytes()).isEqualTo(2048);
        assertThat(c.entropyThreshold()).isEqualTo(7.9);
        assertThat(c.entropyMinBytes()).isEqualTo(512);
        assertThat(c.rateLimit()).isEqualTo(50);
        assertThat(c.connectionRateLimit()).isEqualTo(20);
        assertThat(c.rateTrackedKeys()).isEqualTo(1000);
        assertThat(c.rulesFile()).contains(Path.of("/etc/sentinel/rules.json"));
        assertThat(c.decodeRounds()).isEqualTo(2);
        assertThat(c.maxJsonDepth()).isEqualTo(16);
    }

    @Test
    void fromEnvironment_invalidValue_namesKeyValueAndRange() {
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_MAX_PAYLOAD", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SENTINEL_INSPECT_MAX_PAYLOAD").hasMessageContaining("[1, 268435456]").hasMessageContaining("0");
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_ENTROPY_THRESHOLD", "9")))
                .hasMessageContaining("SENTINEL_INSPECT_ENTROPY_THRESHOLD").hasMessageContaining("(0, 8]");
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_LIMIT", "fast")))
                .hasMessageContaining("SENTINEL_INSPECT_RATE_LIMIT").hasMessageContaining("\"fast\"");
    }

    @Test
    void builder_invalidValue_namesParameter() {
        assertThatThrownBy(() -> InspectorConfig.builder().decodeRounds(9))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("decodeRounds must be in [1, 8], was 9");
        assertThatThrownBy(() -> InspectorConfig.builder().entropyThreshold(0))
                .hasMessage("entropyThreshold must be in (0, 8] bits per byte, was 0.0");
    }

    @Test
    void toBuilder_copiesEverything() {
        InspectorConfig c = InspectorConfig.builder().rateLimit(7).maxJsonDepth(3).build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }
}
