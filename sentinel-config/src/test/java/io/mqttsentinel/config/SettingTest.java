package io.mqttsentinel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SettingTest {
    enum Mode { ALWAYS, INTERVAL, OS }

    static final class Builder {
        int port = 8883;
        Duration ttl = Duration.ofSeconds(60);
        Duration snapshot = Duration.ofSeconds(30);
        long maxBytes;
        boolean tls;
        Mode mode = Mode.ALWAYS;
        String password;
        String url;

        Builder port(int p) {
            port = Values.checkRange("port", p, 0, 65535);
            return this;
        }

        Builder url(String u) {
            if (!u.startsWith("ws")) {
                throw new IllegalArgumentException("scheme must be ws or wss");
            }
            url = u;
            return this;
        }
    }

    static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.integer("SENTINEL_T_PORT", "port", 0, 65535, 8883, "port", Builder::port),
            Setting.duration("SENTINEL_T_TTL", "ttl", Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofSeconds(60),
                    "ttl", (b, d) -> b.ttl = d),
            Setting.duration("SENTINEL_T_SNAPSHOT_MS", "snapshot", Duration.ofMillis(100), Duration.ofHours(1),
                    Duration.ofSeconds(30), "snapshot", (b, d) -> b.snapshot = d),
            Setting.size("SENTINEL_T_MAX_BYTES", "maxBytes", 1 << 20, 1L << 50, 1L << 30, "max", (b, n) -> b.maxBytes = n),
            Setting.bool("SENTINEL_T_TLS", "tls", false, "tls", (b, v) -> b.tls = v),
            Setting.choice("SENTINEL_T_MODE", "mode", Mode.class, Mode.ALWAYS, "mode", (b, m) -> b.mode = m),
            Setting.<Builder>text("SENTINEL_T_PASSWORD", "password", "", "any text", "secret", (b, v) -> b.password = v).secret(),
            Setting.text("SENTINEL_T_URL", "url", "", "a ws:// or wss:// URL", "url", Builder::url));

    @Test
    void appliesWhatIsSet_andKeepsDefaultsForBlankOrMissingKeys() {
        Builder b = SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_PORT", " 1883 ", "SENTINEL_T_TTL", "5m",
                "SENTINEL_T_SNAPSHOT_MS", "250", "SENTINEL_T_MAX_BYTES", "20GiB", "SENTINEL_T_TLS", "Yes",
                "SENTINEL_T_MODE", "Interval", "SENTINEL_T_URL", ""), new Builder());
        assertThat(b.port).isEqualTo(1883);
        assertThat(b.ttl).isEqualTo(Duration.ofMinutes(5));
        assertThat(b.snapshot).as("a bare number of an _MS key is milliseconds").isEqualTo(Duration.ofMillis(250));
        assertThat(b.maxBytes).isEqualTo(20L << 30);
        assertThat(b.tls).isTrue();
        assertThat(b.mode).isEqualTo(Mode.INTERVAL);
        assertThat(b.url).isNull();
    }

    @Test
    void everyRefusal_namesKeyValueParameterAndRange() {
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_PORT", "70000"), new Builder()))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_T_PORT='70000' is invalid: port must be 0 to 65535");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_PORT", "abc"), new Builder()))
                .hasMessage("SENTINEL_T_PORT='abc' is invalid: port must be 0 to 65535 (not a whole number)");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_TTL", "2h"), new Builder()))
                .hasMessage("SENTINEL_T_TTL='2h' is invalid: ttl must be 1s to 1h");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_MODE", "sometimes"), new Builder()))
                .hasMessage("SENTINEL_T_MODE='sometimes' is invalid: mode must be one of always, interval, os");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_URL", "http://x"), new Builder()))
                .hasMessage("SENTINEL_T_URL='http://x' is invalid: url must be a ws:// or wss:// URL (scheme must be ws or wss)");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_TLS", "maybe"), new Builder()))
                .hasMessage("SENTINEL_T_TLS='maybe' is invalid: tls must be true or false (not a boolean (write true or false))");
        assertThatThrownBy(() -> SettingsReader.apply(SETTINGS, Map.of("SENTINEL_T_MAX_BYTES", "1k"), new Builder()))
                .hasMessage("SENTINEL_T_MAX_BYTES='1k' is invalid: maxBytes must be 1m to 1024t bytes");
    }

    @Test
    void aSecretsValueIsNeverShown() {
        Setting<Builder> s = Setting.<Builder>text("SENTINEL_T_TOKEN", "token", "", "printable ASCII", "t", (b, v) -> {
            throw new IllegalArgumentException("token 'hunter2' has a space");
        }).secret();
        assertThatThrownBy(() -> s.apply(new Builder(), "hunter2"))
                .hasMessage("SENTINEL_T_TOKEN='***' is invalid: token must be printable ASCII")
                .message().doesNotContain("hunter2");
    }

    @Test
    void describesItself() {
        Setting<Builder> ttl = SETTINGS.get(1);
        assertThat(ttl.yamlPath()).isEqualTo("t.ttl");
        assertThat(ttl.type()).isEqualTo("duration");
        assertThat(ttl.defaultValue()).isEqualTo("1m");
        assertThat(SETTINGS.get(3).defaultValue()).isEqualTo("1g");
        assertThat(SETTINGS.get(6).isSecret()).isTrue();
        assertThat(Setting.yamlPathOf("SENTINEL_PROXY_TLS_PORT")).isEqualTo("proxy.tls_port");
        assertThatThrownBy(() -> Setting.bool("sentinel_x", "x", true, "x", (Builder b, Boolean v) -> { }))
                .hasMessageContaining("upper case");
    }

    @Test
    void grammar() {
        assertThat(Values.duration("PT30S", ChronoUnit.SECONDS)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Values.duration("7d", ChronoUnit.SECONDS)).isEqualTo(Duration.ofDays(7));
        assertThat(Values.duration("45", ChronoUnit.SECONDS)).isEqualTo(Duration.ofSeconds(45));
        assertThat(Values.duration("250 ms", ChronoUnit.SECONDS)).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> Values.duration("5 minutes", ChronoUnit.SECONDS)).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Values.duration("-5s", ChronoUnit.SECONDS)).hasMessageContaining("not a duration");
        assertThat(Values.size("512")).isEqualTo(512);
        assertThat(Values.size("64k")).isEqualTo(65536);
        assertThat(Values.size("1MiB")).isEqualTo(1 << 20);
        assertThat(Values.size("2 GB")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> Values.size("99999999t")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Values.size("1.5g")).hasMessageContaining("not a size");
        assertThat(Values.bool("ON")).isTrue();
        assertThat(Values.bool("0")).isFalse();
        assertThat(Values.list(" a, ,b ,")).containsExactly("a", "b");
        assertThat(Values.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Values.format(Duration.ofHours(72))).isEqualTo("3d");
        assertThat(Values.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Values.formatSize(10 * 1024)).isEqualTo("10k");
        assertThat(Values.formatSize(1000)).isEqualTo("1000");
    }

    @Test
    void hostPorts_oneGrammarForEveryAddressList_readsBackWhatItFormats() {
        List<java.net.InetSocketAddress> nodes = Values.hostPorts(" core-a:1884,[::1]:1885 ,10.0.0.7:1");

        assertThat(nodes).extracting(a -> a.getHostString() + "/" + a.getPort())
                .containsExactly("core-a/1884", "::1/1885", "10.0.0.7/1");
        assertThat(nodes).allMatch(java.net.InetSocketAddress::isUnresolved);
        assertThat(Values.formatHostPorts(nodes)).isEqualTo("core-a:1884,[::1]:1885,10.0.0.7:1");
        assertThat(Values.hostPorts(Values.formatHostPorts(nodes))).isEqualTo(nodes);
        for (String bad : List.of("", "core", "core:", ":1884", "core:0", "core:65536", "core:x", "a:1,", "[::1:1884")) {
            assertThatThrownBy(() -> Values.hostPorts(bad)).as("'%s'", bad).hasMessage("not host:port");
        }
    }
}
