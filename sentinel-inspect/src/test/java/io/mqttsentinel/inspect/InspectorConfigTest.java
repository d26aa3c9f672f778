package io.mqttsentinel.inspect;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InspectorConfigTest {

    @Test
    void ofDefaults_areTheSeedThresholds() {
        InspectorConfig c = InspectorConfig.ofDefaults();

        assertThat(c.maxPayloadBytes()).isEqualTo(10_240);
        assertThat(c.entropyThreshold()).isEqualTo(7.5);
        assertThat(c.entropyMinBytes()).isEqualTo(1024);
        assertThat(c.rateLimit()).isEqualTo(100);
        assertThat(c.connectionRateLimit()).isEqualTo(100);
        assertThat(c.rateTrackedKeys()).isEqualTo(100_000);
        assertThat(c.rateExemptClients()).isEmpty();
        assertThat(c.rulesFile()).isEmpty();
        assertThat(c.decodeRounds()).isEqualTo(3);
        assertThat(c.maxJsonDepth()).isEqualTo(64);
        assertThat(c.toString()).contains("maxPayloadBytes=10240");
        assertThat(InspectorConfig.fromEnvironment(Map.of())).isEqualTo(c);
    }

    @Test
    void fromEnvironment_readsEveryKey_andIgnoresOthers() {
        InspectorConfig c = InspectorConfig.fromEnvironment(Map.ofEntries(
                Map.entry("SENTINEL_INSPECT_MAX_PAYLOAD", "2048"), Map.entry("SENTINEL_INSPECT_ENTROPY_THRESHOLD", "7.9"),
                Map.entry("SENTINEL_INSPECT_ENTROPY_MIN_BYTES", "512"), Map.entry("SENTINEL_INSPECT_RATE_LIMIT", "50"),
                Map.entry("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "20"), Map.entry("SENTINEL_INSPECT_RATE_TRACKED_KEYS", "1000"),
                Map.entry("SENTINEL_INSPECT_RATE_EXEMPT", " bridge-1, ,bridge-2 "),
                Map.entry("SENTINEL_INSPECT_RULES_FILE", "/etc/sentinel/rules.json"), Map.entry("SENTINEL_INSPECT_DECODE_ROUNDS", "2"),
                Map.entry("SENTINEL_INSPECT_MAX_JSON_DEPTH", "16"), Map.entry("PATH", "/usr/bin")));

        assertThat(c.maxPayloadBytes()).isEqualTo(2048);
        assertThat(c.entropyThreshold()).isEqualTo(7.9);
        assertThat(c.entropyMinBytes()).isEqualTo(512);
        assertThat(c.rateLimit()).isEqualTo(50);
        assertThat(c.connectionRateLimit()).isEqualTo(20);
        assertThat(c.rateTrackedKeys()).isEqualTo(1000);
        assertThat(c.rateExemptClients()).containsExactlyInAnyOrder("bridge-1", "bridge-2");
        assertThat(c.rulesFile()).contains(Path.of("/etc/sentinel/rules.json"));
        assertThat(c.decodeRounds()).isEqualTo(2);
        assertThat(c.maxJsonDepth()).isEqualTo(16);
    }

    @Test
    void fromEnvironment_withExemptClients_appliesThemUnlessTheKeyIsSet() {
        assertThat(InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_LIMIT", "50"), List.of("sentinel-bridge")))
                .isEqualTo(InspectorConfig.builder().rateLimit(50).rateExemptClients(List.of("sentinel-bridge")).build());
        assertThat(InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_EXEMPT", "a, b"), List.of("sentinel-bridge"))
                .rateExemptClients()).containsExactlyInAnyOrder("a", "b");
        assertThat(InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_EXEMPT", " "), List.of("sentinel-bridge"))
                .rateExemptClients()).as("set, to none").isEmpty();
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of(), List.of("")))
                .hasMessage("rateExemptClients must not contain an empty client id");
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_LIMIT", "fast"), List.of("b")))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("SENTINEL_INSPECT_RATE_LIMIT='fast'");
    }

    @Test
    void fromEnvironment_sizesAcceptUnits() {
        InspectorConfig c = InspectorConfig.fromEnvironment(Map.of(
                "SENTINEL_INSPECT_MAX_PAYLOAD", "64k", "SENTINEL_INSPECT_ENTROPY_MIN_BYTES", "1KiB"));
        assertThat(c.maxPayloadBytes()).isEqualTo(65_536);
        assertThat(c.entropyMinBytes()).isEqualTo(1024);
    }

    @Test
    void settings_haveUniqueDocumentedKeys_andTheirDefaultsAreOfDefaults() {
        List<Setting<InspectorConfig.Builder>> settings = InspectorConfig.settings();

        assertThat(settings).extracting(Setting::key).doesNotHaveDuplicates()
                .allSatisfy(k -> assertThat(k).startsWith("SENTINEL_INSPECT_"));
        assertThat(settings).extracting(Setting::parameter).doesNotHaveDuplicates();
        assertThat(settings).allSatisfy(s -> assertThat(s.doc()).as(s.key()).isNotBlank());
        assertThat(settings).allSatisfy(s -> assertThat(s.allowed()).as(s.key()).isNotBlank());
        for (Setting<InspectorConfig.Builder> s : settings) {
            if (!s.defaultValue().isEmpty()) {
                assertThat(SettingsReader.apply(settings, Map.of(s.key(), s.defaultValue()), InspectorConfig.builder()).build())
                        .as(s.key() + "=" + s.defaultValue()).isEqualTo(InspectorConfig.ofDefaults());
            }
        }
        assertThat(settings).filteredOn(s -> s.defaultValue().isEmpty()).extracting(Setting::key)
                .containsExactlyInAnyOrder("SENTINEL_INSPECT_RATE_EXEMPT", "SENTINEL_INSPECT_RULES_FILE");
    }

    @Test
    void fromEnvironment_refusals_nameKeyValueParameterAndRange() {
        // integer
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_LIMIT", "1000001")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_INSPECT_RATE_LIMIT='1000001' is invalid: rateLimit must be 1 to 1000000");
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RATE_LIMIT", "fast")))
                .hasMessage("SENTINEL_INSPECT_RATE_LIMIT='fast' is invalid: rateLimit must be 1 to 1000000 (not a whole number)");
        // size
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_MAX_PAYLOAD", "0")))
                .hasMessage("SENTINEL_INSPECT_MAX_PAYLOAD='0' is invalid: maxPayloadBytes must be 1 to 256m bytes");
        // a decimal with an exclusive lower bound
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_ENTROPY_THRESHOLD", "9")))
                .hasMessage("SENTINEL_INSPECT_ENTROPY_THRESHOLD='9' is invalid: entropyThreshold must be above 0 and at "
                        + "most 8.0 bits per byte");
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_ENTROPY_THRESHOLD", "0")))
                .hasMessage("SENTINEL_INSPECT_ENTROPY_THRESHOLD='0' is invalid: entropyThreshold must be above 0 and at "
                        + "most 8.0 bits per byte");
        // a path
        assertThatThrownBy(() -> InspectorConfig.fromEnvironment(Map.of("SENTINEL_INSPECT_RULES_FILE", "a\0b")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("SENTINEL_INSPECT_RULES_FILE='a\0b' is invalid: rulesFile must be a rule file (JSON)");
    }

    @Test
    void builder_invalidValue_namesParameterAndRange() {
        assertThatThrownBy(() -> InspectorConfig.builder().decodeRounds(9))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("decodeRounds must be 1 to 8, was 9");
        assertThatThrownBy(() -> InspectorConfig.builder().rateLimit(0))
                .hasMessage("rateLimit must be 1 to " + InspectorConfig.MAX_RATE + ", was 0");
        assertThatThrownBy(() -> InspectorConfig.builder().entropyThreshold(0))
                .hasMessage("entropyThreshold must be above 0 and at most 8.0 bits per byte, was 0.0");
        assertThatThrownBy(() -> InspectorConfig.builder().rateExemptClients(List.of("")))
                .hasMessage("rateExemptClients must not contain an empty client id");
    }

    @Test
    void toBuilder_copiesEverything() {
        InspectorConfig c = InspectorConfig.builder().maxPayloadBytes(1000).entropyThreshold(6).entropyMinBytes(300)
                .rateLimit(7).connectionRateLimit(8).rateTrackedKeys(9).rateExemptClients(List.of("b"))
                .rulesFile(Path.of("r.json")).decodeRounds(1).maxJsonDepth(3).build();

        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
        assertThat(c).isNotEqualTo(InspectorConfig.ofDefaults());
    }

    @Test
    void twoBuildsFromOneBuilder_areIndependent() {
        InspectorConfig.Builder b = InspectorConfig.builder().rateLimit(5).rateExemptClients(List.of("a"));
        InspectorConfig first = b.build();
        b.rateLimit(6).rateExemptClients(List.of("a", "b"));
        InspectorConfig second = b.build();

        assertThat(first.rateLimit()).isEqualTo(5);
        assertThat(first.rateExemptClients()).containsExactly("a");
        assertThat(second.rateLimit()).isEqualTo(6);
        assertThat(second.rateExemptClients()).containsExactlyInAnyOrder("a", "b");
        assertThatThrownBy(() -> first.rateExemptClients().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }
}
