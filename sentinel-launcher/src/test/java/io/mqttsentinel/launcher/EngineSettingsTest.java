package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

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
}
