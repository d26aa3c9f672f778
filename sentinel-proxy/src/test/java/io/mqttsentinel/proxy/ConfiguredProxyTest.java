package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;

import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;

/** The launcher's path: a proxy configured from SENTINEL_* variables, with the embedded credentials file. */
class ConfiguredProxyTest {
    @TempDir
    Path dir;

    @Test
    void fromEnvironment_withCredentialsFile_allowsKnownDevicesOnly() throws Exception {
        TestCertificates ca = TestCertificates.create(dir);
        TestCertificates.Issued server = ca.server("server");
        Path devices = dir.resolve("devices.txt");
        CredentialsFile.at(devices).withIterations(1_000).add("sensor-1", "pw-1");
        try (MosquittoProcess broker = MosquittoProcess.start(dir)) {
            ProxyConfig config = ProxyConfig.fromEnvironment(Map.of(
                    "SENTINEL_PROXY_TLS_PORT", "0",
                    "SENTINEL_PROXY_BIND", "127.0.0.1",
                    "SENTINEL_PROXY_UPSTREAM", "127.0.0.1:" + broker.plainPort(),
                    "SENTINEL_TLS_CERT", server.certFile().toString(),
                    "SENTINEL_TLS_KEY", server.keyFile().toString(),
                    "SENTINEL_AUTH_FILE", devices.toString(),
                    "SENTINEL_PROXY_WORKER_THREADS", "2"));
            try (SentinelProxy proxy = SentinelProxy.builder(config).build().start()) {
                var builder = MqttClient.builder().useMqttVersion3().serverHost("127.0.0.1").serverPort(proxy.tlsPort())
                        .sslConfig().trustManagerFactory(ProxyHarness.trust(ca.caFile())).applySslConfig();
                assertThat(ProxyHarness.connack(builder.identifier("sensor-1").buildBlocking(), "sensor-1", "pw-1"))
                        .isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
                assertThat(ProxyHarness.connack(builder.identifier("sensor-1").buildBlocking(), "sensor-1", "wrong"))
                        .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
                assertThat(ProxyHarness.connack(builder.identifier("sensor-2").buildBlocking(), "sensor-2", "pw-1"))
                        .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
                // a device added while the proxy runs gets in without a restart
                CredentialsFile.at(devices).withIterations(1_000).add("sensor-2", "pw-2");
                long deadline = System.nanoTime() + 10_000_000_000L;
                Mqtt3ConnAckReturnCode code;
                do {
                    try {
                        code = ProxyHarness.connack(builder.identifier("sensor-2").buildBlocking(), "sensor-2", "pw-2");
                    } catch (RuntimeException refused) {
                        code = null; // e.g. over the handshake rate of this one source: not yet
                    }
                    if (code != Mqtt3ConnAckReturnCode.SUCCESS) {
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // polls the file watch, not a core
                    }
                } while (code != Mqtt3ConnAckReturnCode.SUCCESS && System.nanoTime() < deadline);
                assertThat(code).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            }
        }
    }
}
