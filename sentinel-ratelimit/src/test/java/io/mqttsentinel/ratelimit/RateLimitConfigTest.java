package io.mqttsentinel.ratelimit;

import io.mqttsentinel.api.Ticker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {

    @Test
    void ofDefaults_matchesTheArchitecture() {
        RateLimitConfig c = RateLimitConfig.ofDefaults();
        assertThat(c.rate(RateLimitTier.GLOBAL)).isEqualTo(10_000);
        assertThat(c.burst(RateLimitTier.GLOBAL)).isEqualTo(5_000);
        assertThat(c.rate(RateLimitTier.IP)).isEqualTo(100);
        assertThat(c.burst(RateLimitTier.IP)).isEqualTo(1_000);
        assertThat(c.rate(RateLimitTier.CONNECT)).isEqualTo(10);
        assertThat(c.burst(RateLimitTier.CONNECT)).isEqualTo(500);
        assertThat(c.rate(RateLimitTier.PUBLISH)).isEqualTo(100);
        assertThat(c.burst(RateLimitTier.PUBLISH)).isEqualTo(500);
        assertThat(c.rate(RateLimitTier.SUBSCRIBE)).isEqualTo(20);
        assertThat(c.burst(RateLimitTier.SUBSCRIBE)).isEqualTo(500);
        assertThat(c.rate(RateLimitTier.CLIENT)).isEqualTo(50);
        assertThat(c.burst(RateLimitTier.CLIENT)).isEqualTo(500);
        assertThat(c.maxKeysPerTier()).isEqualTo(1_048_576);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.ipv6PrefixLength()).isEqualTo(64);
    }

    @Test
    void fromEnvironment_readsEveryKey() {
        RateLimitConfig c = RateLimitConfig.fromEnvironment(Map.ofEntries(
                Map.entry("SENTINEL_RL_GLOBAL_RATE", "20000"), Map.entry("SENTINEL_RL_GLOBAL_BURST", " 7000 "),
                Map.entry("SENTINEL_RL_IP_RATE", "1"), Map.entry("SENTINEL_RL_IP_BURST", "2"),
                Map.entry("SENTINEL_RL_CONNECT_RATE", "3"), Map.entry("SENTINEL_RL_CONNECT_BURST", "4"),
                Map.entry("SENTINEL_RL_PUBLISH_RATE", "5"), Map.entry("SENTINEL_RL_PUBLISH_BURST", "6"),
                Map.entry("SENTINEL_RL_SUBSCRIBE_RATE", "7"), Map.entry("SENTINEL_RL_SUBSCRIBE_BURST", "8"),
                Map.entry("SENTINEL_RL_CLIENT_RATE", "9"), Map.entry("SENTINEL_RL_CLIENT_BURST", "1000000000"),
                Map.entry("SENTINEL_RL_MAX_KEYS", "1000"), Map.entry("SENTINEL_RL_IDLE_SECONDS", "0"),
                Map.entry("SENTINEL_RL_IPV6_PREFIX", "48"),
                Map.entry("SENTINEL_RL_REDIS_URI", "redis://ignored-here"), Map.entry("PATH", "/bin")));
        assertThat(c.rate(RateLimitTier.GLOBAL)).isEqualTo(20_000);
        assertThat(c.burst(RateLimitTier.GLOBAL)).isEqualTo(7_000);
        assertThat(c.rate(RateLimitTier.IP)).isEqualTo(1);
        assertThat(c.burst(RateLimitTier.IP)).isEqualTo(2);
        assertThat(c.rate(RateLimitTier.CONNECT)).isEqualTo(3);
        assertThat(c.burst(RateLimitTier.CONNECT)).isEqualTo(4);
        assertThat(c.rate(RateLimitTier.PUBLISH)).isEqualTo(5);
        assertThat(c.burst(RateLimitTier.PUBLISH)).isEqualTo(6);
        assertThat(c.rate(RateLimitTier.SUBSCRIBE)).isEqualTo(7);
        assertThat(c.burst(RateLimitTier.SUBSCRIBE)).isEqualTo(8);
        assertThat(c.rate(RateLimitTier.CLIENT)).isEqualTo(9);
        assertThat(c.burst(RateLimitTier.CLIENT)).isEqualTo(1_000_000_000);
        assertThat(c.maxKeysPerTier()).isEqualTo(1000);
        assertThat(c.idleTimeout()).isZero();
        assertThat(c.ipv6PrefixLength()).isEqualTo(48);
    }

    @Test
    void fromEnvironment_emptyEnvironment_givesDefaults() {
        assertThat(RateLimitConfig.fromEnvironment(Map.of())).isEqualTo(RateLimitConfig.ofDefaults());
    }

    @Test
    void fromEnvironment_negativeRate_refusedNamingTheKey() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IP_RATE", "-5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_RL_IP_RATE='-5' is invalid: rate(IP) must be 1 to 1000000000");
    }

    @Test
    void fromEnvironment_zeroBurst_refusedNamingTheKey() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_PUBLISH_BURST", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_RL_PUBLISH_BURST='0' is invalid: burst(PUBLISH) must be 1 to 1000000000");
    }

    @Test
    void fromEnvironment_nonNumeric_refusedNamingTheKey() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_GLOBAL_RATE", "10k")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_RL_GLOBAL_RATE='10k' is invalid: rate(GLOBAL) must be 1 to 1000000000 "
                        + "(not a whole number)");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_CLIENT_BURST", "1.5")))
                .hasMessageContaining("SENTINEL_RL_CLIENT_BURST");
        // blank is unset, as for every setting read by SettingsReader: the default stays
        assertThat(RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_CLIENT_BURST", " ")))
                .isEqualTo(RateLimitConfig.ofDefaults());
    }

    @Test
    void fromEnvironment_outOfRangeOtherKeys_refused() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IPV6_PREFIX", "65")))
                .hasMessage("SENTINEL_RL_IPV6_PREFIX='65' is invalid: ipv6PrefixLength must be 1 to 64");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_MAX_KEYS", "0")))
                .hasMessageContaining("SENTINEL_RL_MAX_KEYS");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "-1")))
                .hasMessageStartingWith("SENTINEL_RL_IDLE_SECONDS='-1' is invalid: idleTimeout must be 0s to 1d (not a duration");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "2d")))
                .hasMessage("SENTINEL_RL_IDLE_SECONDS='2d' is invalid: idleTimeout must be 0s to 1d");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_GLOBAL_RATE", "1000000001")))
                .hasMessageContaining("SENTINEL_RL_GLOBAL_RATE");
    }

    @Test
    void fromEnvironment_misspeltKey_refused() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_GLOBL_RATE", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SENTINEL_RL_GLOBL_RATE").hasMessageContaining("SENTINEL_RL_GLOBAL_RATE");
    }

    @Test
    void builder_validatesEagerlyNamingTheParameter() {
        RateLimitConfig.Builder b = RateLimitConfig.builder();
        assertThatThrownBy(() -> b.rate(RateLimitTier.CONNECT, 0)).hasMessage("rate(CONNECT) must be 1 to 1000000000, was 0");
        assertThatThrownBy(() -> b.burst(RateLimitTier.SUBSCRIBE, -1))
                .hasMessage("burst(SUBSCRIBE) must be 1 to 1000000000, was -1");
        assertThatThrownBy(() -> b.maxKeysPerTier(0)).hasMessage("maxKeysPerTier must be 1 to 134217728, was 0");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofDays(2))).hasMessage("idleTimeout must be 0s to 1d, was 2d");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1))).hasMessageStartingWith("idleTimeout must be 0s to 1d");
        assertThatThrownBy(() -> b.ipv6PrefixLength(0)).hasMessage("ipv6PrefixLength must be 1 to 64, was 0");
        assertThatThrownBy(() -> GlobalTier.local(0, 1, Ticker.system())).hasMessage("ratePerSecond must be 1 to 1000000000, was 0");
    }

    @Test
    void builder_buildCopies() {
        RateLimitConfig.Builder b = RateLimitConfig.builder().limit(RateLimitTier.IP, 7, 8);
        RateLimitConfig first = b.build();
        b.rate(RateLimitTier.IP, 9);
        assertThat(first.rate(RateLimitTier.IP)).isEqualTo(7);
        assertThat(first.toBuilder().build()).isEqualTo(first);
        assertThat(first.toString()).contains("ip=7/s burst 8");
    }

    @Test
    void settings_eachHasAUniqueSentinelKeyAndADocLine() {
        Set<String> keys = new HashSet<>();
        for (Setting<RateLimitConfig.Builder> s : RateLimitConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_RL_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
            assertThat(s.defaultValue()).as(s.key()).isNotBlank();
        }
        assertThat(keys).hasSize(15).contains("SENTINEL_RL_GLOBAL_RATE", "SENTINEL_RL_CLIENT_BURST",
                RateLimitConfig.ENV_MAX_KEYS, RateLimitConfig.ENV_IDLE_SECONDS, RateLimitConfig.ENV_IPV6_PREFIX);
    }

    @Test
    void settings_eachDefault_readBack_isTheDefaultConfiguration() {
        for (Setting<RateLimitConfig.Builder> s : RateLimitConfig.settings()) {
            RateLimitConfig read = SettingsReader.apply(RateLimitConfig.settings(), Map.of(s.key(), s.defaultValue()),
                    RateLimitConfig.builder()).build();
            assertThat(read).as(s.key() + "=" + s.defaultValue()).isEqualTo(RateLimitConfig.ofDefaults());
        }
    }

    @Test
    void settings_refuseOneBadValuePerType_inTheOneFormat() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_MAX_KEYS", "lots")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_RL_MAX_KEYS='lots' is invalid: maxKeysPerTier must be 1 to 134217728 (not a whole number)");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_CONNECT_BURST", "1000000001")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_RL_CONNECT_BURST='1000000001' is invalid: burst(CONNECT) must be 1 to 1000000000");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "soon")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_RL_IDLE_SECONDS='soon' is invalid: idleTimeout must be 0s to 1d (not a duration "
                        + "(write e.g. 250ms, 30s, 5m, 72h, 7d or PT30S))");
    }

    @Test
    void fromEnvironment_idleTimeout_acceptsTheOneDurationGrammar() {
        assertThat(RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "90")).idleTimeout())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "5m")).idleTimeout())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void builder_buildTwice_givesIndependentConfigurations_andToBuilderRoundTrips() {
        RateLimitConfig.Builder b = RateLimitConfig.builder().limit(RateLimitTier.CLIENT, 3, 4).maxKeysPerTier(10)
                .idleTimeout(Duration.ofSeconds(5)).ipv6PrefixLength(48);
        RateLimitConfig first = b.build();
        b.limit(RateLimitTier.CLIENT, 30, 40).ipv6PrefixLength(56);
        RateLimitConfig second = b.build();
        assertThat(first.rate(RateLimitTier.CLIENT)).isEqualTo(3);
        assertThat(first.burst(RateLimitTier.CLIENT)).isEqualTo(4);
        assertThat(first.ipv6PrefixLength()).isEqualTo(48);
        assertThat(second.rate(RateLimitTier.CLIENT)).isEqualTo(30);
        assertThat(first.toBuilder().build()).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(second.toBuilder().build()).isEqualTo(second).isNotEqualTo(first);
        assertThat(RateLimitConfig.ofDefaults().toBuilder().build()).isEqualTo(RateLimitConfig.ofDefaults());
    }
}
