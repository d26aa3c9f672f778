package io.mqttsentinel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LayeredSettingsTest {
    private static final SettingsCatalogue CATALOGUE = SettingsCatalogue.builder()
            .add("Broker", "SENTINEL_BROKER_PORT", "1884", "a port", "Listener")
            .add("Proxy", "SENTINEL_PROXY_TLS_PORT", "8883", "a port", "TLS listener")
            .add("Proxy", "SENTINEL_AUTH_URL", "", "a URL", "Auth endpoint")
            .build();

    @Test
    void layer_environmentOverridesTheFile_keyByKey_andReadsOnlyItsSettings() {
        LayeredSettings s = LayeredSettings.layer(
                Map.of("SENTINEL_PROXY_TLS_PORT", "8884", "SENTINEL_BROKER_PORT", "2884"),
                Map.of("SENTINEL_PROXY_TLS_PORT", "9999", "PATH", "/bin", "SENTINEL_JAVA_OPTS", "-Xmx1g"),
                Set.of("SENTINEL_JAVA_OPTS"));

        assertThat(s.values()).containsExactly(Map.entry("SENTINEL_BROKER_PORT", "2884"),
                Map.entry("SENTINEL_PROXY_TLS_PORT", "9999"));
        assertThat(s.source("SENTINEL_PROXY_TLS_PORT")).isEqualTo(LayeredSettings.Source.ENVIRONMENT);
        assertThat(s.source("SENTINEL_BROKER_PORT")).isEqualTo(LayeredSettings.Source.FILE);
        assertThat(s.source("SENTINEL_AUTH_URL")).isEqualTo(LayeredSettings.Source.DEFAULT);
    }

    @Test
    void layer_emptyEnvironmentValue_unsetsTheFilesValue() {
        Map<String, String> environment = new HashMap<>();
        environment.put("SENTINEL_AUTH_URL", "");

        LayeredSettings s = LayeredSettings.layer(Map.of("SENTINEL_AUTH_URL", "http://auth.local/check"), environment,
                Set.of());

        assertThat(s.get("SENTINEL_AUTH_URL")).isEmpty();
        assertThat(s.source("SENTINEL_AUTH_URL")).isEqualTo(LayeredSettings.Source.DEFAULT);
    }

    @Test
    void ofAndWith_setAndUnsetProgramValues_andRefuseOtherNames() {
        LayeredSettings s = LayeredSettings.of(Map.of("SENTINEL_BROKER_PORT", "1")).with("SENTINEL_BROKER_PORT", "2");

        assertThat(s.values()).containsExactly(Map.entry("SENTINEL_BROKER_PORT", "2"));
        assertThat(s.source("SENTINEL_BROKER_PORT")).isEqualTo(LayeredSettings.Source.PROGRAM);
        assertThat(s.with("SENTINEL_BROKER_PORT", "").values()).isEmpty();
        assertThatThrownBy(() -> LayeredSettings.of(Map.of("BROKER_PORT", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("key must start with SENTINEL_: BROKER_PORT");
    }

    @Test
    void unknownKeys_nameTheirSourceAndTheClosestKnownKey() {
        LayeredSettings s = LayeredSettings.layer(Map.of("SENTINEL_PROXY_TLS_PROT", "1"),
                Map.of("SENTINEL_BROKR_PORT", "1", "SENTINEL_ZZZZZZ_QQQQQQQ", "x", "SENTINEL_REQUIRE_SERVICES", "true"),
                Set.of()).with("SENTINEL_AUTH_ULR", "x");

        assertThat(s.unknownKeys(CATALOGUE, Set.of("SENTINEL_REQUIRE_SERVICES"))).isEqualTo(List.of(
                "unknown setting SENTINEL_AUTH_ULR from the program is ignored; did you mean SENTINEL_AUTH_URL?",
                "unknown setting SENTINEL_BROKR_PORT from the environment is ignored; did you mean SENTINEL_BROKER_PORT?",
                "unknown setting SENTINEL_PROXY_TLS_PROT from the config file (YAML key proxy.tls_prot) is ignored; "
                        + "did you mean SENTINEL_PROXY_TLS_PORT?",
                "unknown setting SENTINEL_ZZZZZZ_QQQQQQQ from the environment is ignored"));
    }
}
