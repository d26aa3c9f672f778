package io.mqttsentinel.bench.inspect;

import io.mqttsentinel.testkit.TelemetryGenerator;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.inspect.SignatureInspector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Throughput per core measured in thread CPU time rather than wall time: on a shared, oversubscribed
 * machine the wall time of a JMH run counts the time the benchmark thread waits for a core; CPU time
 * does not. A complement to {@link InspectorBenchmark}, same payloads. Bounded: a fixed number of rounds.
 *
 * <pre>java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.inspect.InspectorCpuThroughput</pre>
 */
public final class InspectorCpuThroughput {

    private InspectorCpuThroughput() {
    }

    public static void main(String[] args) {
        PayloadInspector inspector = SignatureInspector.withDefaults();
        TelemetryGenerator gen = new TelemetryGenerator(42);
        String[] notes = {
            "Operator's note: select the union hall sensors and drop readings below 0",
            "It's fine, don't worry - we'll check it tomorrow; 1 or 2 units offline",
            "User said: \\\"the drop-down didn't load\\\" at /var/log/app.log",
            "check https://status.example.com/devices?id=42&view=full or call O'Brien & Sons",
        };
        ByteBuffer[] benign = new ByteBuffer[64];
        ByteBuffer[] expensive = new ByteBuffer[64];
        ByteBuffer[] mixed = new ByteBuffer[64];
        ByteBuffer[] oneSuspicious = new ByteBuffer[64];
        ByteBuffer[] prose = new ByteBuffer[64];
        for (int i = 0; i < 64; i++) {
            benign[i] = ByteBuffer.wrap(gen.jsonOfSize(1024));
            prose[i] = ByteBuffer.wrap(gen.proseJsonOfSize(1024));
            mixed[i] = ByteBuffer.wrap(gen.next());
            String body = new String(gen.jsonOfSize(1000), StandardCharsets.UTF_8);
            oneSuspicious[i] = ByteBuffer.wrap(("{\"note\":\"" + notes[i % notes.length] + "\"," + body.substring(1))
                    .getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("{\"device\":\"sensor-" + i + "\"");
            int n = 0;
            while (sb.length() < 1000) {
                sb.append(",\"note").append(n).append("\":\"").append(notes[(i + n) % notes.length]).append('"');
                n++;
            }
            expensive[i] = ByteBuffer.wrap(sb.append('}').toString().getBytes(StandardCharsets.UTF_8));
        }
        run("benign1k", inspector, benign);
        run("expensive1k", inspector, expensive);
        run("prose1k", inspector, prose);
        run("oneSuspicious1k", inspector, oneSuspicious);
        run("mixed", inspector, mixed);
    }

    private static void run(String name, PayloadInspector inspector, ByteBuffer[] set) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        MessageContext ctx = new MessageContext("sensor-1", "devices/sensor-1/telemetry", 1, "", 0L);
        long bytes = 0;
        for (ByteBuffer b : set) {
            bytes += b.remaining();
        }
        double best = Double.MAX_VALUE;
        int iterations = 50_000;
        for (int round = 0; round < 10; round++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < iterations; k++) {
                inspector.inspect(ctx, set[k & 63]);
            }
            double perOp = (mx.getCurrentThreadCpuTime() - cpu0) / (double) iterations;
            if (round >= 3) {
                best = Math.min(best, perOp);
            }
        }
        double avgBytes = bytes / (double) set.length;
        System.out.printf("%-16s %6.0f bytes/op  best %8.0f ns/op CPU  %7.1f MB/s per core%n", name, avgBytes, best,
                avgBytes / best * 1000);
    }
}
