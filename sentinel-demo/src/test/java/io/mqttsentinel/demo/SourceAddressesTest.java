package io.mqttsentinel.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttsentinel.launcher.LauncherConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the simulated clients connect from, and what the demo raises when they must share one address. */
class SourceAddressesTest {

    @Test
    void single_everyoneOnLoopback_perAddressLimitsSizedForTheFleet_operatorSettingsWin() {
        SourceAddresses single = SourceAddresses.single();
        LauncherConfig config = LauncherConfig.of(Map.of("SENTINEL_RL_IP_RATE", "777"));

        LauncherConfig tuned = single.tune(config, 1000);

        assertThat(single.device(999).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(single.attacker(AttackKind.CONNECT_FLOOD).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(tuned.get("SENTINEL_RL_IP_RATE")).contains("777");
        assertThat(tuned.get("SENTINEL_RL_CONNECT_BURST")).contains("3500");
        assertThat(tuned.get("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP")).contains("2000");
    }

    @Test
    void probe_onThisSystem_spreadsTenDevicesPerAddress_andGivesEachAttackerItsOwn() {
        SourceAddresses sources = SourceAddresses.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(sources.spread(),
                "this system binds only 127.0.0.1 (macOS without aliases): the demo shares it");
        LauncherConfig config = LauncherConfig.of(Map.of());

        assertThat(sources.tune(config, 1000)).isSameAs(config);
        assertThat(sources.device(0).getHostAddress()).isEqualTo("127.1.0.1");
        assertThat(sources.device(9).getHostAddress()).isEqualTo("127.1.0.1");
        assertThat(sources.device(10).getHostAddress()).isEqualTo("127.1.0.2");
        assertThat(sources.device(2_500).getHostAddress()).isEqualTo("127.1.1.1");
        assertThat(sources.attacker(AttackKind.SQL_INJECTION).getHostAddress()).isEqualTo("127.2.0.1");
        assertThat(sources.attacker(AttackKind.MALFORMED).getHostAddress()).isEqualTo("127.2.0.11");
    }
}
