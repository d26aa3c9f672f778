package io.mqttsentinel.inspect;

import io.mqttsentinel.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class AnomalyInspectorTest {

    private static final MessageContext CTX = new MessageContext("dev-1", "t", 1, "", 0L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));
    private final AnomalyInspector inspector = AnomalyInspector.create(InspectorConfig.ofDefaults(), registry, clock.ticker());

    private static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return ByteBuffer.wrap(b);
    }

    private double anomalies(String type) {
        return registry.get("inspector.anomalies.detected").tag("type", type).counter().count();
    }

    @Test
    void inspect_payloadAboveTenKilobytes_quarantines() {
        byte[] big = new byte[10_241];
        Arrays.fill(big, (byte) 'a');

        Verdict v = inspector.inspect(CTX, ByteBuffer.wrap(big));

        assertThat(v.action()).isEqualTo(Action.QUARANTINE);
        assertThat(v.primary().orElseThrow().category()).isEqualTo(ThreatCategory.PAYLOAD_SIZE);
        assertThat(anomalies("payload_size")).isEqualTo(1.0);
        assertThat(inspector.inspect(CTX, ByteBuffer.wrap(new byte[10_240]))).isSameAs(Verdict.allow());
    }

    @Test
    void inspect_randomBytes_flagsEntropy_butDelivers() {
        Verdict v = inspector.inspect(CTX, random(4096, 1));

        assertThat(v.action()).isEqualTo(Action.FLAG);
        assertThat(v.action().delivers()).isTrue();
        assertThat(v.primary().orElseThrow().ruleId()).isEqualTo(AnomalyInspector.ENTROPY_RULE);
        assertThat(anomalies("entropy")).isEqualTo(1.0);
    }

    @Test
    void inspect_smallRandomOrLargeText_noEntropyFinding() {
        assertThat(inspector.inspect(CTX, random(512, 2)).action()).isEqualTo(Action.ALLOW);
        byte[] text = new byte[8192];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) (0x20 + r.nextInt(95));
        }
        assertThat(inspector.inspect(CTX, ByteBuffer.wrap(text)).action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void inspect_clientAbove100PerSecond_excessIsRateLimited_andRefillsWithTime() {
        ByteBuffer p = ByteBuffer.wrap("{}".getBytes());
        for (int i = 0; i < 100; i++) {
            assertThat(inspector.inspect(CTX, p).action()).as("message %d", i).isEqualTo(Action.ALLOW);
        }
        Verdict over = inspector.inspect(CTX, p);
        assertThat(over.action()).isEqualTo(Action.BLOCK);
        assertThat(over.primary().orElseThrow().ruleId()).isEqualTo(AnomalyInspector.MESSAGE_RATE_RULE);
        assertThat(anomalies("rate")).isEqualTo(1.0);
        assertThat(registry.get("inspector.messages.blocked").tag("category", "rate").counter().count()).isEqualTo(1.0);
        // another client is not affected
        assertThat(inspector.inspect(new MessageContext("dev-2", "t", 1, "", 0L), p).action()).isEqualTo(Action.ALLOW);

        clock.advance(Duration.ofMillis(100)); // 10 tokens back
        for (int i = 0; i < 10; i++) {
            assertThat(inspector.inspect(CTX, p).action()).isEqualTo(Action.ALLOW);
        }
        assertThat(inspector.inspect(CTX, p).action()).isEqualTo(Action.BLOCK);
    }

    @Test
    void inspect_rateExemptClient_isNotRateLimited_butStillInspected() {
        AnomalyInspector withBridge = AnomalyInspector.create(
                InspectorConfig.fromEnvironment(java.util.Map.of(InspectorConfig.ENV_RATE_EXEMPT, "sentinel-bridge, ops-tool")),
                new SimpleMeterRegistry(), clock.ticker());
        MessageContext bridge = new MessageContext("sentinel-bridge", "clients/dev-1/alerts", 1, "", 0L);
        ByteBuffer p = ByteBuffer.wrap("{}".getBytes());
        for (int i = 0; i < 1000; i++) {
            assertThat(withBridge.inspect(bridge, p).action()).as("message %d", i).isEqualTo(Action.ALLOW);
        }
        assertThat(withBridge.inspect(bridge, random(20_000, 4)).action()).isEqualTo(Action.QUARANTINE); // size still applies
        for (int i = 0; i < 100; i++) {
            withBridge.inspect(CTX, p);
        }
        assertThat(withBridge.inspect(CTX, p).action()).isEqualTo(Action.BLOCK); // others are limited as before
    }

    @Test
    void inspectConnection_sourceAbove100PerSecond_blocksTheExcess() {
        for (int i = 0; i < 100; i++) {
            assertThat(inspector.inspectConnection("198.51.100.7")).isSameAs(Verdict.allow());
        }
        Verdict v = inspector.inspectConnection("198.51.100.7");
        assertThat(v.action()).isEqualTo(Action.BLOCK);
        assertThat(v.primary().orElseThrow().ruleId()).isEqualTo(AnomalyInspector.CONNECTION_RATE_RULE);
        clock.advance(Duration.ofSeconds(1));
        assertThat(inspector.inspectConnection("198.51.100.7")).isSameAs(Verdict.allow());
    }

    @Test
    void inspect_manyClients_trackedKeysStayBounded() {
        AnomalyInspector small = AnomalyInspector.create(InspectorConfig.builder().rateTrackedKeys(10).rateLimit(1).build(),
                new SimpleMeterRegistry(), clock.ticker());
        ByteBuffer p = ByteBuffer.wrap("{}".getBytes());
        for (int i = 0; i < 50; i++) {
            small.inspect(new MessageContext("c" + i, "t", 0, "", 0L), p);
        }
        clock.advance(Duration.ofSeconds(3));
        // idle buckets are swept: new clients are tracked (and limited) again
        MessageContext fresh = new MessageContext("fresh", "t", 0, "", 0L);
        assertThat(small.inspect(fresh, p).action()).isEqualTo(Action.ALLOW);
        assertThat(small.inspect(fresh, p).action()).isEqualTo(Action.BLOCK);
    }
}
