package io.mqttsentinel.bench.inspect;

import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.SignatureInspector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Adversarial inputs at growing sizes: linear cost shows as a constant time per byte across sizes.
 *
 * <pre>java -jar sentinel-bench/target/benchmarks.jar WorstCaseBenchmark -f 1 -wi 1 -i 3 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WorstCaseBenchmark {

    @Param({"65536", "262144", "1048576"})
    public int size;

    @Param({"nested-json", "quotes", "angle-brackets", "parentheses", "percent", "or-chain", "json-escapes", "dots"})
    public String shape;

    private final PayloadInspector inspector = SignatureInspector.withDefaults();
    private final MessageContext context = new MessageContext("sensor-1", "t", 1, "", 0L);
    private ByteBuffer payload;

    @Setup(Level.Trial)
    public void setUp() {
        payload = ByteBuffer.wrap(shape(shape, size));
    }

    /** @return {@code size} bytes of the given adversarial shape */
    public static byte[] shape(String shape, int size) {
        StringBuilder sb = new StringBuilder(size + 16);
        switch (shape) {
            case "nested-json" -> {
                int depth = size / 2;
                sb.append("[".repeat(depth)).append("]".repeat(depth));
            }
            case "quotes" -> sb.append("{\"a\":\"").append("'".repeat(size - 10)).append("\"}");
            case "angle-brackets" -> sb.append("<a b='".repeat(size / 6));
            case "parentheses" -> sb.append("(".repeat(size / 2)).append("1 or 1=1");
            case "percent" -> sb.append("%25".repeat(size / 3));
            case "or-chain" -> sb.append("'or'".repeat(size / 4));
            case "json-escapes" -> sb.append("{\"a\":\"").append("\\u0027".repeat((size - 10) / 6)).append("\"}");
            case "dots" -> sb.append("../.".repeat(size / 4));
            default -> throw new IllegalArgumentException(shape);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public Verdict inspect() {
        return inspector.inspect(context, payload);
    }
}
