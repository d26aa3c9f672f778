package io.mqttsentinel.bench.inspect;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.SignatureInspector;
import io.mqttsentinel.testkit.TelemetryGenerator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * False positives of the signature inspector on a million generated benign telemetry messages (the target is
 * none). The unit test {@code GeneratedTelemetryFalsePositiveTest} runs 100,000 of the same stream in CI; this
 * run is ten times longer (about 15 s on one core) and is kept out of the build.
 *
 * <pre>java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.inspect.FalsePositiveRun [messages] [seed]</pre>
 *
 * Exits with status 1 when any message gets a finding, printing the first ten.
 */
public final class FalsePositiveRun {

    private FalsePositiveRun() {
    }

    public static void main(String[] args) {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261125L;
        PayloadInspector inspector = SignatureInspector.withDefaults();
        TelemetryGenerator gen = new TelemetryGenerator(seed);
        MessageContext ctx = new MessageContext("dev-1", "devices/dev-1/telemetry", 1, "", 0L);
        int found = 0;
        long bytes = 0;
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            byte[] m = gen.next();
            bytes += m.length;
            Verdict v = inspector.inspect(ctx, ByteBuffer.wrap(m));
            if (v.action() != Action.ALLOW && found++ < 10) {
                System.out.println("FP " + i + ": " + new String(m, StandardCharsets.UTF_8) + " -> " + v.findings());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("seed %d: %d messages (%.1f MB), %d with findings, %.1f s%n", seed, messages, bytes / 1e6,
                found, seconds);
        if (found > 0) {
            System.exit(1);
        }
    }
}
