package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link CoreGrants}: the bridge's client id, as its settings name it, with its window and its rate exemption. */
class CoreGrantsTest {

    @Test
    void theDefaultClientId_getsTheWindowAndTheExemption() {
        CoreGrants grants = CoreGrants.fromEnvironment(Map.of());
        assertThat(grants.clientId()).isEqualTo(BridgeConfig.DEFAULT_CLIENT_ID).isEqualTo("sentinel-bridge");
        assertThat(grants.inflightWindows()).containsExactly(Map.entry("sentinel-bridge", 1000));
        assertThat(grants.rateExemptClients()).containsExactly("sentinel-bridge");
    }

    @Test
    void theConfiguredClientId_isTakenAsWritten() {
        CoreGrants grants = CoreGrants.fromEnvironment(Map.of(BridgeConfig.CLIENT_ID, "edge-bridge-7"));
        assertThat(grants.inflightWindows()).containsExactly(Map.entry("edge-bridge-7", CoreGrants.INFLIGHT_WINDOW));
        assertThat(grants.rateExemptClients()).containsExactly("edge-bridge-7");
        assertThat(CoreGrants.fromEnvironment(Map.of(BridgeConfig.CLIENT_ID, "not,checked")).clientId())
                .as("the bridge checks its id; the core only matches it").isEqualTo("not,checked");
    }
}
