package io.mqttsentinel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.config.LayeredSettings;
import io.mqttsentinel.config.SettingsCatalogue;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EffectiveSettingTest {

    @Test
    void of_listsTheCatalogueInOrder_withSourcesAndDefaults_thenTheUnknownKeys_secretsMasked() {
        SettingsCatalogue catalogue = SettingsCatalogue.builder()
                .add("Admin API", AdminConfig.settings(), Map.of(AdminConfig.ENV_BIND, "localhost"))
                .build();
        LayeredSettings settings = LayeredSettings.layer(Map.of(AdminConfig.ENV_URL, "https://ops:hunter2@admin.example"),
                Map.of(AdminConfig.ENV_TOKEN, "s3cret", "SENTINEL_ADMIN_PASSWORD", "hunter2"), Set.of())
                .with(AdminConfig.ENV_PORT, "9190");

        assertThat(EffectiveSetting.of(settings, catalogue)).containsExactly(
                new EffectiveSetting(AdminConfig.ENV_TOKEN, "****", "environment", true),
                new EffectiveSetting(AdminConfig.ENV_PORT, "9190", "program", false),
                new EffectiveSetting(AdminConfig.ENV_BIND, "localhost", "default", false),
                new EffectiveSetting(AdminConfig.ENV_RECENT_EVENTS, "1000", "default", false),
                new EffectiveSetting(AdminConfig.ENV_URL, "https://****@admin.example", "file", false),
                new EffectiveSetting("SENTINEL_ADMIN_PASSWORD", "****", "unknown (ignored)", true));
    }
}
