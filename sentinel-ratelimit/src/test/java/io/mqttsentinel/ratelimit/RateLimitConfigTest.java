package io.mqttsentinel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsentinel.api.RateLimitTier;
import java.time.Duration;
import java.util.Map;
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
                .hasMessageContaining("SENTINEL_RL_IP_RATE").hasMessageContaining("-5")
                .hasMessageContaining("1..1000000000");
    }

    @Test
    void fromEnvironment_zeroBurst_refusedNamingTheKey() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_PUBLISH_BURST", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SENTINEL_RL_PUBLISH_BURST").hasMessageContaining("1..1000000000");
    }

    @Test
    void fromEnvironment_nonNumeric_refusedNamingTheKey() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_GLOBAL_RATE", "10k")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SENTINEL_RL_GLOBAL_RATE").hasMessageContaining("'10k'")
                .hasMessageContaining("not an integer");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_CLIENT_BURST", "1.5")))
                .hasMessageContaining("SENTINEL_RL_CLIENT_BURST");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_CLIENT_BURST", "")))
                .hasMessageContaining("SENTINEL_RL_CLIENT_BURST");
    }

    @Test
    void fromEnvironment_outOfRangeOtherKeys_refused() {
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IPV6_PREFIX", "65")))
                .hasMessageContaining("SENTINEL_RL_IPV6_PREFIX").hasMessageContaining("1..64");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_MAX_KEYS", "0")))
                .hasMessageContaining("SENTINEL_RL_MAX_KEYS");
        assertThatThrownBy(() -> RateLimitConfig.fromEnvironment(Map.of("SENTINEL_RL_IDLE_SECONDS", "-1")))
                .hasMessageContaining("SENTINEL_RL_IDLE_SECONDS");
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
        assertThatThrownBy(() -> b.rate(RateLimitTier.CONNECT, 0)).hasMessageContaining("rate of tier CONNECT")
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> b.burst(RateLimitTier.SUBSCRIBE, -1)).hasMessageContaining("burst of tier SUBSCRIBE");
        assertThatThrownBy(() -> b.maxKeysPerTier(0)).hasMessageContaining("maxKeysPerTier");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1))).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> b.ipv6PrefixLength(0)).hasMessageContaining("ipv6PrefixLength");
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
}
