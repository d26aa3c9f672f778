package io.mqttsentinel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link SettingsReader#flatten(Object)}: a parsed YAML document as settings by environment-variable name. */
class SettingsReaderFlattenTest {
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void flatten_nestedDottedDashedAndPrefixedKeys_mapToEnvironmentNames() {
        Map<String, Object> doc = map(
                "proxy", map("tls_port", 8883, "upstream-tls", map("cert", "c.pem")),
                "rl.global_rate", 20000,
                "SENTINEL_BROKER_PORT", 1884,
                "bridge.subscriptions", List.of("clients/+/telemetry", "alerts/#"),
                "inspect.entropy", 7.5,
                "store.fsync", true,
                "events.topic", null);

        assertThat(SettingsReader.flatten(doc)).containsExactly(
                Map.entry("SENTINEL_PROXY_TLS_PORT", "8883"),
                Map.entry("SENTINEL_PROXY_UPSTREAM_TLS_CERT", "c.pem"),
                Map.entry("SENTINEL_RL_GLOBAL_RATE", "20000"),
                Map.entry("SENTINEL_BROKER_PORT", "1884"),
                Map.entry("SENTINEL_BRIDGE_SUBSCRIPTIONS", "clients/+/telemetry,alerts/#"),
                Map.entry("SENTINEL_INSPECT_ENTROPY", "7.5"),
                Map.entry("SENTINEL_STORE_FSYNC", "true"));
    }

    @Test
    void flatten_emptyDocument_holdsNoSettings() {
        assertThat(SettingsReader.flatten(null)).isEmpty();
    }

    @Test
    void flatten_refusesWhatIsNotAMapOfSettings() {
        assertThatThrownBy(() -> SettingsReader.flatten(List.of("a")))
                .hasMessage("must be a YAML map of settings, found a list");
        assertThatThrownBy(() -> SettingsReader.flatten(42)).hasMessage("must be a YAML map of settings, found a number");
        assertThatThrownBy(() -> SettingsReader.flatten(map("bridge", map("subscriptions", List.of(map("a", 1))))))
                .hasMessage("bridge.subscriptions must be a list of plain values, found a map");
    }

    @Test
    void flatten_oneKeyInTwoSpellings_isRefused() {
        assertThatThrownBy(() -> SettingsReader.flatten(map("proxy", map("tls_port", 1), "proxy.tls-port", 2)))
                .hasMessage("SENTINEL_PROXY_TLS_PORT is set twice (as proxy.tls_port in two spellings); keep one");
    }
}
