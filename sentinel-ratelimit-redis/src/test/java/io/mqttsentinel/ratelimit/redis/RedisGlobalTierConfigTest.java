package io.mqttsentinel.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Redis tier's settings; nothing here needs a Redis server. */
class RedisGlobalTierConfigTest {

    @Test
    void settings_eachHasAUniqueSentinelKeyAndADocLine() {
        Set<String> keys = new HashSet<>();
        for (Setting<RedisGlobalTierConfig.Builder> s : RedisGlobalTierConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_RL_REDIS_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
        }
        assertThat(keys).containsExactlyInAnyOrder(RedisGlobalTier.ENV_URI, RedisGlobalTier.ENV_FLEET_SIZE,
                RedisGlobalTier.ENV_KEY_PREFIX, RedisGlobalTier.ENV_LEASE_SIZE, RedisGlobalTier.ENV_TIMEOUT_MS);
    }

    @Test
    void settings_eachDefault_readBack_isTheDefaultConfiguration() {
        for (Setting<RedisGlobalTierConfig.Builder> s : RedisGlobalTierConfig.settings()) {
            if (s.key().equals(RedisGlobalTier.ENV_LEASE_SIZE)) {
                assertThat(s.defaultValue()).as("descriptive: depends on the GLOBAL rate").contains("10 ms");
                continue;
            }
            RedisGlobalTierConfig read = SettingsReader.apply(RedisGlobalTierConfig.settings(),
                    Map.of(s.key(), s.defaultValue()), RedisGlobalTierConfig.builder()).build();
            assertThat(read).as(s.key() + "=" + s.defaultValue()).isEqualTo(RedisGlobalTierConfig.ofDefaults());
        }
        assertThat(RedisGlobalTierConfig.fromEnvironment(Map.of())).isEqualTo(RedisGlobalTierConfig.ofDefaults());
    }

    @Test
    void fromEnvironment_readsEveryKey_andLeavesTheOtherRateLimitKeys() {
        RedisGlobalTierConfig c = RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_URI", "rediss://r:6380/2",
                "SENTINEL_RL_REDIS_FLEET_SIZE", "4", "SENTINEL_RL_REDIS_KEY_PREFIX", "fleet-a:",
                "SENTINEL_RL_REDIS_LEASE_SIZE", "7", "SENTINEL_RL_REDIS_TIMEOUT_MS", "300",
                "SENTINEL_RL_GLOBAL_RATE", "not read here"));
        assertThat(c.redisUri()).isEqualTo("rediss://r:6380/2");
        assertThat(c.fleetSize()).isEqualTo(4);
        assertThat(c.keyPrefix()).isEqualTo("fleet-a:");
        assertThat(c.leaseSize()).isEqualTo(7);
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_TIMEOUT_MS", "2s")).timeout())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void settings_refuseOneBadValuePerType_inTheOneFormat() {
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_FLEET_SIZE", "x")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_RL_REDIS_FLEET_SIZE='x' is invalid: fleetSize must be 1 to 10000 (not a whole number)");
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_FLEET_SIZE", "-2")))
                .hasMessage("SENTINEL_RL_REDIS_FLEET_SIZE='-2' is invalid: fleetSize must be 1 to 10000");
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_LEASE_SIZE", "0")))
                .hasMessage("SENTINEL_RL_REDIS_LEASE_SIZE='0' is invalid: leaseSize must be 1 to 1000000000");
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_TIMEOUT_MS", "1")))
                .hasMessage("SENTINEL_RL_REDIS_TIMEOUT_MS='1' is invalid: timeout must be 10ms to 10s");
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_URI", "http://x")))
                .hasMessage("SENTINEL_RL_REDIS_URI='http://x' is invalid: redisUri must be a Redis URI: "
                        + "redis://[:password@]host[:port][/db], or rediss:// for TLS");
        assertThatThrownBy(() -> RedisGlobalTierConfig.fromEnvironment(Map.of("SENTINEL_RL_REDIS_URL", "redis://x")))
                .hasMessageContaining("SENTINEL_RL_REDIS_URL").hasMessageContaining("SENTINEL_RL_REDIS_URI");
    }

    @Test
    void builder_validatesEagerly_andTheTierChecksTheLeaseAgainstTheBurst() {
        assertThatThrownBy(() -> RedisGlobalTierConfig.builder().fleetSize(0)).hasMessage("fleetSize must be 1 to 10000, was 0");
        assertThatThrownBy(() -> RedisGlobalTierConfig.builder().refreshInterval(Duration.ofSeconds(2)))
                .hasMessage("refreshInterval must be 1ms to 1s, was 2s");
        RedisGlobalTier.Builder tier = RedisGlobalTier.builder(RedisGlobalTierConfig.ofDefaults());
        assertThatThrownBy(() -> tier.limit(0, 1)).hasMessage("rate must be 1 to 10000000, was 0");
        assertThatThrownBy(() -> tier.limit(1, 0)).hasMessage("burst must be 1 to 1000000000, was 0");
        assertThatThrownBy(() -> RedisGlobalTier.builder(RedisGlobalTierConfig.builder().leaseSize(6).build()).limit(10, 5)
                .build())
                .hasMessage("leaseSize (SENTINEL_RL_REDIS_LEASE_SIZE) must be 1 to the GLOBAL burst (5), was 6");
    }

    @Test
    void builder_buildTwice_givesIndependentConfigurations_andToBuilderRoundTrips() {
        RedisGlobalTierConfig.Builder b = RedisGlobalTierConfig.builder().redisUri("redis://:hunter2@r:6379")
                .keyPrefix("a:").fleetSize(3).leaseSize(9).refreshInterval(Duration.ofMillis(20))
                .timeout(Duration.ofSeconds(1));
        RedisGlobalTierConfig first = b.build();
        b.fleetSize(5).keyPrefix("b:");
        RedisGlobalTierConfig second = b.build();
        assertThat(first.fleetSize()).isEqualTo(3);
        assertThat(first.keyPrefix()).isEqualTo("a:");
        assertThat(second.fleetSize()).isEqualTo(5);
        assertThat(first.toBuilder().build()).isEqualTo(first).hasSameHashCodeAs(first).isNotEqualTo(second);
        assertThat(RedisGlobalTierConfig.ofDefaults().toBuilder().build()).isEqualTo(RedisGlobalTierConfig.ofDefaults());
        assertThat(first.toString()).doesNotContain("hunter2").contains("redis://****@r:6379");
    }
}
