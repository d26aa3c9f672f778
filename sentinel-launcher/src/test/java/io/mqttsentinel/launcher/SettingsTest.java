package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.store.StoreConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

    /** Every environment key an engine declares as a constant, so that a new engine key cannot go undocumented. */
    private static List<String> declaredKeys() throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Class<?> c : List.of(BridgeConfig.class, BrokerConfig.class, StoreConfig.class, InspectorConfig.class,
                RateLimitConfig.class, io.mqttsentinel.ratelimit.redis.RedisGlobalTier.class)) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    String v = (String) f.get(null);
                    if (v.startsWith("SENTINEL_") && !v.endsWith("_")) {
                        keys.add(v);
                    }
                }
            }
        }
        return keys;
    }

    @Test
    void catalogue_listsEveryKeyTheEnginesDeclare() throws IllegalAccessException {
        List<String> missing = declaredKeys().stream().filter(k -> Settings.find(k).isEmpty()).toList();

        assertThat(missing).as("keys the engines read but the launcher does not document").isEmpty();
    }

    @Test
    void configurationReference_documentsEveryCataloguedKey() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(Settings.all()).allSatisfy(s -> assertThat(doc).as(s.key()).contains("`" + s.key() + "`"));
    }

    @Test
    void isSecret_coversPasswordsByName() {
        assertThat(Settings.isSecret("SENTINEL_BRIDGE_ORIGIN_PASSWORD")).isTrue();
        assertThat(Settings.isSecret("SENTINEL_RL_REDIS_PASSWORD")).isTrue();
        assertThat(Settings.isSecret("SENTINEL_SOMETHING_TOKEN")).isTrue();
        assertThat(Settings.isSecret("SENTINEL_PROXY_TLS_PORT")).isFalse();
    }
}
