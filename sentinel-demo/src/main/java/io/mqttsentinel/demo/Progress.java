package io.mqttsentinel.demo;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Locale;

/**
 * The line printed every second while the demo runs: devices up, the fleet's telemetry (sent, acknowledged,
 * received by the origin), alerts received by the devices, what each layer stopped so far (from the node's
 * meters) and the process's CPU over the last second.
 */
final class Progress {
    private final PrintWriter out;
    private final Fleet fleet;
    private final Ledger ledger;
    private final Meters meters;
    private final long start;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private long lastCpu = cpuNanos();
    private long lastWall = System.nanoTime();

    /**
     * @param out    where the lines go
     * @param fleet  the devices
     * @param ledger the books
     * @param meters the node's meters
     * @param start  {@link System#nanoTime()} at the start of the run
     */
    Progress(PrintWriter out, Fleet fleet, Ledger ledger, Meters meters, long start) {
        this.out = out;
        this.fleet = fleet;
        this.ledger = ledger;
        this.meters = meters;
        this.start = start;
    }

    /** Prints one line. Called once a second from one thread. */
    synchronized void print() {
        long now = System.nanoTime();
        long cpu = cpuNanos();
        String load = cpu < 0 || lastCpu < 0 ? ""
                : String.format(Locale.ROOT, " | cpu %.1f of %d cores", (double) (cpu - lastCpu) / (now - lastWall), cores);
        lastCpu = cpu;
        lastWall = now;
        out.printf(Locale.ROOT, "[%4ds] devices %,d/%,d | telemetry sent %,d acked %,d at origin %,d | alerts %,d"
                        + " | stopped: proxy %,d, broker %,d%s%n",
                Math.round((now - start) / 1e9), fleet.connected(), fleet.size(), ledger.sentCount(),
                ledger.ackedCount(), ledger.deliveredCount(), ledger.alertsReceivedCount(),
                StopChecks.stopped(meters, AttackKind.Layer.PROXY), StopChecks.stopped(meters, AttackKind.Layer.BROKER),
                load);
        out.flush();
    }

    /** @return the process's CPU time so far, or -1 where the JVM does not say */
    static long cpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }
}
