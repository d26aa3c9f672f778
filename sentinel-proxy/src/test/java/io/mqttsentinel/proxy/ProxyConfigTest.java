package io.mqttsentinel.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.api.TopicPermissions;

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
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM=a:1,b:0").hasMessageContaining("1 to 64 broker nodes");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "a:1,")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM_RETRY", "10ms")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM_RETRY").hasMessageContaining("10ms");
        assertThatThrownBy(() -> SentinelProxy.builder().upstreams(List.of()))
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
                .hasMessage("SENTINEL_PROXY_TLS_PORT=70000 is invalid: allowed 0 to 65535");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_UPSTREAM", "nohost")))
                .hasMessageContaining("SENTINEL_PROXY_UPSTREAM=nohost").hasMessageContaining("host:port");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CLIENT_AUTH", "maybe")))
                .hasMessageContaining("SENTINEL_TLS_CLIENT_AUTH=maybe").hasMessageContaining("none, optional or require");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CLIENT_AUTH", "require")))
                .hasMessageContaining("SENTINEL_TLS_CLIENT_CA is required");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_TLS_CERT", "/x.pem")))
                .hasMessageContaining("SENTINEL_TLS_CERT and SENTINEL_TLS_KEY must be set together");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_URL", "ftp://x")))
                .hasMessageContaining("SENTINEL_AUTH_URL=ftp://x").hasMessageContaining("http");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_CACHE_TTL", "ten")))
                .hasMessageContaining("SENTINEL_AUTH_CACHE_TTL=ten");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_AUTH_CACHE_TTL", "10s", "SENTINEL_AUTH_DENY_CACHE_TTL", "20s")))
                .hasMessageContaining("SENTINEL_AUTH_DENY_CACHE_TTL=20s is invalid: allowed PT0S to PT10S");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_BANDWIDTH_PER_IP", "10")))
                .hasMessageContaining("SENTINEL_PROXY_BANDWIDTH_PER_IP=10");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_ACL_PUBLISH", "a/#/b")))
                .hasMessageContaining("SENTINEL_PROXY_ACL_PUBLISH=a/#/b");
        assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of("SENTINEL_PROXY_MAX_PACKET_SIZE", "1")))
                .hasMessage("SENTINEL_PROXY_MAX_PACKET_SIZE=1 is invalid: allowed 16 to 268435455");
    }

    @Test
    void limits_validateEagerly() {
        assertThatThrownBy(() -> ProxyLimits.ofDefaults().withMaxConnectionsPerIp(0))
                .hasMessage("maxConnectionsPerIp must be between 1 and 10000000, was 0");
        assertThatThrownBy(() -> ProxyLimits.ofDefaults().withAuthTimeout(Duration.ofHours(1)))
                .hasMessageContaining("authTimeout must be between");
        assertThatThrownBy(() -> SentinelProxy.builder().tlsPort(-1)).hasMessage("tlsPort must be between 0 and 65535, was -1");
        assertThatThrownBy(() -> SentinelProxy.builder().upstream("h", 0)).hasMessage("upstream port must be between 1 and 65535, was 0");
    }

    @Test
    void fleetKeys_areReadAndValidated_withKeyValueAndRange() {
        ProxyConfig d = ProxyConfig.ofDefaults();
        assertThat(d.authQueueSize()).isEqualTo(10_000);
        assertThat(d.authQueueTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
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
                Map.of("SENTINEL_PROXY_PROXY_PROTOCOL", "v2"))).hasMessage("SENTINEL_PROXY_PROXY_PROTOCOL=v2 is invalid: allowed off or on");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of(
                "SENTINEL_PROXY_PROXY_PROTOCOL", "on", "SENTINEL_PROXY_TRUSTED_PROXIES", "lb.example.com")))
                .hasMessageContaining("SENTINEL_PROXY_TRUSTED_PROXIES=lb.example.com is invalid");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(Map.of(
                "SENTINEL_PROXY_TRUSTED_PROXIES", "10.0.0.0/33", "SENTINEL_PROXY_PROXY_PROTOCOL", "on")))
                .hasMessageContaining("10.0.0.0/33 is invalid");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", "0"))).hasMessage(
                "SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP=0 is invalid: allowed 1 to 1000000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.fromEnvironment(
                Map.of("SENTINEL_AUTH_QUEUE_SIZE", "-1"))).hasMessage("SENTINEL_AUTH_QUEUE_SIZE=-1 is invalid: allowed 0 to 1000000");
    }
}
