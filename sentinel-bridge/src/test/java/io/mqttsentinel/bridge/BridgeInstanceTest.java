package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** {@link BridgeInstance}: a bridge alone, or under a lease when the configuration sets one; what it says it runs. */
class BridgeInstanceTest {

    private static BridgeConfig config(String... kv) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(BridgeConfig.ORIGIN_URL,
                "wss://origin.example.com/mqtt?token=s3cret", BridgeConfig.CORE, "127.0.0.1:1,127.0.0.1:2"));
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return BridgeConfig.fromEnvironment(env);
    }

    @Test
    void withoutLease_aBridgeAlone_describedByItsCoresAndMaskedOrigin() {
        try (BridgeInstance bridge = BridgeInstance.of(config(), new SimpleMeterRegistry())) {
            assertThat(bridge.toString()).startsWith("BridgeInstance[Bridge[");
            assertThat(bridge.describe())
                    .isEqualTo("core 127.0.0.1:1,127.0.0.1:2 -> origin wss://origin.example.com/mqtt?token=****");
            assertThat(bridge.isReady()).as("not started").isFalse();
        }
    }

    @Test
    void withLease_aLease_namingItsDurationAndInstance() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BridgeInstance bridge = BridgeInstance.of(config(BridgeConfig.LEASE, "30s"), registry)) {
            assertThat(bridge.toString()).startsWith("BridgeInstance[BridgeLease[");
            assertThat(bridge.describe()).matches("lease PT30S as [0-9a-f]{16}, core 127\\.0\\.0\\.1:1,127\\.0\\.0\\.1:2 "
                    + "-> origin wss://origin\\.example\\.com/mqtt\\?token=\\*\\*\\*\\*");
            assertThat(bridge.isReady()).as("not started").isFalse();
            assertThat(registry.find("bridge_lease_held").gauge()).as("the lease's meters").isNotNull();
        }
    }

    @Test
    void close_isIdempotent() {
        BridgeInstance bridge = BridgeInstance.of(config(), new SimpleMeterRegistry());
        bridge.close();
        bridge.close();
        assertThat(bridge.isReady()).isFalse();
    }
}
