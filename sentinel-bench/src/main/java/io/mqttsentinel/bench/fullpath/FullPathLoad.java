package io.mqttsentinel.bench.fullpath;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.TrustManagerFactory;

import io.mqttsentinel.testkit.FreePorts;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.Services;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * The full path under load, against the origin alone, in one run:
 * <ol>
 * <li><b>full path</b>: {@code N} devices (MQTT 3.1.1 over TLS) → proxy → core broker (inspection, file log with
 *     an fsync before every PUBACK) → bridge → a real Mosquitto origin over MQTT-over-WebSocket → a subscriber on
 *     the origin's plain listener. Proxy, broker and bridge run in this JVM as {@code ./sentinel all} runs them
 *     ({@link SentinelStack}).</li>
 * <li><b>mosquitto direct</b>: the same devices, the same load, over TLS straight to a TLS listener of that
 *     Mosquitto, the same subscriber.</li>
 * </ol>
 * Devices publish QoS 1 JSON telemetry with a sequence number and the intended send time, open loop at a fixed
 * total rate. Printed: offered and achieved msg/s, sent, acknowledged (PUBACK), delivered, <b>lost</b>
 * (acknowledged, never delivered), duplicates, out of order per device topic, p50/p99/p99.9 latency from intended
 * send to arrival at the origin's subscriber, and the ratio to Mosquitto. Exit code 1 when a scenario lost an
 * acknowledged message (or an outage did not happen as described below), 2 on a usage error.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.fullpath.FullPathLoad --rate 5000 --seconds 15
 * </pre>
 *
 * <p>Every phase is bounded: connecting (a minute), publishing (the given seconds), draining ({@code --drain}, and
 * it ends early after ten seconds without any PUBACK or delivery). Everything started is stopped, the Mosquitto
 * child process included, and the temp directory deleted.
 *
 * <h2>Origin outage</h2>
 * {@code --origin-outage-at S --origin-outage-for D} (full path only) stops the origin Mosquitto {@code S} seconds
 * into the measured phase, for {@code D} seconds, while the devices go on publishing ({@link OriginOutage}): its
 * process ends (SIGTERM), so its WebSocket listener refuses connections (checked) and the bridge loses its
 * connection; the core broker keeps acknowledging the devices and keeps the bridge's backlog in its log. Then it
 * starts again on the same ports, and the run drains until every acknowledged message was delivered or
 * {@code --drain} seconds after the later of the last publish and the origin's return (the ten quiet seconds count
 * only once the bridge is connected again: its reconnect backoff reaches 30 s by default).
 *
 * <p>Why a loss counted here is one of the path, not of the measuring: the counting subscriber has a persistent
 * session (clean session off) on the origin, and the origin runs with persistence on. A message the bridge got a
 * PUBACK for from Mosquitto is in that session (queued, or in flight to the subscriber) until the subscriber
 * acknowledged it, which it does only after the tracker counted it. On SIGTERM Mosquitto writes its sessions and
 * their messages to disk and reads them at start (the run fails the check when Mosquitto had to be killed instead:
 * "state saved" in the table), and the subscriber reconnects within a second with its session present and receives
 * the rest. So every message the bridge had delivered is counted, possibly twice (redelivered with DUP: counted as a
 * duplicate), and a message the bridge had not delivered stays unacknowledged at the core, which delivers it again
 * from its log. What is counted as lost was acknowledged to a device and never reached the origin.
 *
 * <p>Reported besides the usual table: when the origin went down and for how long, how long the bridge took to
 * reconnect, the backlog (acknowledged, not delivered) when the origin came back and how long until all of it was
 * delivered, how many messages due during the outage were acknowledged and delivered, and the broker's catch-up,
 * queue-drop and sessions-behind meters.
 *
 * <pre>
 * java -cp sentinel-bench/target/benchmarks.jar io.mqttsentinel.bench.fullpath.FullPathLoad --rate 5000 --seconds 90 \
 *     --origin-outage-at 10 --origin-outage-for 60 --drain 300
 * </pre>
 */
public final class FullPathLoad {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private FullPathLoad() {
    }

