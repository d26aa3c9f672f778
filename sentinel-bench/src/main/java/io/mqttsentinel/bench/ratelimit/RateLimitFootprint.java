package io.mqttsentinel.bench.ratelimit;

import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import java.net.InetAddress;
import org.openjdk.jol.info.GraphLayout;

/**
 * Bytes of heap per tracked key, measured with JOL: the retained graph of a {@link TieredRateLimiter} after N
 * new keys, minus the graph before, divided by the keys added. Client ids themselves are not retained (the
 * limiter keeps a 64-bit keyed hash), so the figure is the limiter's own cost.
 *
 * <pre>
 * java -Xmx3g -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.ratelimit.RateLimitFootprint [N]
 * </pre>
 */
public final class RateLimitFootprint {
    private RateLimitFootprint() {
    }

    /**
     * @param args optional number of keys per measurement (default 1,000,000)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        System.out.printf("keys per measurement: %,d%n", n);

        // IP tier only: packets whose client id is not known yet, from n distinct IPv4 sources
        TieredRateLimiter ipOnly = TieredRateLimiter.create(TieredRateLimiterBenchmark.unlimited());
        long before = GraphLayout.parseInstance(ipOnly).totalSize();
        for (int i = 0; i < n; i++) {
            ipOnly.tryAcquire(PacketKind.OTHER, TieredRateLimiterBenchmark.ipv4(i), null);
        }
        long after = GraphLayout.parseInstance(ipOnly).totalSize();
        report("IP tier (per source address)", after - before, ipOnly.trackedKeys(RateLimitTier.IP));

        // client-id tiers: n distinct client ids from one address add a PUBLISH and a CLIENT bucket each
        TieredRateLimiter clients = TieredRateLimiter.create(TieredRateLimiterBenchmark.unlimited());
        InetAddress one = TieredRateLimiterBenchmark.ipv4(1);
        clients.tryAcquire(PacketKind.PUBLISH, one, "warm-up");
        before = GraphLayout.parseInstance(clients).totalSize();
        for (int i = 0; i < n; i++) {
            clients.tryAcquire(PacketKind.PUBLISH, one, "sensor-" + (1_000_000 + i) + "-eu-west");
        }
        after = GraphLayout.parseInstance(clients).totalSize();
        int tracked = clients.trackedKeys(RateLimitTier.PUBLISH) + clients.trackedKeys(RateLimitTier.CLIENT) - 2;
        report("PUBLISH + CLIENT tiers (per client id and tier)", after - before, tracked);

        // a whole device: CONNECT, then PUBLISH, from its own address with its own client id
        TieredRateLimiter devices = TieredRateLimiter.create(TieredRateLimiterBenchmark.unlimited());
        before = GraphLayout.parseInstance(devices).totalSize();
        for (int i = 0; i < n; i++) {
            InetAddress source = TieredRateLimiterBenchmark.ipv4(i);
            String id = "sensor-" + (1_000_000 + i) + "-eu-west";
            devices.tryAcquire(PacketKind.CONNECT, source, id);
            devices.tryAcquire(PacketKind.PUBLISH, source, id);
        }
        after = GraphLayout.parseInstance(devices).totalSize();
        System.out.printf("%-50s %,14d bytes for %,d devices = %.1f bytes per device (IP, CONNECT, PUBLISH,"
                + " CLIENT buckets)%n", "whole device", after - before, n, (after - before) / (double) n);
    }

    private static void report(String what, long bytes, int keys) {
        System.out.printf("%-50s %,14d bytes for %,d keys = %.1f bytes per key%n", what, bytes, keys,
                bytes / (double) keys);
    }
}
