package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsentinel.config.LayeredSettings;
import io.mqttsentinel.config.SettingsCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("sentinel.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void load_nestedDottedAndPrefixedYamlKeys_mapToEnvironmentNames() throws IOException {
        Path f = yaml("""
                proxy:
                  tls_port: 8884
                  plain-port: 1885
                rl.global_rate: 20000
                rl:
                  ip:
                    burst: 7
                SENTINEL_BROKER_PORT: 2884
                bridge:
                  subscriptions: [clients/+/telemetry, clients/+/events]
                auth_url: ~
                """);

        LauncherConfig c = LauncherConfig.load(f, Map.of());

        assertThat(c.values()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "SENTINEL_PROXY_TLS_PORT", "8884",
                "SENTINEL_PROXY_PLAIN_PORT", "1885",
                "SENTINEL_RL_GLOBAL_RATE", "20000",
                "SENTINEL_RL_IP_BURST", "7",
                "SENTINEL_BROKER_PORT", "2884",
                "SENTINEL_BRIDGE_SUBSCRIPTIONS", "clients/+/telemetry,clients/+/events"));
        assertThat(c.source("SENTINEL_PROXY_TLS_PORT")).isEqualTo(LayeredSettings.Source.FILE);
        assertThat(c.source("SENTINEL_AUTH_URL")).isEqualTo(LayeredSettings.Source.DEFAULT);
    }

    @Test
    void load_environmentOverridesYaml_keyByKey() throws IOException {
        Path f = yaml("proxy:\n  tls_port: 8884\n  upstream: core:1884\n");

        LauncherConfig c = LauncherConfig.load(f, Map.of("SENTINEL_PROXY_TLS_PORT", "9999", "PATH", "/bin"));

        assertThat(c.get("SENTINEL_PROXY_TLS_PORT")).contains("9999");
        assertThat(c.source("SENTINEL_PROXY_TLS_PORT")).isEqualTo(LayeredSettings.Source.ENVIRONMENT);
        assertThat(c.get("SENTINEL_PROXY_UPSTREAM")).contains("core:1884");
        assertThat(c.values()).doesNotContainKey("PATH");
    }

    @Test
    void load_emptyEnvironmentValue_unsetsTheFilesValue() throws IOException {
        Path f = yaml("auth:\n  url: http://auth.local/check\n");

        LauncherConfig c = LauncherConfig.load(f, Map.of("SENTINEL_AUTH_URL", ""));

        assertThat(c.get("SENTINEL_AUTH_URL")).isEmpty();
        assertThat(c.source("SENTINEL_AUTH_URL")).isEqualTo(LayeredSettings.Source.DEFAULT);
    }

    @Test
    void load_withoutFileArgument_readsTheFileNamedBySentinelConfig() throws IOException {
        Path f = yaml("broker:\n  port: 2000\n");

        LauncherConfig c = LauncherConfig.load(null, Map.of("SENTINEL_CONFIG", f.toString()));

        assertThat(c.get("SENTINEL_BROKER_PORT")).contains("2000");
        assertThat(c.values()).doesNotContainKey("SENTINEL_CONFIG");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void load_unknownKey_warnsWithTheClosestKnownKey() throws IOException {
        Path f = yaml("proxy:\n  tls_prot: 1\n");

        LauncherConfig c = LauncherConfig.load(f, Map.of("SENTINEL_BROKR_PORT", "1", "SENTINEL_ZZZZZZ_QQQQQQQ", "x",
                "SENTINEL_REQUIRE_SERVICES", "true"));

        assertThat(c.warnings()).containsExactlyInAnyOrder(
                "unknown setting SENTINEL_BROKR_PORT from the environment is ignored; did you mean SENTINEL_BROKER_PORT?",
                "unknown setting SENTINEL_PROXY_TLS_PROT from the config file (YAML key proxy.tls_prot) is ignored; "
                        + "did you mean SENTINEL_PROXY_TLS_PORT?",
                "unknown setting SENTINEL_ZZZZZZ_QQQQQQQ from the environment is ignored");
    }

    @Test
    void load_malformedYaml_namesTheFileAndTheLine() throws IOException {
        Path f = yaml("proxy:\n  tls_port: 8883\n bad: [\n");

        assertThatThrownBy(() -> LauncherConfig.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--config '" + f + "': not valid YAML at line 3");
    }

    @Test
    void load_missingFile_saysItMustBeReadable() {
        Path f = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> LauncherConfig.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--config '" + f + "': must be a readable YAML file");
    }

    @Test
    void load_topLevelList_isRefused() throws IOException {
        Path f = yaml("- a\n- b\n");

        assertThatThrownBy(() -> LauncherConfig.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--config '" + f + "': must be a YAML map of settings, found a list");
    }

    @Test
    void load_sameKeyInTwoSpellings_isRefused() throws IOException {
        Path f = yaml("proxy.tls_port: 1\nproxy:\n  tls_port: 2\n");

        assertThatThrownBy(() -> LauncherConfig.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_PROXY_TLS_PORT is set twice");
    }

    @Test
    void launchersOwnSettings_outOfRange_failInTheFormatOfEverySetting() {
        assertThatThrownBy(() -> LauncherConfig.of(Map.of("SENTINEL_METRICS_PORT", "70000")).own())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("SENTINEL_METRICS_PORT='70000' is invalid: metricsPort must be");
        assertThatThrownBy(() -> LauncherConfig.of(Map.of("SENTINEL_LOG_LEVEL", "loud")).own())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SENTINEL_LOG_LEVEL='loud' is invalid")
                .hasMessageContaining("one of trace, debug, info, warn, error");
        assertThatThrownBy(() -> LauncherConfig.of(Map.of("SENTINEL_SHUTDOWN_GRACE", "11m")).shutdownGrace())
                .isInstanceOf(ConfigException.class).hasMessageContaining("SENTINEL_SHUTDOWN_GRACE='11m' is invalid");
    }

    @Test
    void launchersOwnSettings_unset_takeTheirDefaults() {
        LauncherSettings own = LauncherConfig.of(Map.of()).own();
        assertThat(own.metricsPort(9091)).isEqualTo(9091);
        assertThat(own.metricsBind()).isEqualTo("0.0.0.0");
        assertThat(own.logLevel()).isEqualTo("info");
        assertThat(own.shutdownGrace()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(LauncherConfig.of(Map.of("SENTINEL_METRICS_PORT", "0")).own().metricsPort(9091)).isZero();
    }

    @Test
    void printable_masksSecretKeysAndPasswordsInUrls() {
        LauncherConfig c = LauncherConfig.of(Map.of(
                "SENTINEL_BRIDGE_ORIGIN_PASSWORD", "hunter2",
                "SENTINEL_AUTH_URL", "https://svc:hunter2@auth.example/check?tenant=a&api_key=k1",
                "SENTINEL_RL_REDIS_URI", "redis://:hunter2@127.0.0.1:6379/0",
                "SENTINEL_PROXY_TLS_PORT", "8883"));

        assertThat(c.printable("SENTINEL_BRIDGE_ORIGIN_PASSWORD")).isEqualTo("****");
        assertThat(c.printable("SENTINEL_AUTH_URL")).isEqualTo("https://****@auth.example/check?tenant=a&api_key=****");
        assertThat(c.printable("SENTINEL_RL_REDIS_URI")).isEqualTo("redis://****@127.0.0.1:6379/0");
        assertThat(c.printable("SENTINEL_PROXY_TLS_PORT")).isEqualTo("8883");
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void with_setsAndUnsetsProgramValues() {
        LauncherConfig c = LauncherConfig.of(Map.of("SENTINEL_BROKER_PORT", "1")).with("SENTINEL_BROKER_PORT", "2")
                .withDefault("SENTINEL_BROKER_PORT", "3").withDefault("SENTINEL_DATA_DIR", "/tmp/x");

        assertThat(c.values()).containsExactlyInAnyOrderEntriesOf(Map.of("SENTINEL_BROKER_PORT", "2", "SENTINEL_DATA_DIR", "/tmp/x"));
        assertThat(c.with("SENTINEL_BROKER_PORT", null).values()).doesNotContainKey("SENTINEL_BROKER_PORT");
        assertThat(c.source("SENTINEL_BROKER_PORT")).isEqualTo(LayeredSettings.Source.PROGRAM);
    }

    @Test
    void settings_everyYamlKeyMapsBackToItsVariable() throws IOException {
        StringBuilder b = new StringBuilder();
        for (SettingsCatalogue.Entry s : Settings.CATALOGUE.all()) {
            b.append(s.yamlKey()).append(": x\n");
        }
        LauncherConfig c = LauncherConfig.load(yaml(b.toString()), Map.of());

        assertThat(c.values().keySet()).containsExactlyInAnyOrderElementsOf(
                Settings.CATALOGUE.all().stream().map(SettingsCatalogue.Entry::key).toList());
        assertThat(c.warnings()).isEqualTo(List.of());
    }
}
