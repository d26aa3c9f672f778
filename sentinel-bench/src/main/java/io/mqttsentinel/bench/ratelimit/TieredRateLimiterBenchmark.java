package io.mqttsentinel.bench.ratelimit;

import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Nanoseconds per {@link TieredRateLimiter#tryAcquire} on the six-tier path.
 *
 * <p>Limits are set so high that every packet is admitted (the common, full path: GLOBAL, IP, then
 * CONNECT or PUBLISH, then CLIENT), except in {@link #publishRejectedAtClientTier}, where the last tier
 * rejects and the three tokens taken before are given back.
 *
 * <pre>
 * java -jar sentinel-bench/target/benchmarks.jar TieredRateLimiterBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class TieredRateLimiterBenchmark {
    /** Keys in the spread benchmarks: 2^20, the default per-tier key cap. */
    static final int SPREAD = 1 << 20;
    /** An odd stride through the key arrays, so consecutive packets hit unrelated cache lines. */
    static final int STRIDE = 0x9E3779B1 & (SPREAD - 1) | 1;

    static RateLimitConfig unlimited() {
        RateLimitConfig.Builder b = RateLimitConfig.builder().maxKeysPerTier(SPREAD);
        for (RateLimitTier t : RateLimitTier.values()) {
            b.limit(t, RateLimitConfig.MAX_RATE, RateLimitConfig.MAX_BURST);
        }
        return b.build();
    }

    static InetAddress ipv4(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One device sending over and over: every bucket it touches stays in cache. */
    @State(Scope.Benchmark)
    public static class HotKey {
        TieredRateLimiter limiter;
        TieredRateLimiter rejecting;
        InetAddress source;
        InetAddress source6;
        String clientId;

        @Setup(Level.Trial)
        public void setUp() throws UnknownHostException {
            limiter = TieredRateLimiter.create(unlimited());
            rejecting = TieredRateLimiter.create(unlimited().toBuilder().limit(RateLimitTier.CLIENT, 1, 1).build());
            source = InetAddress.getByName("203.0.113.10");
            source6 = InetAddress.getByName("2001:db8:0:1::10");
            clientId = "sensor-00042-eu-west";
        }
    }

    /** A million devices, each sending now and then: buckets are cold in cache. */
    @State(Scope.Thread)
    public static class Spread {
        TieredRateLimiter limiter;
        InetAddress[] sources = new InetAddress[SPREAD];
        String[] clientIds = new String[SPREAD];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            limiter = TieredRateLimiter.create(unlimited());
            for (int i = 0; i < SPREAD; i++) {
                sources[i] = ipv4(i);
                clientIds[i] = "sensor-" + (1_000_000 + i) + "-eu-west";
                // every key tracked before measuring: the steady state of a full node
                limiter.tryAcquire(PacketKind.PUBLISH, sources[i], clientIds[i]);
            }
        }
    }

    @Benchmark
    public RateLimitDecision publishHotKey(HotKey s) {
        return s.limiter.tryAcquire(PacketKind.PUBLISH, s.source, s.clientId);
    }

    @Benchmark
    public RateLimitDecision connectHotKey(HotKey s) {
        return s.limiter.tryAcquire(PacketKind.CONNECT, s.source, s.clientId);
    }

    @Benchmark
    public RateLimitDecision publishHotKeyIpv6(HotKey s) {
        return s.limiter.tryAcquire(PacketKind.PUBLISH, s.source6, s.clientId);
    }

    @Benchmark
    public RateLimitDecision otherBeforeClientIdKnown(HotKey s) {
        return s.limiter.tryAcquire(PacketKind.OTHER, s.source, null);
    }

    @Benchmark
    public RateLimitDecision publishRejectedAtClientTier(HotKey s) {
        return s.rejecting.tryAcquire(PacketKind.PUBLISH, s.source, s.clientId);
    }

    @Benchmark
    @Threads(2)
    public RateLimitDecision publishHotKeyTwoThreads(HotKey s) {
        return s.limiter.tryAcquire(PacketKind.PUBLISH, s.source, s.clientId);
    }

    /** What {@link #publishSpread1M} pays for the device's own data (address, client id) alone, for scale. */
    @Benchmark
    public int spread1MDeviceDataOnly(Spread s) {
        int i = s.next = (s.next + STRIDE) & (SPREAD - 1);
        String id = s.clientIds[i];
        return s.sources[i].hashCode() ^ id.charAt(id.length() - 1);
    }

    @Benchmark
    public RateLimitDecision publishSpread1M(Spread s) {
        int i = s.next = (s.next + STRIDE) & (SPREAD - 1);
        return s.limiter.tryAcquire(PacketKind.PUBLISH, s.sources[i], s.clientIds[i]);
    }
}
