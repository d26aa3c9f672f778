package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.TestCertificates;

/** The bridge's link to a core that accepts only certificates of its CA (mutual TLS), both directions. */
class TrustedCoreBridgeTest {
    @TempDir
    Path dir;
    SegmentedFileLog log;
    SentinelBroker broker;
    Bridge bridge;
    TestCertificates ca;
    final BlockingQueue<EgressMessage> atOrigin = new LinkedBlockingQueue<>();
    final AtomicReference<Egress.InboundListener> fromOrigin = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private void startCore() throws Exception {
        ca = TestCertificates.create(Files.createDirectories(dir.resolve("core-ca")));
        TestCertificates.Issued server = ca.server("broker");
        log = SegmentedFileLog.builder(dir.resolve("log")).fsyncPolicy(FsyncPolicy.OS).open();
        broker = SentinelBroker.builder().port(0).bindAddress("127.0.0.1").messageLog(log)
                .tls(server.certFile(), server.keyFile(), ca.caFile()).build().start();
    }

    private Egress origin() {
        return new Egress() {
            @Override
            public CompletionStage<Void> start(InboundListener inbound) {
                fromOrigin.set(inbound);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> publish(EgressMessage message) {
                atOrigin.add(message);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean isConnected() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    private BridgeConfig.Builder config() {
        return BridgeConfig.builder().core("127.0.0.1", broker.port()).clientId("bridge-tls")
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(300), 0.2));
    }

    @Test
    void bridgeWithItsCertificate_carriesBothDirections() throws Exception {
        startCore();
        TestCertificates.Issued cert = ca.client("bridge", "sentinel-bridge");
        bridge = Bridge.builder(config().coreTls(cert.certFile(), cert.keyFile(), ca.caFile()).build())
                .egress(origin()).meterRegistry(new SimpleMeterRegistry()).build();
        bridge.start().toCompletableFuture().get(20, TimeUnit.SECONDS);

        broker.publish("clients/d1/telemetry", "{\"t\":1}".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        EgressMessage out = atOrigin.poll(20, TimeUnit.SECONDS);
        assertThat(out).as("core -> origin over TLS").isNotNull();
        assertThat(out.topic()).isEqualTo("sentinel/clients/d1/telemetry");

        // origin -> core: completes once the core acknowledged the publish (PUBACK over the TLS link)
        fromOrigin.get().onMessage(new EgressMessage("sentinel/alerts/d1", "stop".getBytes(StandardCharsets.UTF_8), 1, false))
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void bridgeWithoutACertificate_isNotAdmittedByTheCore() throws Exception {
        startCore();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        bridge = Bridge.builder(config().build()).egress(origin()).meterRegistry(registry).build();
        assertThatThrownBy(() -> bridge.start().toCompletableFuture().get(3, TimeUnit.SECONDS))
                .isInstanceOf(TimeoutException.class);
        assertThat(registry.get("bridge_connected").tag("side", "core").gauge().value()).isZero();
    }

    @Test
    void configuration_takesTheCoreTlsKeysTogether() throws Exception {
        startCore();
        TestCertificates.Issued cert = ca.client("bridge", "sentinel-bridge");
        BridgeConfig c = BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ORIGIN_URL, "ws://127.0.0.1:1/mqtt",
                BridgeConfig.CORE_TLS_CERT, cert.certFile().toString(), BridgeConfig.CORE_TLS_KEY, cert.keyFile().toString(),
                BridgeConfig.CORE_CA, ca.caFile().toString()));
        assertThat(c.coreTlsCert()).contains(cert.certFile());
        assertThat(c.coreCa()).contains(ca.caFile());
        assertThatThrownBy(() -> BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ORIGIN_URL, "ws://127.0.0.1:1/mqtt",
                BridgeConfig.CORE_TLS_CERT, cert.certFile().toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(BridgeConfig.CORE_CA);
    }
}
