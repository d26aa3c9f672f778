package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.testkit.TestCertificates;

/** {@link InProcessCore}: the bridge's settings default to the core of its own process, the operator's keys win. */
class InProcessCoreTest {
    private static final String ORIGIN = "wss://origin.example.com/mqtt";

    @TempDir
    Path dir;

    @Test
    void theCore_defaultsToTheLoopbackPort_unlessTheSettingsNameOne() {
        assertThat(InProcessCore.at(21884).bridgeConfig(Map.of(BridgeConfig.ORIGIN_URL, ORIGIN)).cores())
                .containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 21884));
        assertThat(InProcessCore.at(21884).under(Map.of(BridgeConfig.CORE, "core-1:1884,core-2:1884")))
                .containsEntry(BridgeConfig.CORE, "core-1:1884,core-2:1884");
    }

    @Test
    void withoutGeneratedTls_theCoreTlsKeysAreLeftAsTheyAre() {
        Map<String, String> env = InProcessCore.at(1884).under(Map.of(BridgeConfig.CORE_CA, "/etc/sentinel/ca.pem"));
        assertThat(env).doesNotContainKeys(BridgeConfig.CORE_TLS_CERT, BridgeConfig.CORE_TLS_KEY)
                .containsEntry(BridgeConfig.CORE_CA, "/etc/sentinel/ca.pem");
    }

    @Test
    void generatedTls_isTheBridgesUnlessItsCertificateIsSet_andThenTheThreeFilesGoTogether() {
        InProcessCore core = InProcessCore.at(1884).withTls(Path.of("b.pem"), Path.of("b.key"), Path.of("ca.pem"));
        assertThat(core.under(Map.of(BridgeConfig.CORE_CA, "other-ca.pem"))).containsEntry(BridgeConfig.CORE_TLS_CERT, "b.pem")
                .containsEntry(BridgeConfig.CORE_TLS_KEY, "b.key").containsEntry(BridgeConfig.CORE_CA, "ca.pem");
        Map<String, String> own = core.under(Map.of(BridgeConfig.CORE_TLS_CERT, "mine.pem"));
        assertThat(own).containsEntry(BridgeConfig.CORE_TLS_CERT, "mine.pem")
                .doesNotContainKeys(BridgeConfig.CORE_TLS_KEY, BridgeConfig.CORE_CA);
    }

    @Test
    void bridgeConfig_readsTheGeneratedFiles() {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Issued client = certs.client("bridge", "sentinel-bridge");
        BridgeConfig config = InProcessCore.at(1884).withTls(client.certFile(), client.keyFile(), certs.caFile())
                .bridgeConfig(Map.of(BridgeConfig.ORIGIN_URL, ORIGIN));
        assertThat(config.coreTlsCert()).contains(client.certFile());
        assertThat(config.coreTlsKey()).contains(client.keyFile());
        assertThat(config.coreCa()).contains(certs.caFile());
    }

    @Test
    void aPortOutOfRange_isRefused() {
        assertThatThrownBy(() -> InProcessCore.at(0)).hasMessage("port must be 1 to 65535, was 0");
        assertThatThrownBy(() -> InProcessCore.at(1884).bridgeConfig(Map.of()))
                .hasMessageContaining(BridgeConfig.ORIGIN_URL + " is required");
    }
}
