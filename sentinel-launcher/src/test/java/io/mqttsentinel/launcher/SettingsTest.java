package io.mqttsentinel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.bridge.BridgeConfig;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.store.StoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    private static final String TABLES_START = "### Launcher: process, data directory, metrics, logs";


    /** Every environment key an engine declares as a constant, so that a new engine key cannot go undocumented. */
    private static List<String> declaredKeys() throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Class<?> c : List.of(BridgeConfig.class, BrokerConfig.class, StoreConfig.class, InspectorConfig.class,
                RateLimitConfig.class, io.mqttsentinel.ratelimit.redis.RedisGlobalTier.class,
                io.mqttsentinel.broker.QuarantineConfig.class, io.mqttsentinel.admin.AdminConfig.class)) {
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
        List<String> missing = declaredKeys().stream().filter(k -> Settings.CATALOGUE.find(k).isEmpty()).toList();

        assertThat(missing).as("keys the engines read but the launcher does not document").isEmpty();
    }

    @Test
    void configurationReference_documentsEveryCataloguedKey() throws IOException {
        String doc = Files.readString(REFERENCE);

        assertThat(Settings.CATALOGUE.all()).allSatisfy(s -> assertThat(doc).as(s.key()).contains("`" + s.key() + "`"));
    }

    /**
     * The reference's tables are what {@code ./sentinel config --reference} prints from the engines' own setting
     * descriptions, word for word. After changing a setting, regenerate them:
     * {@code ./mvnw -pl sentinel-launcher test -Dtest=SettingsTest -Dsentinel.updateDocs=true}.
     */
    @Test
    void configurationReference_tablesAreGeneratedFromTheDescriptions() throws IOException {
        StringWriter generated = new StringWriter();
        try (PrintWriter out = new PrintWriter(generated)) {
            out.print(Settings.CATALOGUE.markdownReference());
        }
        String doc = Files.readString(REFERENCE);
        int from = doc.indexOf(TABLES_START);
        assertThat(from).as("docs/configuration.md has the section starting " + TABLES_START).isPositive();
        int to = doc.indexOf("\n## ", from);
        to = to < 0 ? doc.length() : to + 1;
        String tables = generated.toString().strip() + "\n";
        if (Boolean.getBoolean("sentinel.updateDocs")) {
            Files.writeString(REFERENCE, doc.substring(0, from) + tables + (to < doc.length() ? "\n" : "") + doc.substring(to));
            doc = Files.readString(REFERENCE);
            to = doc.indexOf("\n## ", from);
            to = to < 0 ? doc.length() : to + 1;
        }

        assertThat(doc.substring(from, to).strip()).as("docs/configuration.md tables (regenerate: -Dsentinel.updateDocs=true)")
                .isEqualTo(tables.strip());
    }

    @Test
    void catalogue_shutdownDefaults_areTheOnesTheLauncherUses() {
        LauncherConfig unset = LauncherConfig.of(java.util.Map.of());
        LauncherConfig documented = LauncherConfig.of(java.util.Map.of(
                "SENTINEL_SHUTDOWN_DELAY", Settings.CATALOGUE.find("SENTINEL_SHUTDOWN_DELAY").orElseThrow().defaultValue(),
                "SENTINEL_SHUTDOWN_GRACE", Settings.CATALOGUE.find("SENTINEL_SHUTDOWN_GRACE").orElseThrow().defaultValue()));

        assertThat(documented.shutdownDelay()).isEqualTo(unset.shutdownDelay()).isZero();
        assertThat(documented.shutdownGrace()).isEqualTo(unset.shutdownGrace()).isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void isSecret_coversPasswordsByName() {
        assertThat(Settings.CATALOGUE.isSecret("SENTINEL_BRIDGE_ORIGIN_PASSWORD")).isTrue();
        assertThat(Settings.CATALOGUE.isSecret("SENTINEL_RL_REDIS_PASSWORD")).isTrue();
        assertThat(Settings.CATALOGUE.isSecret("SENTINEL_SOMETHING_TOKEN")).isTrue();
        assertThat(Settings.CATALOGUE.isSecret("SENTINEL_PROXY_TLS_PORT")).isFalse();
    }
}
