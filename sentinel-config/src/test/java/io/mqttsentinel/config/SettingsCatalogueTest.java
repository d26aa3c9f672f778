package io.mqttsentinel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SettingsCatalogueTest {
    static final class Builder {
        void value(String v) {
        }
    }

    private static final List<Setting<Builder>> ENGINE = List.of(
            Setting.integer("SENTINEL_PROXY_TLS_PORT", "tlsPort", 0, 65535, 8883, "TLS listener", (b, v) -> { }),
            Setting.text("SENTINEL_AUTH_FILE", "authFile", "", "a file", "Credentials | hashes", Builder::value),
            Setting.text("SENTINEL_BRIDGE_ORIGIN_PASSWORD", "originPassword", "", "text", "Password", Builder::value)
                    .secret());

    private final SettingsCatalogue catalogue = SettingsCatalogue.builder()
            .add("Launcher", "SENTINEL_DATA_DIR", "./data", "a directory", "Local state")
            .add("Proxy", ENGINE, Map.of("SENTINEL_AUTH_FILE", "SENTINEL_DATA_DIR/credentials"))
            .build();

    @Test
    void all_keepsTheOrderTheSectionsWereAddedIn_withTheProgramsDefaults() {
        assertThat(catalogue.all()).extracting(SettingsCatalogue.Entry::key).containsExactly("SENTINEL_DATA_DIR",
                "SENTINEL_PROXY_TLS_PORT", "SENTINEL_AUTH_FILE", "SENTINEL_BRIDGE_ORIGIN_PASSWORD");
        assertThat(catalogue.find("SENTINEL_AUTH_FILE").orElseThrow().defaultValue())
                .isEqualTo("SENTINEL_DATA_DIR/credentials");
        assertThat(catalogue.find("SENTINEL_PROXY_TLS_PORT").orElseThrow().yamlKey()).isEqualTo("proxy.tls_port");
    }

    @Test
    void isSecret_coversCataloguedSecretsAndPasswordsByName() {
        assertThat(catalogue.isSecret("SENTINEL_BRIDGE_ORIGIN_PASSWORD")).isTrue();
        assertThat(catalogue.isSecret("SENTINEL_RL_REDIS_PASSWORD")).isTrue();
        assertThat(catalogue.isSecret("SENTINEL_SOMETHING_TOKEN")).isTrue();
        assertThat(catalogue.isSecret("SENTINEL_X_PASS")).isTrue();
        assertThat(catalogue.isSecret("SENTINEL_PROXY_TLS_PORT")).isFalse();
    }

    @Test
    void printable_masksSecretsAndPasswordsInUrls() {
        assertThat(catalogue.printable("SENTINEL_BRIDGE_ORIGIN_PASSWORD", "hunter2")).isEqualTo("****");
        assertThat(catalogue.printable("SENTINEL_AUTH_URL", "https://svc:hunter2@auth.example/check?tenant=a&api_key=k1"))
                .isEqualTo("https://****@auth.example/check?tenant=a&api_key=****");
        assertThat(catalogue.printable("SENTINEL_PROXY_TLS_PORT", "8883")).isEqualTo("8883");
    }

    @Test
    void closest_namesAKnownKeyWithinASmallEditDistance() {
        assertThat(catalogue.closest("SENTINEL_PROXY_TLS_PROT")).contains("SENTINEL_PROXY_TLS_PORT");
        assertThat(catalogue.closest("SENTINEL_COMPLETELY_DIFFERENT")).isEmpty();
    }

    @Test
    void aKeyTwoEnginesRead_isListedOnce_unlessTheyDisagreeOnSecrecy() {
        SettingsCatalogue twice = SettingsCatalogue.builder().add("A", ENGINE, Map.of()).add("B", ENGINE, Map.of()).build();
        assertThat(twice.all()).hasSize(3).allSatisfy(e -> assertThat(e.section()).isEqualTo("A"));

        List<Setting<Builder>> notSecret = List.of(
                Setting.text("SENTINEL_BRIDGE_ORIGIN_PASSWORD", "p", "", "text", "Password", Builder::value));
        assertThatThrownBy(() -> SettingsCatalogue.builder().add("A", ENGINE, Map.of()).add("B", notSecret, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SENTINEL_BRIDGE_ORIGIN_PASSWORD");
        assertThatThrownBy(() -> SettingsCatalogue.builder().add("A", "SENTINEL_X", "", "", "").add("A", "SENTINEL_X", "", "", ""))
                .isInstanceOf(IllegalStateException.class).hasMessage("duplicate setting SENTINEL_X");
    }

    @Test
    void markdownReference_isATablePerSection_withPipesEscapedAndSecretsMarked() {
        String nl = System.lineSeparator();
        assertThat(catalogue.markdownReference()).isEqualTo(nl
                + "### Launcher" + nl + nl
                + "| environment variable | YAML key | default | allowed | description |" + nl
                + "|---|---|---|---|---|" + nl
                + "| `SENTINEL_DATA_DIR` | `data.dir` | `./data` | a directory | Local state |" + nl
                + nl + "### Proxy" + nl + nl
                + "| environment variable | YAML key | default | allowed | description |" + nl
                + "|---|---|---|---|---|" + nl
                + "| `SENTINEL_PROXY_TLS_PORT` | `proxy.tls_port` | `8883` | 0 to 65535 | TLS listener |" + nl
                + "| `SENTINEL_AUTH_FILE` | `auth.file` | `SENTINEL_DATA_DIR/credentials` | a file | Credentials \\| hashes |" + nl
                + "| `SENTINEL_BRIDGE_ORIGIN_PASSWORD` | `bridge.origin_password` | (unset) | text | Password (secret: masked) |" + nl);
    }
}
