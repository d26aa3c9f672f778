package io.mqttsentinel.demo;

import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.launcher.ConfigException;
import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.SentinelLauncher;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sentinel demo}: the product at work, with nothing outside the JVM. It starts the stand-ins for the
 * customer's side ({@link DemoOrigin}, {@link DemoAuthEndpoint}) and the proxy, broker and bridge
 * ({@link DemoStack}); brings a fleet of TLS devices online ({@link Fleet}) whose telemetry the origin's
 * application ({@link OriginApp}) answers with alerts; then, for {@code --duration} seconds, runs one attacker of
 * every kind beside them ({@link Attackers}). It prints a line a second ({@link Progress}), then stops the traffic, lets what is in flight
 * arrive, and prints the {@link FinalReport}: exit code 0 when nothing acknowledged was lost and every attacker
 * was stopped by the layer that should stop it, 1 otherwise.
 *
 * <p>Contributed to the launcher by {@link DemoLauncherCommand}.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = SentinelLauncher.Version.class, name = "demo", sortOptions = false,
        description = {"Run proxy, broker, bridge, a stand-in origin and auth endpoint, a fleet of TLS devices and one "
                + "attacker of every kind in one JVM (no outside service).",
            "Prints a line a second, then a table of what each layer let in, sent on and stopped, and why.",
            "Exit code 0 when nothing acknowledged was lost and every attacker was stopped by its layer, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
    /** Most telemetry messages a second the whole fleet may send. */
    static final int MAX_RATE = 10_000;
    /** File descriptors one device takes in this JVM: its socket, the proxy's, the proxy's to the core, the core's. */
    private static final int DESCRIPTORS_PER_DEVICE = 4;
    private static final int DESCRIPTORS_BESIDES = 1_000;
    /** The cluster run kills a node after a third of it and the bridge after two thirds: at least 3 s each. */
    static final int MIN_CLUSTER_DURATION = 9;

    private final SentinelLauncher launcher;

    @Option(names = "--cluster", description = "Run a Kafka (3 brokers, in this JVM), 3 broker nodes and 2 bridges "
            + "(child JVMs) and 2 proxies instead, without attackers; kill -9 one node and the bridge holding the lease "
            + "half-way and show the devices moving over")
    boolean cluster;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Seconds of traffic once the fleet is online, 1 to 86400 (default 20; with --cluster 30, at "
                    + "least " + MIN_CLUSTER_DURATION + "); Ctrl-C ends it early, with the report")
    Integer durationOption;

    @Option(names = "--devices", paramLabel = "N",
            description = "Simulated devices, 1 to 5000 (default 1000; with --cluster 300)")
    Integer devicesOption;

    int duration;
    int devices;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
            description = "Telemetry period of each device in ms, 20 to 60000 (default ${DEFAULT-VALUE}); the fleet "
                    + "sends at most " + MAX_RATE + " msg/s in total")
    int intervalMs;

    @Option(names = "--keep", description = "Keep the demo's temporary data directory (message logs, certificates, security events)")
    boolean keep;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Use (and keep) this data directory instead of a "
            + "temporary one; SENTINEL_DATA_DIR is not used, so that the demo never touches an operator's data")
    Path dataDir;

    /** @param launcher the launcher that runs the demo: its streams and configuration */
    DemoCommand(SentinelLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        duration = durationOption != null ? durationOption : cluster ? 30 : 20;
        devices = devicesOption != null ? devicesOption : cluster ? 300 : 1_000;
        validate();
        LauncherConfig base = launcher.config();
        PrintWriter out = launcher.out();
        Path dir = dataDir != null ? Files.createDirectories(dataDir.toAbsolutePath()) : Files.createTempDirectory("sentinel-demo-");
        boolean deleteAfter = dataDir == null && !keep;
        SourceAddresses sources = SourceAddresses.probe();
        if (cluster) {
            return withStopHook((stop, scheduler) ->
                    new ClusterRun(out, devices, duration, intervalMs, stop, scheduler, sources).run(base, dir, deleteAfter));
        }
        return withStopHook((stop, scheduler) -> plain(base, out, dir, deleteAfter, sources, stop, scheduler));
    }

    /** The body of a run, given the Ctrl-C latch and the demo's scheduler. */
    private interface Body {
        int run(CountDownLatch stop, ScheduledExecutorService scheduler) throws Exception;
    }

    /** Runs {@code body} with Ctrl-C counting down its latch (the report still prints) and a scheduler of two threads. */
    private static int withStopHook(Body body) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // Ctrl-C: end the traffic now, and let the report print before the JVM goes
            stop.countDown();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sentinel-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sentinel-demo");
            t.setDaemon(true);
            return t;
        });
        try {
            return body.run(stop, scheduler);
        } finally {
            scheduler.shutdownNow();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private int plain(LauncherConfig base, PrintWriter out, Path dir, boolean deleteAfter, SourceAddresses sources,
                      CountDownLatch stop, ScheduledExecutorService scheduler) throws Exception {
        long wallStart = System.nanoTime();
        long cpuStart = Progress.cpuNanos();
        try (DemoStack stack = DemoStack.start(base, dir, deleteAfter, sources, devices)) {
            out.println("demo: " + stack.node().describe());
            out.println("demo: stand-ins for the customer's side: origin " + stack.origin().webSocketUrl()
                    + " (WebSocket, its broker on 127.0.0.1:" + stack.origin().mqttPort() + "), auth endpoint "
                    + stack.auth().url() + "; data in " + dir + (deleteAfter ? " (deleted at exit; --keep keeps it)" : ""));
            Ledger ledger = new Ledger(devices, Ticker.system());
            Fleet fleet = new Fleet(devices, Duration.ofMillis(intervalMs), stack.auth(), stack.proxy(), sources, ledger,
                    scheduler);
            Attackers attackers = Attackers.create(stack.proxy(), stack.auth(), sources, fleet.names());
            out.printf("demo: %,d devices (QoS 1 telemetry every %,d ms, alerts back on clients/{id}/alerts; up to %,d "
                    + "connecting a second); %s%n", devices, intervalMs, Fleet.RAMP_PER_SECOND, sources.describe(devices));
            out.println("demo: attackers: " + attackers.all().stream().map(a -> a.kind().label()).collect(Collectors.joining(", ")));
            if (!stack.tuning().isEmpty()) {
                out.println("demo: tuned for the demo (a setting of yours wins): " + String.join(", ", stack.tuning()));
            }
            out.flush();
            return run(out, stack, ledger, fleet, attackers, scheduler, stop, sources, wallStart, cpuStart);
        }
    }

    private int run(PrintWriter out, DemoStack stack, Ledger ledger, Fleet fleet, Attackers attackers,
                    ScheduledExecutorService scheduler, CountDownLatch stop, SourceAddresses sources, long wallStart,
                    long cpuStart) throws Exception {
        OriginApp origin = OriginApp.start(stack.origin().mqttPort(), ledger, attackers.byClientId(),
                attackers.of(AttackKind.TOPIC_PROBE));
        // its own thread, so that the line comes every second however busy the fleet's scheduler is
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-demo-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            Meters meters = new Meters(stack.node().meterRegistry());
            long start = System.nanoTime();
            Progress progress = new Progress(out, fleet, ledger, meters, start);
            ScheduledFuture<?> lines = ticker.scheduleAtFixedRate(progress::print, 1, 1, TimeUnit.SECONDS);
            fleet.start();
            boolean interrupted = awaitFleet(fleet, stop);
            long online = System.nanoTime();
            int devicesOnline = fleet.connected();
            out.printf("demo: %,d of %,d devices online after %d s; %s%n", devicesOnline, fleet.size(),
                    Math.round((online - start) / 1e9),
                    interrupted ? "Ctrl-C: the attackers do not start" : "the attackers start: " + duration + " s of traffic");
            out.flush();
            if (!interrupted) {
                attackers.start(scheduler);
                interrupted = stop.await(duration, TimeUnit.SECONDS);
            }
            long seconds = Math.round((System.nanoTime() - online) / 1e9);

            out.println("demo: stopping the attackers and the telemetry; waiting for what is in flight to arrive");
            out.flush();
            attackers.stop();
            fleet.stopPublishing();
            drain(out, "every telemetry message to be acknowledged or to fail", 10, () -> ledger.inFlight() == 0);
            drain(out, "every acknowledged telemetry message to reach the origin", 15, () -> ledger.lost() == 0);
            origin.stopAnswering();
            drain(out, "the origin's broker to acknowledge every alert", 10,
                    () -> ledger.alertsAckedCount() >= ledger.alertsSentCount());
            drain(out, "every acknowledged alert to reach its device", 10, () -> ledger.alertsLost() == 0);
            lines.cancel(false);
            progress.print();

            long cpu = cpuStart < 0 ? -1 : Progress.cpuNanos() - cpuStart;
            FinalReport report = FinalReport.build(meters, ledger, fleet, attackers, origin,
                    new FinalReport.Run(seconds, Math.round((online - start) / 1e9), devicesOnline, interrupted,
                            sources.describe(devices), cpu, System.nanoTime() - wallStart));
            out.print(report.text());
            out.flush();
            return report.passed() ? 0 : 1;
        } finally {
            ticker.shutdownNow();
            attackers.stop();
            fleet.close();
            origin.close();
        }
    }

    private void validate() {
        if (duration < 1 || duration > 86_400) {
            throw ConfigException.invalid("--duration", Integer.toString(duration), "1 to 86400 seconds");
        }
        if (cluster && duration < MIN_CLUSTER_DURATION) {
            throw ConfigException.invalid("--duration", Integer.toString(duration), "at least " + MIN_CLUSTER_DURATION
                    + " seconds with --cluster: a node dies after a third of it, the bridge after two thirds");
        }
        if (devices < 1 || devices > 5_000) {
            throw ConfigException.invalid("--devices", Integer.toString(devices), "1 to 5000");
        }
        long limit = maxFileDescriptors();
        if (limit > 0 && (long) devices * DESCRIPTORS_PER_DEVICE + DESCRIPTORS_BESIDES > limit) {
            throw ConfigException.invalid("--devices", Integer.toString(devices), "at most "
                    + (limit - DESCRIPTORS_BESIDES) / DESCRIPTORS_PER_DEVICE + " here: each device takes "
                    + DESCRIPTORS_PER_DEVICE + " file descriptors in this one JVM (its socket, the proxy's, the proxy's to "
                    + "the core, the core's) and this process may open " + limit + " (ulimit -n)");
        }
        if (intervalMs < 20 || intervalMs > 60_000) {
            throw ConfigException.invalid("--interval", Integer.toString(intervalMs), "20 to 60000 ms");
        }
        long minInterval = Math.max(20, ((long) devices * 1000 + MAX_RATE - 1) / MAX_RATE);
        if (intervalMs < minInterval) {
            throw ConfigException.invalid("--interval", Integer.toString(intervalMs), "at least " + minInterval + " ms for "
                    + devices + " devices: the fleet sends at most " + MAX_RATE + " msg/s in total");
        }
    }

    private static long maxFileDescriptors() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        }
        return -1;
    }

    /**
     * Waits until every device is online, at most 10 s plus 1 s for every 20 devices (the ramp on a busy machine).
     *
     * @return whether Ctrl-C came first
     */
    private boolean awaitFleet(Fleet fleet, CountDownLatch stop) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + devices / 20);
        while (fleet.connected() < fleet.size() && System.nanoTime() - deadline < 0) {
            if (stop.await(100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** Waits, bounded, for the end-of-run condition; says so when it did not hold in time. */
    private static void drain(PrintWriter out, String what, int seconds, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                out.println("demo: gave up waiting " + seconds + " s for " + what);
                out.flush();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
