package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

    @Test
    void fromEnvironment_empty_givesDefaults() {
        StoreConfig c = StoreConfig.fromEnvironment(Map.of());
        assertThat(c.retention()).isEqualTo(Duration.ofHours(72));
        assertThat(c.maxTotalBytes()).isEqualTo(StoreConfig.UNLIMITED);
        assertThat(c.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.segmentBytes()).isEqualTo(128 << 20);
        assertThat(c.toString()).contains("unlimited", "ALWAYS");
    }

    @Test
    void retention_acceptsShortAndIsoForms() {
        assertThat(retention("72h")).isEqualTo(Duration.ofHours(72));
        assertThat(retention("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(retention("3d")).isEqualTo(Duration.ofDays(3));
        assertThat(retention("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(retention("PT72H")).isEqualTo(Duration.ofHours(72));
        assertThat(retention("p2d")).isEqualTo(Duration.ofDays(2));
        assertThat(retention(" 12H ")).isEqualTo(Duration.ofHours(12));
    }

    private static Duration retention(String v) {
        return StoreConfig.fromEnvironment(Map.of(StoreConfig.RETENTION, v)).retention();
    }

    @Test
    void retention_invalid_errorNamesKeyValueAndForms() {
        assertThatThrownBy(() -> retention("72x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SENTINEL_STORE_RETENTION='72x'").hasMessageContaining("72h");
        assertThatThrownBy(() -> retention("10s"))
                .hasMessage("SENTINEL_STORE_RETENTION='10s' is invalid: retention must be 1m to 3650d");
    }

    @Test
    void maxBytes_acceptsSuffixesAndUnlimited() {
        assertThat(maxBytes("1048576")).isEqualTo(1L << 20);
        assertThat(maxBytes("512m")).isEqualTo(512L << 20);
        assertThat(maxBytes("20GiB")).isEqualTo(20L << 30);
        assertThat(maxBytes("2t")).isEqualTo(2L << 40);
        assertThat(maxBytes("unlimited")).isEqualTo(StoreConfig.UNLIMITED);
    }

    @Test
    void maxBytes_invalid_errorNamesKey() {
        assertThatThrownBy(() -> maxBytes("lots")).hasMessageContaining("SENTINEL_STORE_MAX_BYTES='lots'");
        assertThatThrownBy(() -> maxBytes("1000")).hasMessage("SENTINEL_STORE_MAX_BYTES='1000' is invalid: "
                + "maxTotalBytes must be 1m or more, or unlimited (bytes, or k, m, g, t units)");
        assertThatThrownBy(() -> maxBytes("99999999999999t")).hasMessageContaining("too large");
    }

    private static long maxBytes(String v) {
        return StoreConfig.fromEnvironment(Map.of(StoreConfig.MAX_BYTES, v)).maxTotalBytes();
    }

    @Test
    void fsync_policiesAndInterval() {
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC, "OS")).fsyncPolicy()).isEqualTo(FsyncPolicy.OS);
        FsyncPolicy p = StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC, "interval",
                StoreConfig.FSYNC_INTERVAL_MS, "250")).fsyncPolicy();
        assertThat(p.kind()).isEqualTo(FsyncPolicy.Kind.INTERVAL);
        assertThat(p.interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC, "interval")).fsyncPolicy().interval())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fsync_invalid_errorNamesKey() {
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC, "sometimes")))
                .hasMessage("SENTINEL_STORE_FSYNC='sometimes' is invalid: fsync must be one of always, interval, os");
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC_INTERVAL_MS, "0")))
                .hasMessage("SENTINEL_STORE_FSYNC_INTERVAL_MS='0' is invalid: fsyncInterval must be 1ms to 1m");
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC_INTERVAL_MS, "ten")))
                .hasMessageContaining("SENTINEL_STORE_FSYNC_INTERVAL_MS='ten'");
    }

    @Test
    void segmentBytes_rangeChecked() {
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.SEGMENT_BYTES, "64m")).segmentBytes()).isEqualTo(64 << 20);
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.SEGMENT_BYTES, "2g")))
                .hasMessage("SENTINEL_STORE_SEGMENT_BYTES='2g' is invalid: segmentBytes must be 1k to 1g bytes");
    }

    @Test
    void builder_invalidValues_namedWithRange() {
        SegmentedFileLog.Builder b = SegmentedFileLog.builder(Path.of("unused"));
        assertThatThrownBy(() -> b.retention(Duration.ofSeconds(5))).hasMessageContaining("retention");
        assertThatThrownBy(() -> b.maxTotalBytes(10)).hasMessageContaining("maxTotalBytes").hasMessageContaining("10");
        assertThatThrownBy(() -> b.segmentBytes(10)).hasMessage("segmentBytes must be 1k to 1g bytes, was 10");
        assertThatThrownBy(() -> b.maxPendingAppends(0)).hasMessageContaining("maxPendingAppends");
        assertThatThrownBy(() -> b.maxRecordBytes(1)).hasMessageContaining("maxRecordBytes");
        assertThatThrownBy(() -> FsyncPolicy.interval(Duration.ofMinutes(5))).hasMessageContaining("interval must be between");
    }

    @Test
    void settings_haveUniqueKeys_aDocLine_andEveryDefaultThroughTheReaderIsOfDefaults() throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Setting<StoreConfig.Builder> s : StoreConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_STORE_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
            assertThat(s.defaultValue()).as(s.key()).isNotEmpty();
            assertThat(SettingsReader.apply(List.of(s), Map.of(s.key(), s.defaultValue()), StoreConfig.builder()).build())
                    .as(s.key() + "=" + s.defaultValue()).isEqualTo(StoreConfig.ofDefaults());
        }
        Set<String> constants = new HashSet<>();
        for (java.lang.reflect.Field f : StoreConfig.class.getFields()) {
            if (f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(keys).isEqualTo(constants);
        assertThat(StoreConfig.settings().get(0).defaultValue()).isEqualTo("72h");
    }

    @Test
    void aRefusalPerType_namesKeyValueParameterAndRange() {
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.RETENTION, "soon")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_STORE_RETENTION='soon' is invalid: retention must be 1m to 3650d "
                        + "(not a duration (write e.g. 250ms, 30s, 5m, 72h, 7d or PT30S))");
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.SEGMENT_BYTES, "1.5m")))
                .hasMessage("SENTINEL_STORE_SEGMENT_BYTES='1.5m' is invalid: segmentBytes must be 1k to 1g bytes "
                        + "(not a size (write bytes or e.g. 64k, 512m, 20GiB))");
        assertThatThrownBy(() -> StoreConfig.builder().retention(Duration.ofDays(3651)))
                .hasMessage("retention must be 1m to 3650d, was 3651d");
        assertThatThrownBy(() -> StoreConfig.builder().maxTotalBytes(1))
                .hasMessage("maxTotalBytes must be 1m or more, or unlimited, was 1");
        assertThatThrownBy(() -> StoreConfig.builder().fsyncInterval(Duration.ofMinutes(2)))
                .hasMessage("fsyncInterval must be 1ms to 1m, was 2m");
    }

    @Test
    void grammar_isTheCommonOne() {
        assertThat(retention("7200")).as("a bare number is seconds").isEqualTo(Duration.ofHours(2));
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC, "interval", StoreConfig.FSYNC_INTERVAL_MS, "2s"))
                .fsyncPolicy().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.MAX_BYTES, " Unlimited ")).maxTotalBytes())
                .isEqualTo(StoreConfig.UNLIMITED);
    }

    @Test
    void toBuilder_roundTrips() {
        StoreConfig c = StoreConfig.fromEnvironment(Map.of(StoreConfig.RETENTION, "1d", StoreConfig.MAX_BYTES, "2g",
                StoreConfig.FSYNC, "interval", StoreConfig.FSYNC_INTERVAL_MS, "250", StoreConfig.SEGMENT_BYTES, "64m"));
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c).isNotSameAs(c).isNotEqualTo(StoreConfig.ofDefaults());
        assertThat(c.toBuilder().fsync(FsyncPolicy.Kind.OS).build().fsyncPolicy()).isEqualTo(FsyncPolicy.OS);
        assertThat(StoreConfig.ofDefaults().toBuilder().build()).isEqualTo(StoreConfig.ofDefaults());
    }

    @Test
    void twoBuildsFromOneBuilder_areIndependent() {
        StoreConfig.Builder b = StoreConfig.builder().retention(Duration.ofHours(1));
        StoreConfig first = b.build();
        b.retention(Duration.ofHours(2)).fsyncPolicy(FsyncPolicy.interval(Duration.ofMillis(10))).segmentBytes(1 << 20);
        StoreConfig second = b.build();
        assertThat(first.retention()).isEqualTo(Duration.ofHours(1));
        assertThat(first.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(first.segmentBytes()).isEqualTo(StoreConfig.DEFAULT_SEGMENT_BYTES);
        assertThat(second.retention()).isEqualTo(Duration.ofHours(2));
        assertThat(second.fsyncPolicy().interval()).isEqualTo(Duration.ofMillis(10));
    }
}
