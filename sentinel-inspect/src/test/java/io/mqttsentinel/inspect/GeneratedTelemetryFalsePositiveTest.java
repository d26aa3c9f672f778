package io.mqttsentinel.inspect;

import io.mqttsentinel.testkit.TelemetryGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** No false positive on 100,000 seeded benign telemetry messages (sentinel-bench runs 1,000,000). */
class GeneratedTelemetryFalsePositiveTest {

    static final int MESSAGES = 100_000;

    /** @return the signature findings of the generated traffic, as "payload -> findings" lines */
    static List<String> falsePositives(long seed, int messages) {
        PayloadInspector inspector = SignatureInspector.withDefaults();
        TelemetryGenerator gen = new TelemetryGenerator(seed);
        MessageContext ctx = new MessageContext("dev-1", "devices/dev-1/telemetry", 1, "", 0L);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            byte[] m = gen.next();
            Verdict v = inspector.inspect(ctx, ByteBuffer.wrap(m));
            if (v.action() != Action.ALLOW) {
                out.add(new String(m, StandardCharsets.UTF_8) + " -> " + v.findings());
            }
        }
        return out;
    }

    @Test
    void generatedTelemetry_100kMessages_noFalsePositive() {
        // the target is 0 in 1,000,000 (sentinel-bench's inspect.FalsePositiveRun runs that many); CI runs 100k
        List<String> fp = falsePositives(20261125L, MESSAGES);

        assertThat(fp).as("false positives").isEmpty();
    }

    @Test
    void proseOnlyMessages_theBenchmarksExpensiveShape_haveNoFindings() {
        // the shape InspectorBenchmark.signaturesProse1k measures: it must be benign for the figure to mean anything
        PayloadInspector inspector = SignatureInspector.withDefaults();
        TelemetryGenerator gen = new TelemetryGenerator(42L);
        MessageContext ctx = new MessageContext("dev-1", "devices/dev-1/telemetry", 1, "", 0L);
        List<String> fp = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            byte[] m = gen.proseJsonOfSize(1024);
            Verdict v = inspector.inspect(ctx, ByteBuffer.wrap(m));
            if (v.action() != Action.ALLOW) {
                fp.add(new String(m, StandardCharsets.UTF_8) + " -> " + v.findings());
            }
        }
        assertThat(fp).isEmpty();
    }

    @Test
    void generatedTelemetry_standardInspectorWithAnomalies_nothingBlockedOrQuarantined() {
        // all anomalies on, a ticker that stands still and one client id per message so that the rate detector stays quiet
        PayloadInspector inspector = Inspectors.standard(InspectorConfig.ofDefaults(), new SimpleMeterRegistry(), () -> 0L);
        TelemetryGenerator gen = new TelemetryGenerator(7L);
        int blocked = 0;
        for (int i = 0; i < 10_000; i++) {
            MessageContext ctx = new MessageContext("dev-" + i, "devices/telemetry", 1, "", 0L);
            if (!inspector.inspect(ctx, ByteBuffer.wrap(gen.next())).action().delivers()) {
                blocked++;
            }
        }
        assertThat(blocked).isLessThanOrEqualTo(1);
    }

    /** @param args optionally the number of messages (default {@value #MESSAGES}) */
    public static void main(String[] args) {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : MESSAGES;
        long start = System.nanoTime();
        List<String> fp = falsePositives(20261125L, messages);
        System.out.printf("false positives: %d of %d (%.1f s)%n", fp.size(), messages, (System.nanoTime() - start) / 1e9);
        java.util.Map<String, Long> byFinding = new java.util.TreeMap<>();
        for (String line : fp) {
            String findings = line.substring(line.lastIndexOf(" -> ") + 4);
            byFinding.merge(findings, 1L, Long::sum);
        }
        byFinding.forEach((k, v) -> System.out.println(v + "  " + k));
    }
}
