package io.mqttsentinel.demo;

import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.launcher.LauncherConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * {@code sentinel demo --cluster}: the fleet on a {@link DemoCluster}, with two failures on the way. Once the
 * fleet is online, it sends telemetry for the run's duration; after a third of it the demo kills ({@code kill -9})
 * the broker node holding the most sessions, and its devices reconnect through their proxy to the other nodes
 * and resume their sessions from the Kafka log; after two thirds it kills the bridge holding the lease, and the
 * standby takes the lease over when it expires. A line a second says what is up and how many devices are cut
 * off; the books ({@link Ledger}) say at the end whether anything acknowledged was lost. The last line is
 * {@code acked N, delivered N, lost 0; longest interruption a device saw: X.X s}; exit code 0 when nothing
 * acknowledged (telemetry to the origin, alerts to the devices) was lost, 1 otherwise.
 */
final class ClusterRun {
    private final PrintWriter out;
    private final int devices;
    private final int duration;
    private final int intervalMs;
    private final CountDownLatch stop;
    private final ScheduledExecutorService scheduler;
    private final SourceAddresses sources;
    private final Ledger ledger;
    private final Interruptions interruptions;
    private long start;
    /** A note to print once its condition holds (checked with each progress line), or null. */
    private volatile BooleanSupplier pendingDone;
    private volatile Supplier<String> note;

    /**
     * @param out        where the lines go
     * @param devices    the fleet's size
     * @param duration   seconds of traffic once the fleet is online
     * @param intervalMs telemetry period of each device
     * @param stop       counted down by Ctrl-C
     * @param scheduler  the demo's scheduler
     * @param sources    the devices' source addresses
     */
    ClusterRun(PrintWriter out, int devices, int duration, int intervalMs, CountDownLatch stop,
               ScheduledExecutorService scheduler, SourceAddresses sources) {
        this.out = out;
        this.devices = devices;
        this.duration = duration;
        this.intervalMs = intervalMs;
        this.stop = stop;
        this.scheduler = scheduler;
        this.sources = sources;
        this.ledger = new Ledger(devices, Ticker.system());
        this.interruptions = new Interruptions(devices, Ticker.system());
    }

    /**
     * Starts the cluster, runs the fleet through both failures, prints the summary.
     *
     * @param base        the operator's configuration (tuning settings of the proxies)
     * @param dir         the data directory
     * @param deleteAfter whether to delete it at the end
     * @return the exit code
     * @throws Exception when the cluster does not start
     */
    int run(LauncherConfig base, Path dir, boolean deleteAfter) throws Exception {
        long wallStart = System.nanoTime();
        say("demo: starting Kafka (3 brokers, in this JVM), 3 broker nodes and 2 bridges (child JVMs), 2 proxies; data in "
                + dir + (deleteAfter ? " (deleted at exit; --keep keeps it)" : ""));
        try (DemoCluster cluster = DemoCluster.start(sources.tune(base, devices), dir, deleteAfter, out)) {
            say(cluster.describe());
            Fleet fleet = new Fleet(devices, Duration.ofMillis(intervalMs), cluster.auth(), cluster.proxies(), sources,
                    ledger, scheduler, interruptions);
            say(String.format(Locale.ROOT, "demo: %,d devices, half on each proxy (QoS 1 telemetry every %,d ms, persistent "
                    + "sessions, alerts back on clients/{id}/alerts); %s", devices, intervalMs, sources.describe(devices)));
            say(String.format(Locale.ROOT, "demo: once they are online, %d s of traffic: kill -9 of the broker node with the "
                    + "most sessions after %d s, of the bridge holding the lease after %d s", duration, duration / 3,
                    2 * duration / 3));
            try (OriginApp origin = OriginApp.start(cluster.origin().mqttPort(), ledger, Map.of(), null)) {
                return traffic(cluster, fleet, origin, wallStart);
            } finally {
                fleet.close();
            }
        }
    }

