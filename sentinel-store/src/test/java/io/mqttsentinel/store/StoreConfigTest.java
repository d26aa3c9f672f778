package io.mqttsentinel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
        assertThatThrownBy(() -> retention("10s")).hasMessageContaining("SENTINEL_STORE_RETENTION")
                .hasMessageContaining("between 1 minute and 3650 days");
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
        assertThatThrownBy(() -> maxBytes("1000")).hasMessageContaining("SENTINEL_STORE_MAX_BYTES")
                .hasMessageContaining("at least 1048576");
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
                .hasMessageContaining("SENTINEL_STORE_FSYNC='sometimes'").hasMessageContaining("always, interval or os");
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC_INTERVAL_MS, "0")))
                .hasMessageContaining("SENTINEL_STORE_FSYNC_INTERVAL_MS='0'").hasMessageContaining("between 1 and 60000");
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.FSYNC_INTERVAL_MS, "ten")))
                .hasMessageContaining("SENTINEL_STORE_FSYNC_INTERVAL_MS='ten'");
    }

    @Test
    void segmentBytes_rangeChecked() {
        assertThat(StoreConfig.fromEnvironment(Map.of(StoreConfig.SEGMENT_BYTES, "64m")).segmentBytes()).isEqualTo(64 << 20);
        assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of(StoreConfig.SEGMENT_BYTES, "2g")))
                .hasMessageContaining("SENTINEL_STORE_SEGMENT_BYTES='2g'").hasMessageContaining("between 1024 and 1073741824");
    }

    @Test
    void builder_invalidValues_namedWithRange() {
        SegmentedFileLog.Builder b = SegmentedFileLog.builder(Path.of("unused"));
        assertThatThrownBy(() -> b.retention(Duration.ofSeconds(5))).hasMessageContaining("retention");
        assertThatThrownBy(() -> b.maxTotalBytes(10)).hasMessageContaining("maxTotalBytes").hasMessageContaining("10");
        assertThatThrownBy(() -> b.segmentBytes(10)).hasMessageContaining("segmentBytes must be between");
        assertThatThrownBy(() -> b.maxPendingAppends(0)).hasMessageContaining("maxPendingAppends");
        assertThatThrownBy(() -> b.maxRecordBytes(1)).hasMessageContaining("maxRecordBytes");
        assertThatThrownBy(() -> FsyncPolicy.interval(Duration.ofMinutes(5))).hasMessageContaining("interval must be between");
    }
}
