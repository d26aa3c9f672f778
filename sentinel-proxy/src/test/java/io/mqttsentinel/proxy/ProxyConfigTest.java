package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;

class ProxyConfigTest {
    @Test
    void plainPort_zeroMeansNoPlainListener_asTheLauncherContractSays() {
        assertThat(ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_PLAIN_PORT", "0")).plainPort()).isEqualTo(-1);
        assertThat(ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_PLAIN_PORT", "off")).plainPort()).isEqualTo(-1);
        assertThat(ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_PLAIN_PORT", "1885")).plainPort()).isEqualTo(1885);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_PLAIN_PORT", "70000")))
                .hasMessageContaining("SENTINEL_PROXY_PLAIN_PORT").hasMessageContaining("70000");
    }

    @Test
    void upstream_aListOfBrokerNodes_andTheRetryDelay() {
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "core-1:1884, core-2:1884,[::1]:2883",
                "SENTINEL_PROXY_UPSTREAM_RETRY", "500ms"));
        assertThat(c.upstreams()).extracting(a -> a.getHostString() + "/" + a.getPort())
                .containsExactly("core-1/1884", "core-2/1884", "::1/2883");
        assertThat(c.upstreamHost()).isEqualTo("core-1");
        assertThat(c.upstreamRetry()).isEqualTo(Duration.ofMillis(500));
        assertThat(ProxyConfig.fromEnvironment(Map.of()).upstreamRetry()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "a:1,b:0")))
                .hasMessage("SENTINEL_PROXY_UPSTREAM='a:1,b:0' is invalid: upstreams must be comma-separated host:port "
                        + "(1 to 64 broker nodes), port 1 to 65535");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "a:1,")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM_RETRY", "10ms")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM_RETRY").hasMessageContaining("10ms");
        assertThatThrownBy(() -> ProxyConfig.builder().upstreams(List.of()))
                .hasMessage("upstreams must name 1 to 64 broker nodes, was 0");
    }

    @Test
    void defaults() {
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.of());
        assertThat(c.tlsPort()).isEqualTo(8883);
        assertThat(c.plainPort()).isEqualTo(-1);
        assertThat(c.upstreamHost()).isEqualTo("127.0.0.1");
        assertThat(c.upstreamPort()).isEqualTo(1884);
        assertThat(c.tlsCert()).isEmpty();
        assertThat(c.clientAuth()).isEqualTo(ClientAuthMode.NONE);
        assertThat(c.authUrl()).isEmpty();
        assertThat(c.authFile()).isEqualTo(Path.of("sentinel-devices.txt"));
        assertThat(c.authCacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.authDenyCacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.limits()).isEqualTo(ProxyLimits.ofDefaults());
        assertThat(c.defaultPermissions()).isEqualTo(TopicPermissions.DEFAULT);
        assertThat(c.forwardUsername()).isTrue();
    }

    @Test
    void everyKey_isRead() {
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.ofEntries(
                Map.entry("SENTINEL_PROXY_TLS_PORT", "0"),
                Map.entry("SENTINEL_PROXY_PLAIN_PORT", "1885"),
                Map.entry("SENTINEL_PROXY_UPSTREAM", "core.internal:2883"),
                Map.entry("SENTINEL_TLS_CERT", "/etc/s/cert.pem"),
                Map.entry("SENTINEL_TLS_KEY", "/etc/s/key.pem"),
                Map.entry("SENTINEL_TLS_CLIENT_AUTH", "optional"),
                Map.entry("SENTINEL_TLS_CLIENT_CA", "/etc/s/ca.pem"),
                Map.entry("SENTINEL_AUTH_URL", "https://auth.example/check"),
                Map.entry("SENTINEL_AUTH_CACHE_TTL", "2m"),
                Map.entry("SENTINEL_AUTH_DENY_CACHE_TTL", "500ms"),
                Map.entry("SENTINEL_PROXY_MAX_CONNECTIONS", "5000"),
                Map.entry("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", "50"),
                Map.entry("SENTINEL_PROXY_BANDWIDTH_PER_IP", "0"),
                Map.entry("SENTINEL_PROXY_MAX_PACKET_SIZE", "65536"),
                Map.entry("SENTINEL_PROXY_TLS_HANDSHAKE_TIMEOUT", "3s"),
                Map.entry("SENTINEL_PROXY_CONNECT_TIMEOUT", "4"),
                Map.entry("SENTINEL_PROXY_ACL_SUBSCRIBE", "clients/{client_id}/alerts, clients/{client_id}/#"),
                Map.entry("SENTINEL_PROXY_FORWARD_USERNAME", "false")));
        assertThat(c.tlsPort()).isZero();
        assertThat(c.plainPort()).isEqualTo(1885);
        assertThat(c.upstreamHost()).isEqualTo("core.internal");
        assertThat(c.upstreamPort()).isEqualTo(2883);
        assertThat(c.tlsCert()).contains(Path.of("/etc/s/cert.pem"));
        assertThat(c.clientAuth()).isEqualTo(ClientAuthMode.OPTIONAL);
        assertThat(c.authUrl().orElseThrow().toString()).isEqualTo("https://auth.example/check");
        assertThat(c.authCacheTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.authDenyCacheTtl()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.limits().maxConnections()).isEqualTo(5000);
        assertThat(c.limits().maxConnectionsPerIp()).isEqualTo(50);
        assertThat(c.limits().bandwidthPerIp()).isZero();
        assertThat(c.limits().maxPacketSize()).isEqualTo(65536);
        assertThat(c.limits().tlsHandshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.defaultPermissions().subscribe()).isEqualTo(List.of("clients/{client_id}/alerts", "clients/{client_id}/#"));
        assertThat(c.forwardUsername()).isFalse();
    }

    @Test
    void badValues_nameTheKeyTheValueAndTheRange() {
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_TLS_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SENTINEL_PROXY_TLS_PORT='70000' is invalid: tlsPort must be 0 to 65535");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "nohost")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM='nohost' is invalid").hasMessageContaining("host:port");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CLIENT_AUTH", "maybe")))
                .hasMessage("SENTINEL_TLS_CLIENT_AUTH='maybe' is invalid: clientAuth must be one of none, optional, require");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CLIENT_AUTH", "require")))
                .hasMessageContaining("SENTINEL_TLS_CLIENT_CA is required");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CERT", "/x.pem")))
                .hasMessageContaining("SENTINEL_TLS_CERT and SENTINEL_TLS_KEY must be set together");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_URL", "ftp://x")))
                .hasMessage("SENTINEL_AUTH_URL='ftp://x' is invalid: authUrl must be an absolute http:// or https:// URL");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_CACHE_TTL", "ten")))
                .hasMessageStartingWith("SENTINEL_AUTH_CACHE_TTL='ten' is invalid: authCacheTtl must be 0s to 1d (not a duration");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_CACHE_TTL", "10s", "SENTINEL_AUTH_DENY_CACHE_TTL", "20s")))
                .hasMessage("SENTINEL_AUTH_DENY_CACHE_TTL must be 0s to SENTINEL_AUTH_CACHE_TTL (10s), was 20s "
                        + "(authDenyCacheTtl, authCacheTtl)");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_BANDWIDTH_PER_IP", "10")))
                .hasMessage("SENTINEL_PROXY_BANDWIDTH_PER_IP='10' is invalid: bandwidthPerIp must be 0 (unlimited) or 1k to "
                        + "10g bytes per second (a size)");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_ACL_PUBLISH", "a/#/b")))
                .hasMessageContaining("SENTINEL_PROXY_ACL_PUBLISH='a/#/b' is invalid: aclPublish must be");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_MAX_PACKET_SIZE", "1")))
                .hasMessage("SENTINEL_PROXY_MAX_PACKET_SIZE='1' is invalid: maxPacketSize must be 16 to 268435455 bytes");
    }

    @Test
    void limits_validateEagerly() {
        assertThatThrownBy(() -> ProxyLimits.ofDefaults().withMaxConnectionsPerIp(0))
                .hasMessage("maxConnectionsPerIp must be 1 to 10000000, was 0");
        assertThatThrownBy(() -> ProxyLimits.ofDefaults().withAuthTimeout(Duration.ofHours(1)))
                .hasMessage("authTimeout must be 10ms to 5m, was 1h");
        assertThatThrownBy(() -> ProxyConfig.builder().tlsPort(-1)).hasMessage("tlsPort must be 0 to 65535, was -1");
        assertThatThrownBy(() -> ProxyConfig.builder().upstream("h", 0)).hasMessage("upstream port must be 1 to 65535, was 0");
    }

    @Test
    void fleetKeys_areReadAndValidated_withKeyValueAndRange() {
        ProxyConfig d = ProxyConfig.ofDefaults();
        assertThat(d.authQueueSize()).isEqualTo(10_000);
        assertThat(d.authQueueTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
        assertThat(d.handshakesPerIp()).isEqualTo(100);
        assertThat(d.handshakeBurstPerIp()).isEqualTo(200);
        assertThat(d.trustedProxies()).isEmpty();
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_QUEUE_SIZE", "0", "SENTINEL_AUTH_QUEUE_TIMEOUT", "500ms",
                "SENTINEL_PROXY_HANDSHAKES_PER_IP", "0", "SENTINEL_PROXY_PROXY_PROTOCOL", "on",
                "SENTINEL_PROXY_TRUSTED_PROXIES", "10.0.0.0/24, 192.0.2.7,fd00::/8"));
        assertThat(c.authQueueSize()).isZero();
        assertThat(c.authQueueTimeout()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(c.handshakesPerIp()).isZero();
        assertThat(c.trustedProxies()).containsExactly("10.0.0.0/24", "192.0.2.7", "fd00::/8");
        assertThat(ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_TRUSTED_PROXIES", "10.0.0.1")).trustedProxies())
                .as("listed but the protocol is off").isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_PROXY_PROXY_PROTOCOL", "on"))).hasMessageContaining("SENTINEL_PROXY_TRUSTED_PROXIES is required");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_PROXY_PROXY_PROTOCOL", "v2"))).hasMessage("SENTINEL_PROXY_PROXY_PROTOCOL='v2' is invalid: "
                + "proxyProtocol must be true or false (not a boolean (write true or false))");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of(
                "SENTINEL_PROXY_PROXY_PROTOCOL", "on", "SENTINEL_PROXY_TRUSTED_PROXIES", "lb.example.com")))
                .hasMessageContaining("SENTINEL_PROXY_TRUSTED_PROXIES='lb.example.com' is invalid: trustedProxies must be");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of(
                "SENTINEL_PROXY_TRUSTED_PROXIES", "10.0.0.0/33", "SENTINEL_PROXY_PROXY_PROTOCOL", "on")))
                .hasMessageContaining("'10.0.0.0/33' is invalid");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "0"))).hasMessage(
                "SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP='0' is invalid: handshakeBurstPerIp must be 1 to 1000000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_AUTH_QUEUE_SIZE", "-1"))).hasMessage(
                "SENTINEL_AUTH_QUEUE_SIZE='-1' is invalid: authQueueSize must be 0 to 1000000");
    }

    @Test
    void coreHop_isMultiplexedByDefault_andPerDeviceOnRequest() {
        assertThat(ProxyConfig.ofDefaults().coreHop()).isEqualTo(CoreHop.MULTIPLEXED);
        assertThat(ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_CORE_HOP", "per-device")).coreHop())
                .isEqualTo(CoreHop.PER_DEVICE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_PROXY_CORE_HOP", "shared"))).hasMessage(
                "SENTINEL_PROXY_CORE_HOP='shared' is invalid: coreHop must be one of multiplexed, per_device");
    }

    @Test
    void settings_eachHasAUniqueSentinelKeyAndADocLine() {
        Set<String> keys = new HashSet<>();
        for (Setting<ProxyConfig.Builder> s : ProxyConfig.settings()) {
            assertThat(s.key()).startsWith("SENTINEL_");
            assertThat(keys.add(s.key())).as("unique " + s.key()).isTrue();
            assertThat(s.doc()).as(s.key()).isNotBlank();
            assertThat(s.allowed()).as(s.key()).isNotBlank();
        }
        assertThat(keys).hasSize(45).contains("SENTINEL_PROXY_TLS_PORT", "SENTINEL_PROXY_CORE_HOP", "SENTINEL_CORE_CA", "SENTINEL_AUTH_TOKEN",
                "SENTINEL_PROXY_TRUSTED_PROXIES");
        assertThat(ProxyConfig.settings()).filteredOn(Setting::isSecret).extracting(Setting::key)
                .containsExactly("SENTINEL_AUTH_TOKEN");
    }

    @Test
    void settings_eachDefault_readBack_isTheDefaultConfiguration() {
        ProxyConfig defaults = ProxyConfig.ofDefaults();
        for (Setting<ProxyConfig.Builder> s : ProxyConfig.settings()) {
            if (s.defaultValue().isEmpty()) {
                continue;
            }
            ProxyConfig read = SettingsReader.apply(ProxyConfig.settings(), Map.of(s.key(), s.defaultValue()),
                    ProxyConfig.builder()).build();
            assertThat(read).as(s.key() + "=" + s.defaultValue()).isEqualTo(defaults);
        }
        assertThat(ProxyConfig.fromEnvironment(Map.of())).isEqualTo(defaults);
    }

    @Test
    void settings_refuseOneBadValuePerType_inTheOneFormat() {
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_WORKER_THREADS", "many")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_PROXY_WORKER_THREADS='many' is invalid: workerThreads must be 0 to 1024 (not a whole number)");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_CACHE_SIZE", "0")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_AUTH_CACHE_SIZE='0' is invalid: authCacheSize must be 1 to 100000000");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_RELOAD_INTERVAL", "2d")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_TLS_RELOAD_INTERVAL='2d' is invalid: tlsReloadInterval must be 100ms to 1d");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_MAX_PENDING_BYTES", "128m")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_PROXY_MAX_PENDING_BYTES='128m' is invalid: maxPendingBytes must be 1k to 64m bytes");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_FORWARD_USERNAME", "maybe")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_PROXY_FORWARD_USERNAME='maybe' is invalid: forwardUsername must be true or false "
                        + "(not a boolean (write true or false))");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_ENGINE", "gnutls")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_TLS_ENGINE='gnutls' is invalid: tlsEngine must be one of openssl, jdk");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_BIND", "0.0.0.0",
                "SENTINEL_PROXY_UPSTREAM", "core:1884,core")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SENTINEL_PROXY_UPSTREAM='core:1884,core' is invalid: upstreams must be comma-separated "
                        + "host:port (1 to 64 broker nodes), port 1 to 65535");
    }

    @Test
    void settings_aSecretIsNeverShown() {
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_TOKEN", "s3cret"));
        assertThat(c.hasAuthToken()).isTrue();
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void settings_acceptTheOneGrammar() {
        ProxyConfig c = ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM_RETRY", "PT1S",
                "SENTINEL_PROXY_MAX_PACKET_SIZE", "64k", "SENTINEL_PROXY_BANDWIDTH_PER_IP", "2m",
                "SENTINEL_PROXY_FORWARD_USERNAME", "no", "SENTINEL_TLS_ENGINE", "JDK", "SENTINEL_TLS_CLIENT_AUTH", "required",
                "SENTINEL_TLS_CLIENT_CA", "/ca.pem", "SENTINEL_PROXY_PLAIN_PORT", "none"));
        assertThat(c.upstreamRetry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.limits().maxPacketSize()).isEqualTo(65_536);
        assertThat(c.limits().bandwidthPerIp()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.forwardUsername()).isFalse();
        assertThat(c.tlsEngine()).isEqualTo(TlsEngine.JDK);
        assertThat(c.preferOpenSsl()).isFalse();
        assertThat(c.clientAuth()).isEqualTo(ClientAuthMode.REQUIRE);
        assertThat(c.plainPort()).isEqualTo(-1);
    }

    @Test
    void builder_setsEverySettingInCode_andToBuilderRoundTrips() {
        ProxyConfig c = ProxyConfig.builder()
                .tlsPort(0).plainPort(0).bindAddress("127.0.0.1")
                .upstreams(List.of(InetSocketAddress.createUnresolved("core-1", 1884),
                        InetSocketAddress.createUnresolved("core-2", 1884)))
                .upstreamRetry(Duration.ofMillis(500))
                .upstreamTls(Path.of("/p.pem"), Path.of("/p.key"), Path.of("/core-ca.pem"))
                .tls(Path.of("/c.pem"), Path.of("/k.pem"))
                .clientAuth(ClientAuthMode.OPTIONAL).clientCa(Path.of("/ca.pem"))
                .tlsReloadInterval(Duration.ofMinutes(1)).tlsEngine(TlsEngine.JDK)
                .authUrl(URI.create("https://auth.example/check")).authCa(Path.of("/auth-ca.pem")).authToken("t")
                .authFile(Path.of("/devices")).authCacheTtl(Duration.ofSeconds(10)).authDenyCacheTtl(Duration.ofSeconds(1))
                .authCacheSize(10).authTimeout(Duration.ofSeconds(1)).authMaxConcurrent(8).authQueueSize(0)
                .authQueueTimeout(Duration.ofSeconds(1)).authBreakerFailures(3).authBreakerDelay(Duration.ofSeconds(1))
                .maxConnections(10).maxConnectionsPerIp(2).bandwidthPerIp(0).maxPacketSize(1024).maxClientIdLength(64)
                .maxPendingBytes(2048).tlsHandshakeTimeout(Duration.ofSeconds(1)).connectTimeout(Duration.ofSeconds(2))
                .authVerdictTimeout(Duration.ofSeconds(3)).upstreamConnectTimeout(Duration.ofSeconds(4))
                .aclPublish(List.of("a/{client_id}/#")).aclSubscribe(List.of())
                .forwardUsername(false).workerThreads(2).handshakeRatePerIp(0, 5)
                .proxyProtocol(List.of("10.0.0.0/8"))
                .build();
        assertThat(c.upstreamHost()).isEqualTo("core-1");
        assertThat(c.upstreams()).hasSize(2);
        assertThat(c.limits()).isEqualTo(new ProxyLimits(10, 2, 0, 1024, 64, 2048, Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4)));
        assertThat(c.defaultPermissions()).isEqualTo(new TopicPermissions(List.of("a/{client_id}/#"), List.of()));
        assertThat(c.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.toBuilder().tlsPort(1).build()).isNotEqualTo(c);
        assertThat(ProxyConfig.ofDefaults().toBuilder().build()).isEqualTo(ProxyConfig.ofDefaults());
        // the deny TTL that follows the allow TTL keeps following it through toBuilder()
        ProxyConfig shortTtl = ProxyConfig.ofDefaults().toBuilder().authCacheTtl(Duration.ofSeconds(2)).build();
        assertThat(shortTtl.authDenyCacheTtl()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void builder_buildTwice_givesIndependentConfigurations() {
        ProxyConfig.Builder b = ProxyConfig.builder().tlsPort(1000).upstream("core", 1884);
        ProxyConfig first = b.build();
        b.tlsPort(2000).upstream("other", 1885).maxConnections(5).aclPublish(List.of("x/#"));
        ProxyConfig second = b.build();
        assertThat(first.tlsPort()).isEqualTo(1000);
        assertThat(first.upstreamHost()).isEqualTo("core");
        assertThat(first.limits().maxConnections()).isEqualTo(1_000_000);
        assertThat(first.defaultPermissions()).isEqualTo(TopicPermissions.DEFAULT);
        assertThat(second.tlsPort()).isEqualTo(2000);
        assertThat(second).isNotSameAs(b.build()).isEqualTo(b.build());
    }

    @Test
    void builder_checksTheSettingsThatGoTogether() {
        assertThatThrownBy(() -> ProxyConfig.builder().upstreamTlsCert(Path.of("/p.pem")).build())
                .hasMessage("SENTINEL_PROXY_UPSTREAM_TLS_CERT, SENTINEL_PROXY_UPSTREAM_TLS_KEY and SENTINEL_CORE_CA must be "
                        + "set together (upstreamTlsCert=/p.pem, upstreamTlsKey=null, coreCa=null)");
        assertThatThrownBy(() -> ProxyConfig.builder().tlsKey(Path.of("/k.pem")).build())
                .hasMessage("SENTINEL_TLS_CERT and SENTINEL_TLS_KEY must be set together (tlsCert=null, tlsKey=/k.pem)");
        assertThatThrownBy(() -> ProxyConfig.builder().clientAuth(ClientAuthMode.REQUIRE).build())
                .hasMessage("SENTINEL_TLS_CLIENT_CA is required when SENTINEL_TLS_CLIENT_AUTH is require (clientCa, clientAuth)");
        assertThatThrownBy(() -> ProxyConfig.builder().proxyProtocol(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SENTINEL_PROXY_TRUSTED_PROXIES is required");
        assertThatThrownBy(() -> ProxyConfig.builder().bandwidthPerIp(10))
                .hasMessage("bandwidthPerIp must be 0 (unlimited) or 1024 to 10737418240, was 10");
        assertThatThrownBy(() -> ProxyConfig.builder().aclPublish(List.of("a/#/b")))
                .hasMessageStartingWith("aclPublish must be comma-separated MQTT topic filters");
        assertThatThrownBy(() -> ProxyConfig.builder().authUrl(URI.create("ftp://x")))
                .hasMessage("authUrl must be an absolute http:// or https:// URL, was 'ftp://x'");
        assertThatThrownBy(() -> ProxyConfig.builder().upstreamRetry(Duration.ofMillis(10)))
                .hasMessage("upstreamRetry must be 100ms to 5m, was 10ms");
    }
}