    private int traffic(DemoCluster cluster, Fleet fleet, OriginApp origin, long wallStart) throws Exception {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-demo-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            start = System.nanoTime();
            ScheduledFuture<?> lines = ticker.scheduleAtFixedRate(() -> progress(cluster, fleet), 1, 1, TimeUnit.SECONDS);
            fleet.start();
            boolean interrupted = awaitFleet(fleet);
            long online = System.nanoTime();
            say(String.format(Locale.ROOT, "demo: %,d of %,d devices online after %d s%s", fleet.connected(), fleet.size(),
                    Math.round((online - start) / 1e9), interrupted ? "; Ctrl-C: no failures" : ""));
            String nodeKill = "none";
            String bridgeKill = "none";
            if (!interrupted && !stop.await(duration / 3, TimeUnit.SECONDS)) {
                nodeKill = killNode(cluster);
            }
            if (!interrupted && !stop.await(duration / 3, TimeUnit.SECONDS)) {
                bridgeKill = killBridge(cluster);
            }
            if (!interrupted) {
                stop.await(duration - 2L * (duration / 3), TimeUnit.SECONDS);
            }

            say("demo: stopping the telemetry; waiting for what is in flight to arrive");
            fleet.stopPublishing();
            drain("every telemetry message to be acknowledged or to fail", 30, () -> ledger.inFlight() == 0);
            drain("every acknowledged telemetry message to reach the origin", 60, () -> ledger.lost() == 0);
            origin.stopAnswering();
            drain("the origin's broker to acknowledge every alert", 10,
                    () -> ledger.alertsAckedCount() >= ledger.alertsSentCount());
            drain("every acknowledged alert to reach its device", 30, () -> ledger.alertsLost() == 0);
            lines.cancel(false);
            progress(cluster, fleet);
            return summary(nodeKill, bridgeKill, wallStart);
        } finally {
            ticker.shutdownNow();
        }
    }

    private String killNode(DemoCluster cluster) {
        NodeProcess victim = cluster.busiestNode();
        long sessions = Math.round(DemoCluster.sessions(victim));
        int before = interruptions.interrupted();
        say(String.format(Locale.ROOT, "demo: kill -9 of broker node %s (pid %d), which holds %,d sessions; its devices "
                + "reconnect through their proxy to the other nodes and resume their sessions from the log", victim.name(),
                victim.pid(), sessions));
        long at = System.nanoTime();
        victim.kill();
        watch(() -> interruptions.interrupted() > before && interruptions.down() == 0, () -> String.format(Locale.ROOT,
                "demo: all %,d devices cut off by %s's death are back on the other nodes, %.1f s after it; the longest "
                        + "was cut off %.1f s", interruptions.interrupted() - before, victim.name(),
                (System.nanoTime() - at) / 1e9, interruptions.longestNanos() / 1e9));
        return String.format(Locale.ROOT, "%s killed at %d s (%,d sessions)", victim.name(), seconds(at), sessions);
    }

    private String killBridge(DemoCluster cluster) {
        NodeProcess holder = cluster.leaseHolder();
        if (holder == null) {
            say("demo: no bridge holds the lease now; not killing one");
            return "none held the lease";
        }
        say(String.format(Locale.ROOT, "demo: kill -9 of %s (pid %d), which holds the lease; the core keeps the telemetry "
                + "until the standby takes the lease over (within %d s)", holder.name(), holder.pid(),
                DemoCluster.LEASE.toSeconds()));
        long at = System.nanoTime();
        holder.kill();
        long[] tookOver = new long[1];
        watch(() -> {
            NodeProcess now = cluster.leaseHolder();
            if (now != null && now != holder) {
                tookOver[0] = System.nanoTime();
                return true;
            }
            return false;
        }, () -> String.format(Locale.ROOT, "demo: %s holds the lease, %.1f s after %s's death; the telemetry kept "
                + "meanwhile goes on to the origin", cluster.leaseHolder() == null ? "the standby"
                : cluster.leaseHolder().name(), (tookOver[0] - at) / 1e9, holder.name()));
        return String.format(Locale.ROOT, "%s killed at %d s", holder.name(), seconds(at));
    }

    /** Prints {@code note} once {@code done} holds, from the progress thread. */
    private void watch(BooleanSupplier done, Supplier<String> note) {
        this.note = note;
        this.pendingDone = done;
    }

    private synchronized void progress(DemoCluster cluster, Fleet fleet) {
        long now = System.nanoTime();
        out.printf(Locale.ROOT, "[%4ds] devices %,d/%,d | telemetry sent %,d acked %,d at origin %,d | alerts %,d | %s"
                        + " | devices cut off %,d, back %,d%n",
                Math.round((now - start) / 1e9), fleet.connected(), fleet.size(), ledger.sentCount(),
                ledger.ackedCount(), ledger.deliveredCount(), ledger.alertsReceivedCount(), cluster.status(),
                interruptions.interrupted(), interruptions.resumed());
        BooleanSupplier done = pendingDone;
        if (done != null && done.getAsBoolean()) {
            pendingDone = null;
            out.println(note.get());
        }
        out.flush();
    }

    private int summary(String nodeKill, String bridgeKill, long wallStart) {
        long acked = ledger.ackedCount();
        long delivered = ledger.ackedAndDelivered();
        long lost = ledger.lost();
        long alertsLost = ledger.alertsLost();
        Histogram toOrigin = ledger.toOrigin();
        out.println();
        out.printf(Locale.ROOT, "demo: telemetry sent %,d, acked %,d, at the origin %,d distinct (%,d duplicates), failed %,d"
                        + " (their connection closed before a PUBACK: not acknowledged, so not owed)%n",
                ledger.sentCount(), acked, ledger.deliveredCount(), ledger.duplicateCount(), ledger.failedCount());
        out.printf(Locale.ROOT, "demo: alerts sent by the origin %,d, acked by its broker %,d, at the devices %,d, lost %,d%n",
                ledger.alertsSentCount(), ledger.alertsAckedCount(), ledger.alertsReceivedCount(), alertsLost);
        out.printf(Locale.ROOT, "demo: device publish -> origin p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                toOrigin.getValueAtPercentile(50) / 1e3, toOrigin.getValueAtPercentile(99) / 1e3, toOrigin.getMaxValue() / 1e3);
        out.printf(Locale.ROOT, "demo: failures: broker node %s; bridge %s; devices cut off %,d, back %,d; run took %.0f s%n",
                nodeKill, bridgeKill, interruptions.interrupted(), interruptions.resumed(),
                (System.nanoTime() - wallStart) / 1e9);
        boolean passed = lost == 0 && alertsLost == 0 && acked > 0;
        if (lost > 0) {
            out.println("demo: first telemetry acknowledged and not at the origin (device index:seq): " + ledger.lostSample(20));
        }
        out.println(passed ? "demo: OK: every acknowledged message arrived"
                : "demo: FAILED: " + (acked == 0 ? "no telemetry was acknowledged" : lost + " acknowledged telemetry"
                        + " messages and " + alertsLost + " acknowledged alerts did not arrive"));
        out.printf(Locale.ROOT, "acked %d, delivered %d, lost %d; longest interruption a device saw: %.1f s%n", acked,
                delivered, lost, interruptions.longestNanos() / 1e9);
        out.flush();
        return passed ? 0 : 1;
    }

    private long seconds(long at) {
        return Math.round((at - start) / 1e9);
    }

    private boolean awaitFleet(Fleet fleet) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + devices / 20);
        while (fleet.connected() < fleet.size() && System.nanoTime() - deadline < 0) {
            if (stop.await(100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    private void drain(String what, int seconds, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                say("demo: gave up waiting " + seconds + " s for " + what);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private void say(String line) {
        synchronized (this) {
            out.println(line);
            out.flush();
        }
    }
}