    /**
     * @param args see {@link LoadOptions#USAGE}
     * @throws Exception when a broker cannot start
     */
    public static void main(String[] args) throws Exception {
        quietLogs();
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (Services.which("mosquitto") == null) {
            System.err.println("needs the mosquitto binary (Debian package mosquitto) on the PATH or in /usr/sbin");
            System.exit(2);
        }
        List<ScenarioResult> results = run(options, System.out);
        // an outage that did not save the origin's state or left its port open would not test what it claims
        System.exit(results.stream().anyMatch(r -> r.counts().lost() > 0
                || r.outage() != null && !(r.outage().saved() && r.outage().refused())) ? 1 : 0);
    }

    /**
     * Runs the scenarios the options ask for and prints their table.
     *
     * @param o   the load
     * @param out where progress and the table go
     * @return the results, full path first
     * @throws Exception when a broker cannot start or the devices cannot connect
     */
    static List<ScenarioResult> run(LoadOptions o, PrintStream out) throws Exception {
        out.printf("machine: %d cores, load average %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), System.getProperty("java.version"));
        out.printf("load: %d devices, %d msg/s (%.2f msg/s per device), %d s warm-up (ramp from a tenth of the rate) + %d s measured, QoS 1, %d-byte payloads%n",
                o.devices(), o.rate(), o.perDeviceRate(), o.warmupSeconds(), o.seconds(),
                new TelemetryPayload("run-00000000", 0, 0, TelemetryPayload.nowMicros()).encode().length);
        if (o.outage()) {
            out.printf("origin outage: down %d s into the measured phase, for %d s; drain up to %d s after the later of "
                    + "the last publish and the origin's return%n", o.outageAt(), o.outageFor(), o.drainSeconds());
        }
        Path dir = Files.createTempDirectory("bench-fullpath-");
        try {
            TestCertificates ca = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
            TestCertificates.Issued server = ca.server("server");
            TrustManagerFactory trust = TestCertificates.trustManagerFactory(ca.caFile());
            int originTlsPort = FreePorts.next();
            List<ScenarioResult> results = new ArrayList<>();
            ScenarioResult baseline = null;
            try (MosquittoProcess origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")), null,
                    originConfig(originTlsPort, server))) {
                if (!o.target().equals("mosquitto")) {
                    results.add(fullPath(o, dir, server, trust, origin, out));
                }
                if (!o.target().equals("sentinel")) {
                    baseline = direct(o, trust, origin, originTlsPort, out);
                    results.add(baseline);
                }
            }
            out.println();
            out.print(ScenarioResult.table(results, baseline));
            for (ScenarioResult r : results) {
                if (r.outage() != null) {
                    out.println();
                    out.print(r.outage().table());
                }
            }
            out.printf("load average at the end: %s%n", loadAverage());
            return results;
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The origin: persistence as the test kit sets it (nothing written during a run), no per-subscriber queue
     * limit (Mosquitto's default of 1000 queued messages would drop what it acknowledged whenever the subscriber
     * falls behind for 0.1 s at 10,000 msg/s: a loss of the origin's, not of the path's), and a TLS listener for
     * the direct scenario's devices. Mosquitto's global settings apply whatever their place in the file.
     */
    private static String originConfig(int tlsPort, TestCertificates.Issued server) {
        return "max_queued_messages 0\n"
                + "listener " + tlsPort + " 127.0.0.1\n"
                + "certfile " + server.certFile() + "\n"
                + "keyfile " + server.keyFile() + "\n";
    }

    @SuppressWarnings("try") // the resource is held open for the block, not used in it
    private static ScenarioResult fullPath(LoadOptions o, Path dir, TestCertificates.Issued server,
                                           TrustManagerFactory trust, MosquittoProcess origin, PrintStream out) throws Exception {
        Map<String, String> raised = SentinelStack.settingsFor(o);
        out.printf("full path: settings raised for this load: %s%s%n", raised.isEmpty() ? "none" : format(raised),
                o.overrides().isEmpty() ? "" : "; set with --set: " + format(o.overrides()));
        DeliveryTracker tracker = new DeliveryTracker(runId(), o.devices());
        try (SentinelStack stack = SentinelStack.start(Files.createDirectories(dir.resolve("sentinel")), server,
                origin.webSocketPort(), o, raised);
             OriginSubscriber subscriber = o.outage() ? OriginSubscriber.startPersistent(origin.plainPort(), tracker)
                     : OriginSubscriber.start(origin.plainPort(), tracker);
             DeviceFleet fleet = connectFleet(stack, trust, o)) {
            return measure("full path", o, fleet, tracker, stack::counters, out, o.outage() ? origin : null, stack);
        }
    }

    private static DeviceFleet connectFleet(SentinelStack stack, TrustManagerFactory trust, LoadOptions o) throws Exception {
        try {
            return DeviceFleet.connect(stack.proxyTlsPort(), trust, o.devices(), "clients/", SentinelStack.CONNECT_PACE);
        } catch (Exception e) {
            throw new IllegalStateException("the devices could not connect (load average " + loadAverage()
                    + "); the proxy counted: " + stack.connectRefusals(), e);
        }
    }

    @SuppressWarnings("try") // the resource is held open for the block, not used in it
    private static ScenarioResult direct(LoadOptions o, TrustManagerFactory trust, MosquittoProcess origin, int tlsPort,
                                         PrintStream out) throws Exception {
        DeliveryTracker tracker = new DeliveryTracker(runId(), o.devices());
        try (OriginSubscriber subscriber = OriginSubscriber.start(origin.plainPort(), tracker);
             DeviceFleet fleet = DeviceFleet.connect(tlsPort, trust, o.devices(), OriginSubscriber.TOPIC_PREFIX, 500)) {
            return measure("mosquitto direct", o, fleet, tracker, () -> "", out, null, null);
        }
    }

    /**
     * Publishes, drains and counts.
     *
     * @param origin the origin to take away during the run ({@link LoadOptions#outage()}), or {@code null}
     * @param stack  the Sentinel stack of the full path, or {@code null} for the direct scenario
     */
    private static ScenarioResult measure(String name, LoadOptions o, DeviceFleet fleet, DeliveryTracker tracker,
                                          Supplier<String> counters, PrintStream out, MosquittoProcess origin,
                                          SentinelStack stack) {
        out.printf("%s: %d devices connected, publishing%n", name, fleet.connected());
        OriginOutage outage = null;
        if (origin != null) {
            // publish() starts its clock 100 ms from now; the outage is timed from the same start
            long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)
                    + TimeUnit.SECONDS.toNanos(o.warmupSeconds() + o.outageAt());
            outage = OriginOutage.schedule(origin, tracker, stack::originConnected, at, o.outageFor());
        }
        try {
            fleet.publish(tracker, o.rate(), o.warmupSeconds(), o.seconds());
            Drained drained = drain(o, tracker, outage);
            String ended = drained.ended();
            DeliveryTracker.Counts c = tracker.counts();
            OutageReport report = outage == null ? null : report(outage, tracker, c, stack, drained.allDeliveredNanos());
            ScenarioResult r = new ScenarioResult(name, o.rate(), o.seconds(), c, ended, report);
            print(name, fleet, c, ended, counters, out);
            out.printf("%s: worst latency (ms) of the messages due in each half second: %s%n", name,
                    tracker.worstLatencyPerHalfSecond());
            if (outage != null && outage.failure() != null) {
                throw new IllegalStateException("the origin did not start again", outage.failure());
            }
            return r;
        } finally {
            if (outage != null) {
                outage.close();
            }
        }
    }

    /**
     * How a drain ended.
     *
     * @param ended             {@code complete}, {@code deadline}, {@code quiet} or {@code origin not back}
     * @param allDeliveredNanos when, after the last publish and the origin's return, every message acknowledged by
     *                          then had been delivered ({@link System#nanoTime()}; publishes still without a PUBACK,
     *                          e.g. refused by a rate limit, do not count), 0 if never
     */
    private record Drained(String ended, long allDeliveredNanos) {
    }

    /**
     * Waits until every message was acknowledged and every acknowledged one delivered (and, with an outage, the
     * origin is back), or the drain deadline, or ten quiet seconds.
     */
    private static Drained drain(LoadOptions o, DeliveryTracker tracker, OriginOutage outage) {
        long published = System.nanoTime();
        long drain = TimeUnit.SECONDS.toNanos(o.drainSeconds());
        // the outage ends by itself (restart attempts are bounded); this only guards against a hung restart
        long outageLimit = published + TimeUnit.SECONDS.toNanos(o.outageFor() + 120L);
        long allDelivered = 0;
        while (true) {
            long now = System.nanoTime();
            boolean over = outage == null || outage.over();
            if (!over) {
                if (now > outageLimit) {
                    return new Drained("origin not back", allDelivered);
                }
            } else {
                if (outage != null && outage.failure() != null) {
                    return new Drained("origin not back", allDelivered);
                }
                if (allDelivered == 0 && tracker.ackedNotDelivered() == 0) {
                    allDelivered = now;
                }
                if (tracker.awaitingAck() == 0 && tracker.ackedNotDelivered() == 0) {
                    return new Drained("complete", allDelivered);
                }
                long from = outage == null ? published : Math.max(published, outage.backNanos());
                if (now > from + drain) {
                    return new Drained("deadline", allDelivered);
                }
                // while the bridge has not reconnected nothing can arrive: quiet counts from its reconnect
                long bridgeBack = outage == null ? published : outage.bridgeBackNanos();
                if (bridgeBack != 0 && now - Math.max(bridgeBack, tracker.lastProgressNanos()) > QUIET_NANOS) {
                    return new Drained("quiet", allDelivered);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static OutageReport report(OriginOutage outage, DeliveryTracker tracker, DeliveryTracker.Counts c,
                                       SentinelStack stack, long allDeliveredNanos) {
        long back = outage.backNanos();
        long drained = tracker.backlogDrainedNanos();
        return new OutageReport(
                (TelemetryPayload.micros(outage.downNanos()) - c.measureFromMicros()) / 1e6,
                seconds(outage.downNanos(), back),
                outage.saved(), outage.refused(),
                seconds(back, outage.bridgeBackNanos()),
                outage.backlogAtBack(),
                seconds(back, drained),
                seconds(back, allDeliveredNanos),
                c.ackedInOutage(), c.deliveredInOutage(),
                stack.meter("mqtt_broker_catchup_delivered_total"), stack.meter("mqtt_broker_queue_dropped_total"),
                stack.meter("mqtt_broker_sessions_behind"), stack.meter("bridge_retries"),
                stack.meter("mqtt_broker_redeliveries_total"));
    }

    /** @return seconds from {@code from} to {@code to} ({@link System#nanoTime()} readings), NaN when either is 0 */
    private static double seconds(long from, long to) {
        return from == 0 || to == 0 ? Double.NaN : (to - from) / 1e9;
    }

    private static void print(String name, DeviceFleet fleet, DeliveryTracker.Counts c, String ended,
                              Supplier<String> counters, PrintStream out) {
        out.printf("%s: drain %s; %d devices still connected; no PUBACK %d (failed %d%s); delivered without PUBACK %d; "
                        + "foreign messages %d%n", name, ended, fleet.connected(), c.sent() - c.acked(), c.ackFailed(),
                c.firstAckFailure() == null ? "" : ", first: " + c.firstAckFailure(), c.deliveredUnacked(), c.foreign());
        String more = counters.get();
        if (!more.isEmpty()) {
            out.printf("%s: %s%n", name, more);
        }
    }

    private static String runId() {
        return String.format("run-%08x", ThreadLocalRandom.current().nextInt());
    }

    private static String format(Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The launcher logs at info; a load run prints its own lines and keeps warnings. A -D on the command line wins. */
    static void quietLogs() {
        String p = "org.slf4j.simpleLogger.";
        if (System.getProperty(p + "defaultLogLevel") == null) {
            System.setProperty(p + "defaultLogLevel", "warn");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
