package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                .hasMessage("SENTINEL_BRIDGE_LEASE='500ms' is invalid: lease must be off (0) or 1s-5m, was PT0.5S");
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
        assertThatThrownBy(() -> b.originUrl("ws://h:0/")).hasMessageContaining("1-65535");
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
                .hasMessageContaining("1-65535");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "h:65536")))
                .hasMessageContaining("1-65535");
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.CORE, "[::1]:1884")).coreHost()).isEqualTo("::1");
    }

    @Test
    void fromEnvironment_originMaxPacket_defaultsToMqttsLimit_andBadValuesNameKeyValueAndRange() {
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "10")).originMaxPacket())
                .isEqualTo(BridgeConfig.MQTT_MAX_PACKET);
        assertThat(BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_MAX_PACKET, "2000")).originMaxPacket()).isEqualTo(2000);
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_MAX_PACKET, "10")))
                .hasMessageContaining(BridgeConfig.ORIGIN_MAX_PACKET).hasMessageContaining("'10'")
                .hasMessageContaining("64-268435460");
    }

    @Test
    void fromEnvironment_badMaxInflight_namesKeyValueAndRange() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "0")))
                .hasMessageContaining(BridgeConfig.MAX_INFLIGHT).hasMessageContaining("'0'").hasMessageContaining("1-65535");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.MAX_INFLIGHT, "lots")))
                .hasMessageContaining("not an integer");
    }

    @Test
    void fromEnvironment_badBackoff_namesKeyAndRange() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_INITIAL, "soon")))
                .hasMessageContaining(BridgeConfig.BACKOFF_INITIAL).hasMessageContaining("250ms, 30s");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_MAX, "100ms")))
                .hasMessageContaining(BridgeConfig.BACKOFF_MAX).hasMessageContaining("between initial");
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.BACKOFF_JITTER, "2")))
                .hasMessageContaining(BridgeConfig.BACKOFF_JITTER).hasMessageContaining("0.0 and 1.0");
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
        assertThatThrownBy(() -> BridgeConfig.builder().clientId("x".repeat(129))).hasMessageContaining("1-128");
    }

    @Test
    void fromEnvironment_badBoolean_namesAllowed() {
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(env(BridgeConfig.ORIGIN_VERIFY_HOSTNAME, "maybe")))
                .hasMessageContaining(BridgeConfig.ORIGIN_VERIFY_HOSTNAME).hasMessageContaining("true or false");
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
                .hasMessageContaining("1s-65535s");
        assertThatThrownBy(() -> BridgeConfig.builder().keepAlive(Duration.ofSeconds(65_536))).hasMessageContaining("1s-65535s");
    }

    @Test
    void parseDuration_acceptsShortAndIsoForms() {
        assertThat(BridgeConfig.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(BridgeConfig.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(BridgeConfig.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(BridgeConfig.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(BridgeConfig.parseDuration("pt2s")).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> BridgeConfig.parseDuration("-1s")).isInstanceOf(IllegalArgumentException.class);
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
}
