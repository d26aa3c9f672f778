package io.mqttsentinel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.config.LayeredSettings;
import io.mqttsentinel.config.SettingsCatalogue;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EffectiveSettingTest {
    private static final SettingsCatalogue CATALOGUE = SettingsCatalogue.builder()
            .add("Broker", "SENTINEL_BROKER_PORT", "1884", "a port", "Listener")
            .add("Proxy", "SENTINEL_PROXY_TLS_PORT", "8883", "a port", "TLS listener")
            .add("Proxy", "SENTINEL_AUTH_URL", "", "a URL", "Auth endpoint")
            .build();

    @Test
    void of_listsTheCatalogueInOrder_withSourcesAndDefaults_thenTheUnknownKeys_masked() {
        LayeredSettings settings = LayeredSettings.layer(
                Map.of("SENTINEL_AUTH_URL", "https://svc:hunter2@auth.example/check"),
                Map.of("SENTINEL_PROXY_TLS_PORT", "8884", "SENTINEL_BROKR_PASSWORD", "hunter2"), Set.of());

        assertThat(EffectiveSetting.of(settings, CATALOGUE)).containsExactly(
                new EffectiveSetting("SENTINEL_BROKER_PORT", "1884", "default", false),
                new EffectiveSetting("SENTINEL_PROXY_TLS_PORT", "8884", "environment", false),
                new EffectiveSetting("SENTINEL_AUTH_URL", "https://****@auth.example/check", "file", false),
                new EffectiveSetting("SENTINEL_BROKR_PASSWORD", "****", "unknown (ignored)", true));
    }
}
