package io.mqttsentinel.bench.fullpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.testkit.Services;

/**
 * The full-path scenario, tiny: 2 devices, 200 messages through proxy, broker, bridge and a real Mosquitto origin,
 * then straight at that Mosquitto. Checks that the scenario counts correctly (every message acknowledged and
 * delivered, none lost); it measures no speed. Then the same path through an origin outage. Skipped with a visible
 * reason without a {@code mosquitto} binary.
 */
class FullPathLoadTest {

    @Test
    void tinyLoad_everyAcknowledgedMessageReachesTheOrigin_onBothPaths() throws Exception {
        Services.assumeBinary("mosquitto");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadOptions o = LoadOptions.parse("--devices", "2", "--rate", "100", "--seconds", "2", "--warmup", "0", "--drain", "30");

        List<ScenarioResult> results = FullPathLoad.run(o, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(results).extracting(ScenarioResult::scenario).as(output).containsExactly("full path", "mosquitto direct");
        for (ScenarioResult r : results) {
            assertThat(r.counts().sent()).as(output).isEqualTo(200);
            assertThat(r.counts().acked()).as(output).isEqualTo(200);
            assertThat(r.counts().lost()).as(output).isZero();
            assertThat(r.counts().delivered()).as(output).isEqualTo(200);
            assertThat(r.counts().latencyMicros().getTotalCount()).as(output).isEqualTo(200);
        }
        assertThat(output).contains("| full path | 100 |").contains("| mosquitto direct | 100 |");
    }

    /**
     * The origin outage, CI-sized: 4 devices, 200 msg/s for 10 s, the origin Mosquitto stopped 2 s in for 5 s. The
     * bridge's window on the core (20) and the broker's queue per session (10) are made small, so that the backlog of
     * the outage (about 1,000 messages) is read back from the broker's log, as a 60 s outage at 5,000 msg/s is with
     * the defaults, instead of fitting in the windows.
     */
    @Test
    void originOutage_everyAcknowledgedMessageArrivesAfterwards_thoseOfTheOutageIncluded() throws Exception {
        Services.assumeBinary("mosquitto");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadOptions o = LoadOptions.parse("--devices", "4", "--rate", "200", "--seconds", "10", "--warmup", "0",
                "--drain", "30", "--origin-outage-at", "2", "--origin-outage-for", "5",
                "--set", "SENTINEL_BROKER_MAX_QUEUED=10", "--set", "SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT=sentinel-bridge=20");

        List<ScenarioResult> results = FullPathLoad.run(o, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(results).as(output).singleElement().satisfies(r -> {
            assertThat(r.drainEnded()).as(output).isEqualTo("complete");
            assertThat(r.counts().acked()).as(output).isEqualTo(2000);
            assertThat(r.counts().lost()).as(output).isZero();
            assertThat(r.counts().delivered()).as(output).isEqualTo(2000);
            OutageReport outage = r.outage();
            assertThat(outage.saved()).as(output).isTrue();
            assertThat(outage.refused()).as(output).isTrue();
            assertThat(outage.downFor()).as(output).isGreaterThanOrEqualTo(5.0);
            // published while the origin was down, acknowledged by Sentinel, and all of them at the origin now
            assertThat(outage.ackedInOutage()).as(output).isGreaterThan(800);
            assertThat(outage.deliveredInOutage()).as(output).isEqualTo(outage.ackedInOutage());
            assertThat(outage.backlogAtBack()).as(output).isGreaterThan(800);
            assertThat(outage.backlogDrained()).as(output).isNotNaN();
            assertThat(outage.catchUpDelivered()).as(output).isPositive();
        });
        assertThat(output).contains("| origin down at s |");
    }

    @Test
    void outageOptions_needTheFullPathAloneAndAStartInsideTheMeasuredPhase() {
        assertThat(LoadOptions.parse("--seconds", "90", "--origin-outage-at", "10", "--origin-outage-for", "60").target())
                .isEqualTo("sentinel");
        assertThat(LoadOptions.parse("--seconds", "5").outage()).isFalse();
        assertThatThrownBy(() -> LoadOptions.parse("--target", "both", "--origin-outage-for", "5"))
                .hasMessageContaining("needs --target sentinel");
        assertThatThrownBy(() -> LoadOptions.parse("--seconds", "10", "--origin-outage-at", "10", "--origin-outage-for", "5"))
                .hasMessageContaining("--origin-outage-at must be between 0 and 9");
        assertThatThrownBy(() -> LoadOptions.parse("--origin-outage-at", "3"))
                .hasMessageContaining("needs --origin-outage-for");
    }

    @Test
    void settingsFor_raisesOnlyWhatTheLoadExceeds() {
        assertThat(SentinelStack.settingsFor(LoadOptions.parse("--devices", "2", "--rate", "50"))).isEmpty();

        // 10,000 msg/s from one source over 500 devices (20 msg/s each): the per-source tiers and the bandwidth
        assertThat(SentinelStack.settingsFor(LoadOptions.parse("--devices", "500", "--rate", "10000")))
                .containsEntry("SENTINEL_RL_GLOBAL_RATE", "12500")
                .containsEntry("SENTINEL_RL_GLOBAL_BURST", "25000")
                .containsEntry("SENTINEL_RL_IP_RATE", "12500")
                .containsEntry("SENTINEL_RL_IP_BURST", "25000")
                .containsKey("SENTINEL_PROXY_BANDWIDTH_PER_IP")
                .doesNotContainKeys("SENTINEL_RL_PUBLISH_RATE", "SENTINEL_RL_CLIENT_RATE", "SENTINEL_INSPECT_RATE_LIMIT",
                        "SENTINEL_RL_CONNECT_RATE");

        // 100 msg/s per device: the per-client tiers and the inspector's per-client rate anomaly too
        assertThat(SentinelStack.settingsFor(LoadOptions.parse("--devices", "50", "--rate", "5000")))
                .containsEntry("SENTINEL_RL_PUBLISH_RATE", "126")
                .containsEntry("SENTINEL_RL_CLIENT_RATE", "126")
                .containsEntry("SENTINEL_INSPECT_RATE_LIMIT", "126")
                .doesNotContainKey("SENTINEL_RL_CLIENT_BURST");
    }

    @Test
    void payload_roundTrips() {
        TelemetryPayload p = new TelemetryPayload("run-0000abcd", 7, 42, 1_764_000_000_000_000L);

        assertThat(TelemetryPayload.decode(p.encode())).isEqualTo(p);
        assertThat(TelemetryPayload.decode("{\"temp\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
