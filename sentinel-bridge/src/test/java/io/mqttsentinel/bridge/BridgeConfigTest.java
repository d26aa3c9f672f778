package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.testkit.TestCertificates;

class BridgeConfigTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put(BridgeConfig.ORIGIN_URL, "wss://origin.example.com/mqtt");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void lease_offByDefault_aDurationOrOff_validatedWithKeyValueAndRange() {
        assertThat(BridgeConfig.ofDefaults().lease()).isZero();
        assertThat(BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ORIGIN_URL, "ws://o/mqtt", BridgeConfig.LEASE, "10s"))
                .lease()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ORIGIN_URL, "ws://o/mqtt", BridgeConfig.LEASE, "off"))
                .lease()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BridgeConfig.fromEnvironment(
                Map.of(BridgeConfig.ORIGIN_URL, "ws://o/mqtt", BridgeConfig.LEASE, "500ms")))
                .hasMessage("SENTINEL_BRIDGE_LEASE='500ms' is invalid: lease must be off (0), or 1s to 5m");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BridgeLease.builder(BridgeConfig.ofDefaults()))
                .hasMessageContaining("SENTINEL_BRIDGE_LEASE must be set");
    }

    @Test
    void ofDefaults_hasDocumentedValuesAndNoOrigin() {
        BridgeConfig c = BridgeConfig.ofDefaults();
        assertThat(c.originUri()).isEmpty();
        assertThat(c.coreHost()).isEqualTo("127.0.0.1");
        assertThat(c.corePort()).isEqualTo(1884);
        assertThat(c.clientId()).isEqualTo("sentinel-bridge");
        assertThat(c.subscriptions()).containsExactly("clients/+/telemetry", "clients/+/events");
        assertThat(c.originSubscriptions()).containsExactly("sentinel/alerts/#");
        assertThat(c.topicRewriter()).isEqualTo(TopicRewriter.ofDefaults());
        assertThat(c.backoff()).isEqualTo(Backoff.ofDefaults());
        assertThat(c.maxInFlight()).isEqualTo(1000);
        assertThat(c.keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.verifyHostname()).isTrue();
        assertThat(c.originCa()).isEmpty();
        assertThat(c.originUsername()).isEmpty();
    }

    @Test
    void fromEnvironment_withOnlyOrigin_keepsDefaults() {
        BridgeConfig c = BridgeConfig.fromEnvironment(env());
        assertThat(c.originUri()).contains(URI.create("wss://origin.example.com/mqtt"));
        assertThat(c.toBuilder().originUri(URI.create("ws://h:1/")).build().subscriptions())
                .isEqualTo(BridgeConfig.DEFAULT_SUBSCRIPTIONS);
        assertThat(c.corePort()).isEqualTo(1884);
    }

    @Test
    void fromEnvironment_readsEveryKey(@TempDir Path dir) throws Exception {
        Path ca = TestCertificates.create(dir).caFile();
        BridgeConfig c = BridgeConfig.fromEnvironment(env(
                BridgeConfig.CORE, "core.internal:1999",
                BridgeConfig.CORE_USERNAME, "bridge",
                BridgeConfig.CORE_PASSWORD, "core-secret",
                BridgeConfig.CLIENT_ID, "bridge-eu-1",
                BridgeConfig.ORIGIN_USERNAME, "acme",
                BridgeConfig.ORIGIN_PASSWORD, "s3cret",
                BridgeConfig.ORIGIN_CA, ca.toString(),
                BridgeConfig.ORIGIN_VERIFY_HOSTNAME, "false",
                BridgeConfig.SUBSCRIPTIONS, " clients/+/telemetry , sentinel/security-events ",
                BridgeConfig.ORIGIN_SUBSCRIPTIONS, "alerts/#",
                BridgeConfig.OUTBOUND_RULES, "clients/{id}/telemetry -> devices/{id}/telemetry, clients/# -> x/#",
                BridgeConfig.INBOUND_RULES, "alerts/{client_id} -> clients/{client_id}/alerts",
                BridgeConfig.BACKOFF_INITIAL, "250ms",
                BridgeConfig.BACKOFF_MAX, "PT10S",
                BridgeConfig.BACKOFF_JITTER, "0.5",
                BridgeConfig.MAX_INFLIGHT, "64",
                BridgeConfig.KEEP_ALIVE, "1m"));
        assertThat(c.coreHost()).isEqualTo("core.internal");
        assertThat(c.corePort()).isEqualTo(1999);
        assertThat(c.coreUsername()).contains("bridge");
        assertThat(c.corePassword()).contains("core-secret");
        assertThat(c.clientId()).isEqualTo("bridge-eu-1");
        assertThat(c.originUsername()).contains("acme");
        assertThat(c.originPassword()).contains("s3cret");
        assertThat(c.originCa()).contains(ca);
        assertThat(c.verifyHostname()).isFalse();
        assertThat(c.subscriptions()).containsExactly("clients/+/telemetry", "sentinel/security-events");
        assertThat(c.originSubscriptions()).containsExactly("alerts/#");
        assertThat(c.topicRewriter().outbound("clients/d/telemetry")).contains("devices/d/telemetry");
        assertThat(c.topicRewriter().outbound("clients/d/events")).contains("x/d/events");
        assertThat(c.topicRewriter().inbound("alerts/d")).contains("clients/d/alerts");
        assertThat(c.backoff()).isEqualTo(Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(10), 0.5));
        assertThat(c.maxInFlight()).isEqualTo(64);
        assertThat(c.keepAlive()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void fromEnvironment_onlyInboundRules_keepsDefaultOutbound() {
        BridgeConfig c = BridgeConfig.fromEnvironment(env(BridgeConfig.INBOUND_RULES, "a/{x} -> b/{x}"));
        assertThat(c.topicRewriter().outbound("clients/d/t")).contains("sentinel/clients/d/t");
        assertThat(c.topicRewriter().inbound("a/1")).contains("b/1");
    }

    @Test
    void fromEnvironment_missingOrigin_isRequired() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(BridgeConfig.ORIGIN_URL).hasMessageContaining("required");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ORIGIN_URL, "  ")))
                .hasMessageContaining("required");
    }

    @Test
    void fromEnvironment_badOriginScheme_namesKeyValueAndAllowed() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_URL, "https://o.example.com/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(BridgeConfig.ORIGIN_URL)
                .hasMessageContaining("https://o.example.com/")
                .hasMessageContaining("ws or wss");
    }

    @Test
    void originUrl_validation() {
        BridgeConfig.Builder b = BridgeConfig.builder();
        assertThatThrownBy(() -> b.originUrl("ws:///path")).hasMessageContaining("must name a host");
        assertThatThrownBy(() -> b.originUrl("ws://h:0/")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> b.originUrl("ws://h:70000/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.originUrl("wss://user:pw@h/")).hasMessageContaining("user info")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
        assertThatThrownBy(() -> b.originUrl("ws://h/#frag")).hasMessageContaining("fragment");
        assertThatThrownBy(() -> b.originUrl("not a url")).hasMessageContaining("not a URL");
        assertThat(b.originUrl("WSS://Origin.example.com:8443/mqtt?x=1").build().originUri())
                .contains(URI.create("WSS://Origin.example.com:8443/mqtt?x=1"));
    }

    @Test
    void portOf_defaultsBySchemes() {
        assertThat(BridgeConfig.portOf(URI.create("ws://h/mqtt"))).isEqualTo(80);
        assertThat(BridgeConfig.portOf(URI.create("wss://h/mqtt"))).isEqualTo(443);
        assertThat(BridgeConfig.portOf(URI.create("wss://h:9443/mqtt"))).isEqualTo(9443);
    }

    @Test
    void fromEnvironment_badCore_namesKey() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "localhost")))
                .hasMessageContaining(BridgeConfig.CORE).hasMessageContaining("'localhost'").hasMessageContaining("host:port");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "h:abc")))
                .hasMessage("SENTINEL_BRIDGE_CORE='h:abc' is invalid: core must be comma-separated host:port (1 to 64 nodes),"
                        + " port 1 to 65535");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "a:1884,")))
                .hasMessageContaining("'a:1884,'");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "h:65536")))
                .hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> BridgeConfig.builder().core("h", 0)).hasMessage("corePort must be 1 to 65535, was 0");
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "[::1]:1884")).coreHost()).isEqualTo("::1");
    }

    @Test
    void fromEnvironment_severalCoreNodes_keepsTheirOrder_withoutDuplicates() {
        BridgeConfig c = BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "core-a:1884, core-b:1885,[::1]:1886,core-a:1884"));

        assertThat(c.cores()).extracting(a -> a.getHostString() + "/" + a.getPort())
                .containsExactly("core-a/1884", "core-b/1885", "::1/1886");
        assertThat(c.coreHost()).isEqualTo("core-a");
        assertThat(c.toString()).contains("core=core-a:1884,core-b:1885,[::1]:1886");
    }

    @Test
    void fromEnvironment_originMaxPacket_defaultsToMqttsLimit_andBadValuesNameKeyValueAndRange() {
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "10")).originMaxPacket())
                .isEqualTo(BridgeConfig.MQTT_MAX_PACKET);
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_MAX_PACKET, "2000")).originMaxPacket()).isEqualTo(2000);
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_MAX_PACKET, "10")))
                .hasMessageContaining(BridgeConfig.ORIGIN_MAX_PACKET).hasMessageContaining("'10'")
                .hasMessage("SENTINEL_BRIDGE_ORIGIN_MAX_PACKET='10' is invalid: originMaxPacket must be 64 to 268435460 bytes");
    }

    @Test
    void fromEnvironment_badMaxInflight_namesKeyValueAndRange() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "0")))
                .hasMessage("SENTINEL_BRIDGE_MAX_INFLIGHT='0' is invalid: maxInFlight must be 1 to 65535");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "lots")))
                .hasMessage("SENTINEL_BRIDGE_MAX_INFLIGHT='lots' is invalid: maxInFlight must be 1 to 65535 (not a whole number)");
        assertThatThrownBy(() -> BridgeConfig.builder().maxInFlight(65_536))
                .hasMessage("maxInFlight must be 1 to 65535, was 65536");
    }

    @Test
    void fromEnvironment_badBackoff_namesKeyAndRange() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_INITIAL, "soon")))
                .hasMessageContaining(BridgeConfig.BACKOFF_INITIAL).hasMessageContaining("250ms, 30s");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_MAX, "100ms")))
                .hasMessage("SENTINEL_BRIDGE_BACKOFF_MAX (backoffMax) must be SENTINEL_BRIDGE_BACKOFF_INITIAL "
                        + "(backoffInitial, 500ms) to 1h, was 100ms");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_INITIAL, "2h")))
                .hasMessage("SENTINEL_BRIDGE_BACKOFF_INITIAL='2h' is invalid: backoffInitial must be 1ms to 1h");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_JITTER, "2")))
                .hasMessage("SENTINEL_BRIDGE_BACKOFF_JITTER='2' is invalid: backoffJitter must be 0.0 to 1.0");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_JITTER, "much")))
                .hasMessage("SENTINEL_BRIDGE_BACKOFF_JITTER='much' is invalid: backoffJitter must be 0.0 to 1.0 (not a number)");
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_INITIAL, "2m", BridgeConfig.BACKOFF_MAX, "5m"))
                .backoff()).as("the order of the keys does not matter, only the final pair")
                .isEqualTo(Backoff.exponential(Duration.ofMinutes(2), Duration.ofMinutes(5), 0.2));
    }

    @Test
    void fromEnvironment_badRule_namesKeyAndRule() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.INBOUND_RULES, "a/{x} -> b/{y}")))
                .hasMessageContaining(BridgeConfig.INBOUND_RULES).hasMessageContaining("{y}");
    }

    @Test
    void fromEnvironment_badSubscription_namesKeyAndFilter() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.SUBSCRIPTIONS, "clients/#/x")))
                .hasMessageContaining(BridgeConfig.SUBSCRIPTIONS).hasMessageContaining("'#' only");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.SUBSCRIPTIONS, "clients/a+")))
                .hasMessageContaining("'+' only");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.SUBSCRIPTIONS, " , ")))
                .hasMessageContaining("at least one");
    }

    @Test
    void fromEnvironment_badClientId_namesAllowedCharacters() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CLIENT_ID, "has space")))
                .hasMessageContaining(BridgeConfig.CLIENT_ID).hasMessageContaining("[A-Za-z0-9._:-]");
        assertThatThrownBy(() -> BridgeConfig.builder().clientId("x".repeat(129))).hasMessageContaining("1 to 128");
    }

    @Test
    void fromEnvironment_badBoolean_namesAllowed() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_VERIFY_HOSTNAME, "maybe")))
                .hasMessage("SENTINEL_BRIDGE_ORIGIN_VERIFY_HOSTNAME='maybe' is invalid: verifyHostname must be true or false "
                        + "(not a boolean (write true or false))");
    }

    @Test
    void fromEnvironment_missingCaFile_isRejected(@TempDir Path dir) {
        String missing = dir.resolve("nope.pem").toString();
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_CA, missing)))
                .hasMessageContaining(BridgeConfig.ORIGIN_CA).hasMessageContaining("readable PEM");
    }

    @Test
    void fromEnvironment_passwordWithoutUsername_isRejectedWithoutShowingIt() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_PASSWORD, "hunter2")))
                .hasMessageContaining(BridgeConfig.ORIGIN_PASSWORD).hasMessageContaining(BridgeConfig.ORIGIN_USERNAME)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE_PASSWORD, "swordfish")))
                .hasMessageContaining(BridgeConfig.CORE_USERNAME);
    }

    @Test
    void fromEnvironment_caFileThatHoldsNoCertificate_isRejectedAtOnce(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_CA, junk.toString())))
                .hasMessageContaining(BridgeConfig.ORIGIN_CA).hasMessageContaining("ca.pem");
    }

    @Test
    void fromEnvironment_trustStoreWithWrongPassword_isRejectedWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path store = TrustStores.pkcs12(TestCertificates.create(dir).caFile(), dir.resolve("trust.p12"), "changeit");
        BridgeConfig ok = BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_CA, store.toString(),
                BridgeConfig.ORIGIN_CA_PASSWORD, "changeit"));
        assertThat(ok.originCa()).contains(store);
        assertThat(ok.originCaPassword()).contains("changeit");
        assertThat(ok.toString()).doesNotContain("changeit");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_CA, store.toString(),
                BridgeConfig.ORIGIN_CA_PASSWORD, "wrong-one")))
                .hasMessageContaining(BridgeConfig.ORIGIN_CA).hasMessageContaining("password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-one"));
    }

    @Test
    void keepAlive_range() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.KEEP_ALIVE, "0s")))
                .hasMessage("SENTINEL_BRIDGE_KEEP_ALIVE='0s' is invalid: keepAlive must be 1s to 65535s");
        assertThatThrownBy(() -> BridgeConfig.builder().keepAlive(Duration.ofSeconds(65_536)))
                .hasMessage("keepAlive must be 1s to 65535s, was 65536s");
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.KEEP_ALIVE, "45")).keepAlive())
                .as("a bare number is seconds").isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void toString_neverShowsPasswords() {
        BridgeConfig c = BridgeConfig.builder().originUrl("ws://h/").originCredentials("u", "hunter2")
                .coreCredentials("c", "swordfish").build();
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("swordfish").contains("***").contains("ws://h/");
    }

    @Test
    void builder_emptyOriginSubscriptions_meansNoInbound() {
        assertThat(BridgeConfig.builder().originSubscriptions(List.of()).build().originSubscriptions()).isEmpty();
    }

    @Test
    void bridge_withoutOriginOrEgress_refusesToBuild() {
        assertThatThrownBy(() -> Bridge.builder(BridgeConfig.ofDefaults()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(BridgeConfig.ORIGIN_URL);
    }

    @Test
    void settings_haveUniqueKeys_aDocLine_andEveryDefaultThroughTheReaderIsOfDefaults() {
        Set<String> keys = new HashSet<>();
        for (Setting<BridgeConfig.Builder> s : BridgeConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
            if (!s.defaultValue().isEmpty()) {
                assertThat(SettingsReader.apply(List.of(s), Map.of(s.key(), s.defaultValue()), BridgeConfig.builder()).build())
                        .as(s.key() + "=" + s.defaultValue()).isEqualTo(BridgeConfig.ofDefaults());
            }
        }
        assertThat(SettingsReader.apply(BridgeConfig.settings(), Map.of(), BridgeConfig.builder()).build())
                .isEqualTo(BridgeConfig.ofDefaults());
        assertThat(BridgeConfig.settings()).filteredOn(Setting::isSecret).extracting(Setting::key)
                .containsExactlyInAnyOrder(BridgeConfig.CORE_PASSWORD, BridgeConfig.ORIGIN_PASSWORD, BridgeConfig.ORIGIN_CA_PASSWORD);
    }

    @Test
    void settings_coverEveryKeyConstant() throws IllegalAccessException {
        Set<String> constants = new HashSet<>();
        for (java.lang.reflect.Field f : BridgeConfig.class.getFields()) {
            if (f.getType() == String.class && f.get(null).toString().startsWith("SENTINEL_")) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(BridgeConfig.settings()).extracting(Setting::key).containsExactlyInAnyOrderElementsOf(constants);
    }

    @Test
    void aRefusal_isAnInvalidSettingException_namingKeyValueParameterAndRange() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "localhost")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_BRIDGE_CORE='localhost' is invalid: core must be comma-separated host:port"
                        + " (1 to 64 nodes), port 1 to 65535");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CLIENT_ID, "has space")))
                .hasMessage("SENTINEL_BRIDGE_CLIENT_ID='has space' is invalid: clientId must be 1 to 128 characters from "
                        + "[A-Za-z0-9._:-]");
        assertThatThrownBy(() -> BridgeConfig.builder().lease(Duration.ofMinutes(6)))
                .hasMessage("lease must be off (0), or 1s to 5m, was 6m");
        assertThatThrownBy(() -> BridgeConfig.builder().backoffInitial(Duration.ZERO))
                .hasMessage("backoffInitial must be 1ms to 1h, was 0s");
    }

    @Test
    void grammar_isTheCommonOne() {
        BridgeConfig c = BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_VERIFY_HOSTNAME, "off",
                BridgeConfig.ORIGIN_MAX_PACKET, "64k", BridgeConfig.LEASE, "PT30S", BridgeConfig.BACKOFF_INITIAL, "1"));
        assertThat(c.verifyHostname()).isFalse();
        assertThat(c.originMaxPacket()).isEqualTo(65_536);
        assertThat(c.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.backoff().initial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.LEASE, "0")).lease()).isZero();
    }

    @Test
    void toBuilder_roundTrips(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Issued client = certs.client("bridge", "sentinel-bridge");
        BridgeConfig c = BridgeConfig.fromEnvironment(env(
                BridgeConfig.CORE, "core:1999", BridgeConfig.CORE_USERNAME, "u", BridgeConfig.CORE_PASSWORD, "p",
                BridgeConfig.CORE_TLS_CERT, client.certFile().toString(), BridgeConfig.CORE_TLS_KEY, client.keyFile().toString(),
                BridgeConfig.CORE_CA, certs.caFile().toString(), BridgeConfig.ORIGIN_CA, certs.caFile().toString(),
                BridgeConfig.ORIGIN_USERNAME, "o", BridgeConfig.CLIENT_ID, "b-1", BridgeConfig.ORIGIN_SUBSCRIPTIONS, "a/#",
                BridgeConfig.OUTBOUND_RULES, "clients/# -> x/#", BridgeConfig.BACKOFF_JITTER, "0.5",
                BridgeConfig.MAX_INFLIGHT, "7", BridgeConfig.KEEP_ALIVE, "10s", BridgeConfig.LEASE, "3s"));
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c).isNotSameAs(c);
        assertThat(c.originPassword()).as("a user name alone has an empty password").contains("");
        assertThat(c).isNotEqualTo(BridgeConfig.ofDefaults());
    }

    @Test
    void twoBuildsFromOneBuilder_areIndependent() {
        BridgeConfig.Builder b = BridgeConfig.builder().originUrl("ws://h/").clientId("first");
        BridgeConfig first = b.build();
        b.clientId("second").subscriptions(List.of("x/#")).backoffMax(Duration.ofMinutes(1)).outboundRules(List.of());
        BridgeConfig second = b.build();
        assertThat(first.clientId()).isEqualTo("first");
        assertThat(first.subscriptions()).isEqualTo(BridgeConfig.DEFAULT_SUBSCRIPTIONS);
        assertThat(first.backoff()).isEqualTo(Backoff.ofDefaults());
        assertThat(first.topicRewriter()).isEqualTo(TopicRewriter.ofDefaults());
        assertThat(second.clientId()).isEqualTo("second");
        assertThat(second.topicRewriter().outboundRules()).isEmpty();
        assertThat(second.topicRewriter().inboundRules()).isEqualTo(TopicRewriter.ofDefaults().inboundRules());
        assertThatThrownBy(() -> first.subscriptions().add("y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void coreTls_keysGoTogether_andTheCertificateMustMatchItsKey(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Issued client = certs.client("bridge", "sentinel-bridge");
        assertThatThrownBy(() -> BridgeConfig.builder().coreTlsCert(client.certFile()).build())
                .hasMessageStartingWith("SENTINEL_BRIDGE_CORE_TLS_CERT, SENTINEL_BRIDGE_CORE_TLS_KEY and SENTINEL_CORE_CA "
                        + "must be set together");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE_TLS_CERT, client.certFile().toString(),
                BridgeConfig.CORE_TLS_KEY, certs.caFile().toString(), BridgeConfig.CORE_CA, certs.caFile().toString())))
                .hasMessageContaining(BridgeConfig.CORE_TLS_CERT).hasMessageContaining(BridgeConfig.CORE_TLS_KEY)
                .hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE_TLS_KEY, dir.resolve("none.pem").toString())))
                .hasMessage("SENTINEL_BRIDGE_CORE_TLS_KEY='" + dir.resolve("none.pem") + "' is invalid: coreTlsKey must be "
                        + "a readable PKCS#8 PEM key file");
    }
}
