package io.mqttsentinel.inspect;

import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Megabyte-sized adversarial inputs finish (a quadratic step would take hours on these sizes; the timeout
 * is a guard, not a measurement: the per-byte cost across sizes is measured by WorstCaseBenchmark in
 * sentinel-bench).
 */
class WorstCaseInputTest {

    private static final MessageContext CTX = new MessageContext("dev-1", "t", 0, "", 0L);

    private static String shape(String shape, int size) {
        return switch (shape) {
            case "nested-json" -> "[".repeat(size / 2) + "]".repeat(size / 2);
            case "quotes" -> "{\"a\":\"" + "'".repeat(size) + "\"}";
            case "angle-brackets" -> "<a b='".repeat(size / 6);
            case "parentheses" -> "(".repeat(size / 2) + "1 or 1=1";
            case "percent" -> "%25".repeat(size / 3);
            case "or-chain" -> "'or'".repeat(size / 4);
            case "json-escapes" -> "{\"a\":\"" + "\\u0027".repeat(size / 6) + "\"}";
            case "dots" -> "../.".repeat(size / 4);
            case "union-chain" -> "union ".repeat(size / 6);
            case "function-chain" -> "concat(".repeat(size / 7);
            default -> throw new IllegalArgumentException(shape);
        };
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void inspect_megabyteAdversarialInputs_complete() {
        PayloadInspector inspector = SignatureInspector.withDefaults();
        for (String shape : new String[] {"nested-json", "quotes", "angle-brackets", "parentheses", "percent", "or-chain",
            "json-escapes", "dots", "union-chain", "function-chain"}) {
            byte[] payload = shape(shape, 1 << 20).getBytes(StandardCharsets.UTF_8);
            Verdict v = inspector.inspect(CTX, ByteBuffer.wrap(payload));
            assertThat(v).as(shape).isNotNull();
        }
    }

    @Test
    void inspect_deeplyNestedJson_isInspectedAsText() {
        PayloadInspector inspector = SignatureInspector.withDefaults();
        String payload = "[".repeat(1000) + "\"; cat /etc/passwd\"" + "]".repeat(1000);
        assertThat(inspector.inspect(CTX, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8))).action().delivers())
                .isFalse();
    }
}
