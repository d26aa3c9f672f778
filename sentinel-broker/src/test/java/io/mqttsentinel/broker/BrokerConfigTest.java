package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.mqtt.MqttLimits;

class BrokerConfigTest {

    @TempDir
    Path dir;

    @Test
    void fromEnvironment_empty_givesDefaults() {
        BrokerConfig c = BrokerConfig.fromEnvironment(Map.of());
        assertThat(c).isEqualTo(BrokerConfig.ofDefaults());
        assertThat(c.port()).isEqualTo(1884);
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.limits()).isEqualTo(MqttLimits.ofDefaults());
        assertThat(c.limits().maxPacketSize()).isEqualTo(262_144);
        assertThat(c.maxQueuedPerSession()).isEqualTo(1000);
        assertThat(c.maxInflightPerSession()).isEqualTo(32);
        assertThat(c.ioThreads()).isZero();
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxInflightByClient()).isEmpty();
        assertThat(c.catchUpThreads()).isEqualTo(2);
        assertThat(c.snapshotInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(c.snapshotRecords()).isEqualTo(1_000_000);
        assertThat(c.nodeId()).isEmpty();
        assertThat(c.clustered()).isFalse();
        assertThat(c.mutualTls()).isFalse();
        assertThat(c.insecurePlain()).isFalse();
    }

    @Test
    void fromEnvironment_readsEveryKey() throws IOException {
        Path cert = pem("broker.crt.pem");
        Path key = pem("broker.key.pem");
        Path ca = pem("ca.pem");
        BrokerConfig c = BrokerConfig.fromEnvironment(Map.ofEntries(
                Map.entry("SENTINEL_BROKER_PORT", "2884"),
                Map.entry("SENTINEL_BROKER_BIND", "0.0.0.0"),
                Map.entry("SENTINEL_BROKER_MAX_PACKET", "1024"),
                Map.entry("SENTINEL_BROKER_MAX_CLIENT_ID", "64"),
                Map.entry("SENTINEL_BROKER_CONNECT_TIMEOUT_MS", "2500"),
                Map.entry("SENTINEL_BROKER_MAX_QUEUED", "50"),
                Map.entry("SENTINEL_BROKER_MAX_INFLIGHT", "8"),
                Map.entry("SENTINEL_BROKER_IO_THREADS", "4"),
                Map.entry("SENTINEL_BROKER_CHECKPOINT_MS", "250"),
                Map.entry("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "sentinel-bridge=1000, other=5,"),
                Map.entry("SENTINEL_BROKER_CATCHUP_THREADS", "3"),
                Map.entry("SENTINEL_BROKER_SNAPSHOT_MS", "60000"),
                Map.entry("SENTINEL_BROKER_SNAPSHOT_RECORDS", "5000"),
                Map.entry("SENTINEL_BROKER_NODE_ID", "core-1"),
                Map.entry("SENTINEL_BROKER_TLS_CERT", cert.toString()),
                Map.entry("SENTINEL_BROKER_TLS_KEY", key.toString()),
                Map.entry("SENTINEL_BROKER_CLIENT_CA", ca.toString()),
                Map.entry("SENTINEL_BROKER_INSECURE_PLAIN", "false"),
                Map.entry("PATH", "/usr/bin")));
        assertThat(c.port()).isEqualTo(2884);
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.limits().maxPacketSize()).isEqualTo(1024);
        assertThat(c.limits().maxClientIdLength()).isEqualTo(64);
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.limits().keepAliveFactor()).isEqualTo(MqttLimits.ofDefaults().keepAliveFactor());
        assertThat(c.maxQueuedPerSession()).isEqualTo(50);
        assertThat(c.maxInflightPerSession()).isEqualTo(8);
        assertThat(c.ioThreads()).isEqualTo(4);
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxInflightByClient()).containsExactlyInAnyOrderEntriesOf(Map.of("sentinel-bridge", 1000, "other", 5));
        assertThat(c.maxInflightFor("other")).isEqualTo(5);
        assertThat(c.maxInflightFor("device-1")).isEqualTo(8);
        assertThat(c.catchUpThreads()).isEqualTo(3);
        assertThat(c.snapshotInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.snapshotRecords()).isEqualTo(5000);
        assertThat(c.nodeId()).isEqualTo("core-1");
        assertThat(c.clustered()).isTrue();
        assertThat(c.mutualTls()).isTrue();
        assertThat(c.tlsCert()).isEqualTo(cert);
        assertThat(c.tlsKey()).isEqualTo(key);
        assertThat(c.clientCa()).isEqualTo(ca);
    }

    @Test
    void msKeys_takeBareMilliseconds_orAUnit() {
        BrokerConfig c = BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_CONNECT_TIMEOUT_MS", "5s",
                "SENTINEL_BROKER_CHECKPOINT_MS", "1500", "SENTINEL_BROKER_SNAPSHOT_MS", "2h"));
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.snapshotInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_PACKET", "64k")).limits().maxPacketSize())
                .isEqualTo(65_536);
    }

    @Test
    void blankValues_keepTheDefaults() {
        assertThat(BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_BIND", " ", "SENTINEL_BROKER_PORT", "")))
                .isEqualTo(BrokerConfig.ofDefaults());
    }

    @Test
    void settings_haveUniqueDocumentedKeys_andTheirDefaultsAreOfDefaults() {
        List<Setting<BrokerConfig.Builder>> settings = BrokerConfig.settings();

        assertThat(settings).extracting(Setting::key).doesNotHaveDuplicates()
                .allSatisfy(k -> assertThat(k).startsWith("SENTINEL_BROKER_"));
        assertThat(settings).extracting(Setting::parameter).doesNotHaveDuplicates();
        assertThat(settings).allSatisfy(s -> assertThat(s.doc()).as(s.key()).isNotBlank());
        assertThat(settings).allSatisfy(s -> assertThat(s.allowed()).as(s.key()).isNotBlank());
        for (Setting<BrokerConfig.Builder> s : settings) {
            if (!s.defaultValue().isEmpty()) {
                assertThat(SettingsReader.apply(settings, Map.of(s.key(), s.defaultValue()), BrokerConfig.builder()).build())
                        .as(s.key() + "=" + s.defaultValue()).isEqualTo(BrokerConfig.ofDefaults());
            }
        }
        assertThat(settings).filteredOn(s -> s.defaultValue().isEmpty()).extracting(Setting::key)
                .containsExactlyInAnyOrder("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "SENTINEL_BROKER_NODE_ID",
                        "SENTINEL_BROKER_TLS_CERT", "SENTINEL_BROKER_TLS_KEY", "SENTINEL_BROKER_CLIENT_CA");
        assertThat(settings).filteredOn(s -> s.key().endsWith("_MS")).extracting(Setting::type).containsOnly("duration");
    }

    @Test
    void everyKeyConstant_isASetting() throws IllegalAccessException {
        List<String> keys = settingsKeys();
        for (java.lang.reflect.Field f : BrokerConfig.class.getFields()) {
            if (f.getName().startsWith("ENV_")) {
                assertThat(keys).as(f.getName()).contains((String) f.get(null));
            }
        }
    }

    private static List<String> settingsKeys() {
        return BrokerConfig.settings().stream().map(Setting::key).toList();
    }

    @Test
    void fromEnvironment_refusals_nameKeyValueParameterAndRange() {
        // integer
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_PORT", "70000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_BROKER_PORT='70000' is invalid: port must be 0 to 65535");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_INFLIGHT", "lots")))
                .hasMessage("SENTINEL_BROKER_MAX_INFLIGHT='lots' is invalid: maxInflightPerSession must be 1 to 65535 "
                        + "(not a whole number)");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_QUEUED", "0")))
                .hasMessage("SENTINEL_BROKER_MAX_QUEUED='0' is invalid: maxQueuedPerSession must be 1 to 1000000");
        // long
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_SNAPSHOT_RECORDS", "999")))
                .hasMessage("SENTINEL_BROKER_SNAPSHOT_RECORDS='999' is invalid: snapshotRecords must be 1000 to 1000000000");
        // size
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_PACKET", "268435456")))
                .hasMessage("SENTINEL_BROKER_MAX_PACKET='268435456' is invalid: maxPacketSize must be 1 to 268435455 bytes");
        // duration
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_CHECKPOINT_MS", "5")))
                .hasMessage("SENTINEL_BROKER_CHECKPOINT_MS='5' is invalid: checkpointInterval must be 10ms to 1h");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_SNAPSHOT_MS", "soon")))
                .hasMessage("SENTINEL_BROKER_SNAPSHOT_MS='soon' is invalid: snapshotInterval must be 1s to 1d "
                        + "(not a duration (write e.g. 250ms, 30s, 5m, 72h, 7d or PT30S))");
        // boolean
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_INSECURE_PLAIN", "maybe")))
                .hasMessage("SENTINEL_BROKER_INSECURE_PLAIN='maybe' is invalid: insecurePlain must be true or false "
                        + "(not a boolean (write true or false))");
        // text
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_NODE_ID", "core 1")))
                .hasMessage("SENTINEL_BROKER_NODE_ID='core 1' is invalid: nodeId must be 1 to 64 characters of [A-Za-z0-9._-]");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "bridge=0")))
                .hasMessage("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT='bridge=0' is invalid: maxInflightByClient must be "
                        + "client-id=window pairs separated by commas, window 1 to 65535 "
                        + "(maxInflightByClient[bridge] must be 1 to 65535, was 0)");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT", "bridge")))
                .hasMessage("SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT='bridge' is invalid: maxInflightByClient must be "
                        + "client-id=window pairs separated by commas, window 1 to 65535 ('bridge' is not client-id=window)");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_TLS_CERT", missing.toString())))
                .hasMessage("SENTINEL_BROKER_TLS_CERT='" + missing + "' is invalid: tlsCert must be a readable PEM file");
    }

    @Test
    void tlsFiles_goTogether_andContradictTheInsecureOptIn() throws IOException {
        String cert = pem("c.pem").toString();
        String key = pem("k.pem").toString();
        String ca = pem("ca.pem").toString();
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_TLS_CERT", cert,
                "SENTINEL_BROKER_TLS_KEY", key)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_BROKER_TLS_CERT, SENTINEL_BROKER_TLS_KEY and SENTINEL_BROKER_CLIENT_CA (tlsCert, tlsKey, "
                        + "clientCa) must be set together; missing SENTINEL_BROKER_CLIENT_CA");
        assertThatThrownBy(() -> BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_TLS_CERT", cert,
                "SENTINEL_BROKER_TLS_KEY", key, "SENTINEL_BROKER_CLIENT_CA", ca, "SENTINEL_BROKER_INSECURE_PLAIN", "true")))
                .hasMessage("SENTINEL_BROKER_INSECURE_PLAIN=true (insecurePlain) contradicts SENTINEL_BROKER_TLS_CERT "
                        + "(tlsCert): unset one of them");
        assertThat(BrokerConfig.fromEnvironment(Map.of("SENTINEL_BROKER_INSECURE_PLAIN", "yes")).insecurePlain()).isTrue();
        assertThatThrownBy(() -> BrokerConfig.builder().tlsKey(Path.of(key)).build())
                .hasMessageContaining("missing SENTINEL_BROKER_TLS_CERT, SENTINEL_BROKER_CLIENT_CA");
    }

    @Test
    void builder_validatesEagerly_withTheSameWording() {
        assertThatThrownBy(() -> BrokerConfig.builder().port(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0 to 65535, was -1");
        assertThatThrownBy(() -> SentinelBroker.builder().port(-1))
                .hasMessage("port must be 0 to 65535, was -1");
        assertThatThrownBy(() -> SentinelBroker.builder().maxQueuedPerSession(0))
                .hasMessage("maxQueuedPerSession must be 1 to 1000000, was 0");
        assertThatThrownBy(() -> BrokerConfig.builder().snapshotInterval(Duration.ofMillis(999)))
                .hasMessage("snapshotInterval must be 1s to 1d, was 999ms");
        assertThatThrownBy(() -> BrokerConfig.builder().connectTimeout(Duration.ofMinutes(11)))
                .hasMessage("connectTimeout must be 1ms to 10m, was 11m");
        assertThatThrownBy(() -> BrokerConfig.builder().maxInflightByClient(Map.of("bridge", 70_000)))
                .hasMessage("maxInflightByClient[bridge] must be 1 to 65535, was 70000");
        assertThatThrownBy(() -> BrokerConfig.builder().bindAddress(" "))
                .hasMessage("bindAddress must be a host name or IP literal, was ' '");
        assertThatThrownBy(() -> SentinelBroker.builder().nodeId(""))
                .hasMessage("nodeId must be 1 to 64 characters of [A-Za-z0-9._-], was ''");
        assertThatThrownBy(() -> SentinelBroker.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("messageLog");
    }

    @Test
    void toBuilder_roundTrips() throws Exception {
        BrokerConfig plain = BrokerConfig.builder().port(2000).bindAddress("0.0.0.0").maxPacketSize(4096).maxClientIdLength(30)
                .connectTimeout(Duration.ofSeconds(3)).maxQueuedPerSession(10).maxInflightPerSession(4).ioThreads(2)
                .checkpointInterval(Duration.ofMillis(100)).maxInflightByClient(Map.of("b", 100)).catchUpThreads(1)
                .snapshotInterval(Duration.ofMinutes(5)).snapshotRecords(2000).nodeId("n1").insecurePlain(true).build();
        BrokerConfig tls = plain.toBuilder().insecurePlain(false).tls(pem("c.pem"), pem("k.pem"), pem("ca.pem")).build();

        for (BrokerConfig c : List.of(plain, tls)) {
            assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
            assertThat(c).isNotEqualTo(BrokerConfig.ofDefaults());
        }
        assertThat(tls.toBuilder().maxInflightPerSession(5).build().maxInflightPerSession()).isEqualTo(5);
        try (SentinelBroker broker = SentinelBroker.builder().config(plain).messageLog(new FailingMessageLog(null, e -> true))
                .build()) {
            assertThat(broker.config()).as("the broker runs with the config it was given").isEqualTo(plain);
        }
    }

    @Test
    void twoBuildsFromOneBuilder_areIndependent() {
        BrokerConfig.Builder b = BrokerConfig.builder().maxInflightByClient(Map.of("a", 1)).port(1);
        BrokerConfig first = b.build();
        b.maxInflightByClient(Map.of("a", 2, "b", 3)).port(2);
        BrokerConfig second = b.build();

        assertThat(first.port()).isEqualTo(1);
        assertThat(first.maxInflightByClient()).containsExactlyEntriesOf(Map.of("a", 1));
        assertThat(second.port()).isEqualTo(2);
        assertThat(second.maxInflightByClient()).hasSize(2);
        assertThatThrownBy(() -> first.maxInflightByClient().put("c", 4)).isInstanceOf(UnsupportedOperationException.class);
    }

    private Path pem(String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            Files.writeString(p, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        }
        return p;
    }
}
