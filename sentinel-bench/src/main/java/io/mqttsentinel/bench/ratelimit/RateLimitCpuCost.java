package io.mqttsentinel.bench.ratelimit;

import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.api.RateLimiter;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * CPU nanoseconds per {@code tryAcquire}, measured with the thread's CPU clock rather than the wall clock,
 * for a machine shared with other work (where JMH's wall-clock figures include the time this thread waited
 * for a core). Same scenarios as {@link TieredRateLimiterBenchmark}; single thread; the JIT is warmed up
 * first, then each scenario runs {@value #ROUNDS} rounds and the median and best round are printed.
 *
 * <pre>
 * java -Xmx3g -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.ratelimit.RateLimitCpuCost [filter]
 * </pre>
 */
public final class RateLimitCpuCost {
    private static final int ROUNDS = 9;
    private static final int OPS = 5_000_000;
    /** Fewer operations for the cache-missing scenarios, which are ten times slower. */
    private static final int SPREAD_OPS = 1_000_000;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static long sink;

    private RateLimitCpuCost() {
    }

    /** One scenario: a call of the limiter for operation {@code i}. */
    private interface Op {
        boolean run(int i);
    }

    /** @param args optional: only scenarios whose name contains this text */
    public static void main(String[] args) throws Exception {
        String only = args.length > 0 ? args[0] : "";
        RateLimiter limiter = TieredRateLimiter.create(TieredRateLimiterBenchmark.unlimited());
        RateLimiter rejecting = TieredRateLimiter.create(
                TieredRateLimiterBenchmark.unlimited().toBuilder().limit(RateLimitTier.CLIENT, 1, 1).build());
        InetAddress v4 = InetAddress.getByName("203.0.113.10");
        InetAddress v6 = InetAddress.getByName("2001:db8:0:1::10");
        String id = "sensor-00042-eu-west";

        int spread = TieredRateLimiterBenchmark.SPREAD;
        RateLimiter spreadLimiter = TieredRateLimiter.create(TieredRateLimiterBenchmark.unlimited());
        InetAddress[] sources = new InetAddress[spread];
        String[] ids = new String[spread];
        for (int i = 0; i < spread; i++) {
            sources[i] = TieredRateLimiterBenchmark.ipv4(i);
            ids[i] = "sensor-" + (1_000_000 + i) + "-eu-west";
            spreadLimiter.tryAcquire(PacketKind.PUBLISH, sources[i], ids[i]);
        }
        int stride = TieredRateLimiterBenchmark.STRIDE;
        int mask = spread - 1;

        String[] names = {"publishHotKey", "connectHotKey", "publishHotKeyIpv6", "otherBeforeClientIdKnown",
            "publishRejectedAtClientTier", "publishSpread1M", "spread1MDeviceDataOnly", "System.nanoTime alone"};
        Op[] ops = {
            i -> limiter.tryAcquire(PacketKind.PUBLISH, v4, id).isAllowed(),
            i -> limiter.tryAcquire(PacketKind.CONNECT, v4, id).isAllowed(),
            i -> limiter.tryAcquire(PacketKind.PUBLISH, v6, id).isAllowed(),
            i -> limiter.tryAcquire(PacketKind.OTHER, v4, null).isAllowed(),
            i -> rejecting.tryAcquire(PacketKind.PUBLISH, v4, id).isAllowed(),
            i -> {
                int k = (int) ((long) i * stride) & mask;
                return spreadLimiter.tryAcquire(PacketKind.PUBLISH, sources[k], ids[k]).isAllowed();
            },
            i -> {
                // what publishSpread1M pays for the device's own data (address and client id), without the limiter
                int k = (int) ((long) i * stride) & mask;
                String id1 = ids[k];
                return ((sources[k].hashCode() ^ id1.charAt(id1.length() - 1)) & 1) == 0;
            },
            i -> (System.nanoTime() & 1) == 0,
        };
        int[] count = new int[ops.length];
        for (int s = 0; s < ops.length; s++) {
            count[s] = names[s].contains("Spread") || names[s].startsWith("spread") ? SPREAD_OPS : OPS;
        }
        for (int s = 0; s < ops.length; s++) {
            if (!names[s].contains(only)) {
                count[s] = 0;
            }
        }
        for (int w = 0; w < 3; w++) {
            for (int s = 0; s < ops.length; s++) {
                run(ops[s], count[s]);
            }
        }
        System.out.printf("%-32s %12s %12s%n", "scenario", "median ns", "best ns");
        for (int s = 0; s < ops.length; s++) {
            if (count[s] == 0) {
                continue;
            }
            double[] perOp = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                perOp[r] = run(ops[s], count[s]) / (double) count[s];
            }
            Arrays.sort(perOp);
            System.out.printf("%-32s %12.1f %12.1f%n", names[s], perOp[ROUNDS / 2], perOp[0]);
        }
        System.out.println(sink == 42 ? "" : " ");
    }

    private static long run(Op op, int n) {
        long admitted = 0;
        long start = MX.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            if (op.run(i)) {
                admitted++;
            }
        }
        long cpu = MX.getCurrentThreadCpuTime() - start;
        sink += admitted;
        return cpu;
    }
}
