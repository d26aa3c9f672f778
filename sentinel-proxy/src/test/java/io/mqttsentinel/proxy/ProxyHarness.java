package io.mqttsentinel.proxy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.TestCertificates;

/** A proxy in front of a private Mosquitto, with a test CA and helpers to build TLS clients. */
final class ProxyHarness implements AutoCloseable {
    final Path dir;
    final TestCertificates ca;
    final TestCertificates.Issued server;
    final MosquittoProcess broker;
    final SimpleMeterRegistry registry;
    final SentinelProxy proxy;
    /** The auth callout the proxy uses; tests switch it. Default: allow everyone. */
    final java.util.concurrent.atomic.AtomicReference<io.mqttsentinel.api.AuthCallout> auth =
            new java.util.concurrent.atomic.AtomicReference<>(r -> java.util.concurrent.CompletableFuture.completedFuture(
                    io.mqttsentinel.api.AuthDecision.allow("test")));
    /** The rate limiter the proxy uses; tests switch it. Default: admit everything. */
    final java.util.concurrent.atomic.AtomicReference<io.mqttsentinel.api.RateLimiter> limiter =
            new java.util.concurrent.atomic.AtomicReference<>((k, s, c) -> io.mqttsentinel.api.RateLimitDecision.allowed());

    /** @param configure changes the proxy's configuration (TLS, upstream, limits...) */
    ProxyHarness(Path dir, Consumer<ProxyConfig.Builder> configure) {
        this(dir, new SimpleMeterRegistry(), configure, p -> { }, null);
    }

    /**
     * @param registry     the proxy's registry
     * @param configure    changes the proxy's configuration
     * @param collaborate  changes the proxy's collaborators (rate limiter, auth callout, event sink...)
     * @param upstreamPort the upstream port, or null for a private Mosquitto
     */
    ProxyHarness(Path dir, SimpleMeterRegistry registry, Consumer<ProxyConfig.Builder> configure,
                 Consumer<SentinelProxy.Builder> collaborate, Integer upstreamPort) {
        this.dir = dir;
        this.registry = registry;
        this.ca = TestCertificates.create(dir);
        this.server = ca.server("server");
        this.broker = upstreamPort == null ? MosquittoProcess.start(dir) : null;
        try {
            ProxyConfig.Builder config = ProxyConfig.builder()
                    .tlsPort(0)
                    .bindAddress("127.0.0.1")
                    .upstream("127.0.0.1", broker == null ? upstreamPort : broker.plainPort())
                    .tls(server.certFile(), server.keyFile())
                    .workerThreads(2);
            configure.accept(config);
            SentinelProxy.Builder b = SentinelProxy.builder(config.build())
                    .meterRegistry(registry)
                    .authCallout(r -> auth.get().authenticate(r))
                    .rateLimiter((k, s, c) -> limiter.get().tryAcquire(k, s, c));
            collaborate.accept(b);
            this.proxy = b.build().start();
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /** @return a client builder for the proxy's TLS port that trusts the test CA */
    Mqtt3ClientBuilder device(String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(proxy.tlsPort())
                .sslConfig().trustManagerFactory(trust()).handshakeTimeout(5, TimeUnit.SECONDS).applySslConfig();
    }

    /** @return a client with a client certificate */
    Mqtt3ClientBuilder deviceWithCertificate(String clientId, TestCertificates.Issued cert) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(proxy.tlsPort())
                .sslConfig().trustManagerFactory(trust()).keyManagerFactory(keys(cert))
                .handshakeTimeout(5, TimeUnit.SECONDS).applySslConfig();
    }

    /** @return a plain client straight to the broker, bypassing the proxy */
    Mqtt3BlockingClient direct(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.plainPort()).buildBlocking();
        c.connect();
        return c;
    }

    TrustManagerFactory trust() {
        return trust(ca.caFile());
    }

    static TrustManagerFactory trust(Path caFile) {
        return TestCertificates.trustManagerFactory(caFile);
    }

    static KeyManagerFactory keys(TestCertificates.Issued issued) {
        return TestCertificates.keyManagerFactory(issued);
    }

    /** @return the value of a counter, 0 when it does not exist */
    double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    static List<String> tls13() {
        return List.of("TLSv1.3");
    }

    /** Connects and returns the CONNACK return code (SUCCESS included); disconnects again on success. */
    static com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode connack(
            Mqtt3BlockingClient client, String username, String password) {
        try {
            var connect = client.connectWith();
            if (username != null) {
                connect.simpleAuth().username(username)
                        .password(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth();
            }
            var code = connect.send().getReturnCode();
            client.disconnect();
            return code;
        } catch (com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException e) {
            return e.getMqttMessage().getReturnCode();
        }
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
