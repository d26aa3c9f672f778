package io.mqttsentinel.demo;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.mqttsentinel.demo.AttackKind.Layer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The table printed at the end of a run. Per layer, what came in, what went out and what was stopped, from the
 * node's own registry (the meters {@code /metrics} serves); every reason something was stopped (tier, protocol
 * violation, auth result, ACL action, inspector category), with the attacker that caused it; each attacker
 * against the layer that must stop it; and the delivery books: acknowledged telemetry against what the origin
 * received, latency percentiles, lost.
 *
 * <p>The run passes when nothing acknowledged was lost (telemetry and alerts), telemetry flowed, and every
 * attacker was stopped (or, for high entropy, flagged) by its layer; {@link #failures()} says what did not hold.
 */
final class FinalReport {
    /**
     * What the report needs about the run besides the meters and the books.
     *
     * @param seconds   how long the traffic with the attackers ran
     * @param ramp      how long the fleet took to come online before
     * @param online    devices online when the attackers started
     * @param cut       whether Ctrl-C ended it before {@code --duration}
     * @param sources   where the clients came from, one line
     * @param cpuNanos  the process's CPU time over the run, or -1
     * @param wallNanos the run's wall time, start-up included
     */
    record Run(long seconds, long ramp, int online, boolean cut, String sources, long cpuNanos, long wallNanos) {
    }

    private final StringBuilder text = new StringBuilder();
    private final List<String> failures = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private FinalReport() {
    }

    /**
     * @param meters    the node's meters
     * @param ledger    the books
     * @param fleet     the devices
     * @param attackers the attackers, stopped
     * @param origin    the origin's application
     * @param run       about the run
     * @return the report
     */
    static FinalReport build(Meters meters, Ledger ledger, Fleet fleet, Attackers attackers, OriginApp origin, Run run) {
        FinalReport r = new FinalReport();
        r.text.append(String.format(Locale.ROOT, "%nFinal report: %,d of %,d devices online after %,d s, then %,d s of traffic "
                        + "with %d kinds of attacker%s; %s%n", run.online(), fleet.size(), run.ramp(), run.seconds(),
                attackers.all().size(), run.cut() ? " (ended by Ctrl-C)" : "", run.sources()));
        r.layers(meters, ledger, origin);
        r.stops(meters);
        r.attackers(meters, attackers, run.cut());
        r.delivery(ledger, fleet, meters, run);
        r.verdict();
        return r;
    }

    private void layers(Meters meters, Ledger ledger, OriginApp origin) {
        text.append("\nWhat each layer saw (this process's meters, as /metrics serves them; the origin: its application)\n");
        TextTable t = new TextTable("layer", "came in", "went out", "#stopped");
        t.row("proxy",
                count(meters.count("mqtt.proxy.connections")) + " TLS connections, "
                        + mb(meters.count("mqtt.proxy.bytes.received")),
                count(meters.count("mqtt.proxy.auth.requests", "result", "allow")) + " authenticated sessions to the core, "
                        + mb(meters.count("mqtt.proxy.bytes.sent")) + " to devices",
                StopChecks.stopped(meters, Layer.PROXY));
        t.row("broker",
                count(meters.count("mqtt_broker_messages_received_total")) + " PUBLISH (devices and the bridge's alerts)",
                count(meters.count("mqtt_broker_messages_stored_total")) + " stored in the log, "
                        + count(meters.count("mqtt_broker_messages_delivered_total")) + " deliveries to subscribers",
                StopChecks.stopped(meters, Layer.BROKER));
        t.row("bridge",
                count(meters.count("bridge_messages_ingested")) + " messages from the core",
                count(meters.count("bridge_messages_persisted")) + " acknowledged by the origin, "
                        + count(meters.count("bridge_alerts_forwarded")) + " alerts to the core",
                StopChecks.stopped(meters, Layer.BRIDGE));
        t.row("origin",
                count(origin.received()) + " telemetry messages",
                count(ledger.alertsSentCount()) + " alerts to devices",
                "-");
        text.append(t.render());
    }

    private void stops(Meters meters) {
        text.append("\nWhat was stopped, and why\n");
        TextTable t = new TextTable("layer", "check", "reason", "#count", "caused by", "meter");
        for (StopChecks.Row row : StopChecks.rows(meters)) {
            String who = "-";
            for (AttackKind k : AttackKind.values()) {
                if (k.owns(row.check().meter(), row.check().tagKey(), row.reason())) {
                    who = k.label();
                }
            }
            t.row(row.check().layer().label(), row.check().check(), row.reason(), row.count(), who, row.prometheus());
        }
        text.append(t.render());
    }

    private void attackers(Meters meters, Attackers attackers, boolean cut) {
        text.append("\nAttackers, against the layer that must stop them\n");
        TextTable t = new TextTable("attacker", "#tries", "stopped at", "#stopped", "#got through", "verdict",
                "what it sends");
        for (Attacker a : attackers.all()) {
            AttackKind k = a.kind();
            long stopped = k.stopped(meters);
            String verdict = verdict(k, a.attempts(), stopped, a.gotThroughCount());
            t.row(k.label(), a.attempts(), k.layer().label(), stopped, a.gotThroughCount(), verdict, a.describe());
            if (verdict.equals("not-run") && cut) {
                warnings.add(k.label() + " made no attempt before Ctrl-C");
            } else if (verdict.equals("MISSED") || verdict.equals("not-run")) {
                failures.add(k.label() + ": " + (verdict.equals("not-run") ? "made no attempt"
                        : "not stopped by the " + k.layer().label() + " (stopped " + stopped + ", got through "
                                + a.gotThroughCount() + " of " + a.attempts() + ")"
                                + (k.expect() == AttackKind.Expect.LIMITED
                                        ? ": a flood that still fits the tier's burst is let through, a longer --duration"
                                                + " shows the tier" : "")));
            }
        }
        text.append(t.render());
    }

    /**
     * @param kind    the attacker's kind
     * @param tries   its attempts
     * @param stopped how often its layer stopped (or flagged) it
     * @param through what it saw get through
     * @return {@code stopped}, {@code limited}, {@code flagged}, {@code MISSED} or {@code not-run}
     */
    static String verdict(AttackKind kind, long tries, long stopped, long through) {
        if (tries == 0) {
            return "not-run";
        }
        switch (kind.expect()) {
            case STOPPED:
                return stopped > 0 && through == 0 ? "stopped" : "MISSED";
            case LIMITED:
                return stopped > 0 ? "limited" : "MISSED";
            default:
                return stopped > 0 ? "flagged" : "MISSED";
        }
    }

    private void delivery(Ledger ledger, Fleet fleet, Meters meters, Run run) {
        text.append("\nDelivery (the demo's books: what each device saw acknowledged against what the origin received, "
                + "by device and sequence number)\n");
        long lost = ledger.lost();
        long alertsLost = ledger.alertsLost();
        text.append(String.format(Locale.ROOT, "  telemetry  sent %,d  acked %,d  at the origin %,d  lost %,d  duplicates %,d%n",
                ledger.sentCount(), ledger.ackedCount(), ledger.deliveredCount(), lost, ledger.duplicateCount()));
        text.append(String.format(Locale.ROOT, "  alerts     sent %,d  acked by the origin %,d  at the devices %,d  lost %,d"
                        + "  duplicates %,d%n", ledger.alertsSentCount(), ledger.alertsAckedCount(),
                ledger.alertsReceivedCount(), alertsLost, ledger.alertDuplicateCount()));
        if (lost > 0) {
            failures.add(lost + " acknowledged telemetry messages did not reach the origin");
        }
        if (alertsLost > 0) {
            failures.add(alertsLost + " alerts acknowledged to the origin did not reach their device");
        }
        if (ledger.ackedCount() == 0 || ledger.deliveredCount() == 0) {
            failures.add("no telemetry flowed end to end (acked " + ledger.ackedCount() + ", at the origin "
                    + ledger.deliveredCount() + ")");
        }

        text.append("\nLatency (sent and received on this JVM's one clock)\n");
        TextTable t = new TextTable("path", "#p50", "#p99", "#max", "#count");
        latency(t, "device publish -> PUBACK at the device", ledger.toPuback());
        latency(t, "device publish -> origin application", ledger.toOrigin());
        latency(t, "origin alert -> device", ledger.alertToDevice());
        Timer auth = meters.timer("mqtt.proxy.auth.latency");
        if (auth != null && auth.count() > 0) {
            t.row("auth verdict at the proxy (mqtt_proxy_auth_latency_seconds)", millis(auth, 0.5), millis(auth, 0.99),
                    String.format(Locale.ROOT, "%.1f ms", auth.max(TimeUnit.MICROSECONDS) / 1000.0), auth.count());
        }
        text.append(t.render());

        text.append('\n');
        Map<String, Long> refused = fleet.refusals();
        text.append(String.format(Locale.ROOT, "  devices    %,d connected of %,d; %,d refused at first, then tried again%s;"
                        + " %,d dropped%n", fleet.connected(), fleet.size(), fleet.retried(),
                refused.isEmpty() ? "" : " (refusals " + refused + ")", fleet.dropped()));
        if (fleet.connected() < fleet.size()) {
            warnings.add(count(fleet.connected()) + " of " + count(fleet.size()) + " devices were connected at the end ("
                    + count(fleet.started()) + " had started to connect, up to " + Fleet.RAMP_PER_SECOND + " a second; "
                    + "refusals " + refused + ", dropped " + fleet.dropped() + ")");
        }
        if (fleet.retried() > 0) {
            warnings.add(devices(fleet.retried()) + " refused at first and tried again (refusals " + refused
                    + "; the proxy fails closed, 0x05, while its auth callout times out or its breaker is open)");
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        text.append(String.format(Locale.ROOT, "  process    %s, heap %,d MB used of %,d MB, %d threads%n",
                run.cpuNanos() < 0 ? "cpu n/a" : String.format(Locale.ROOT, "cpu %.1f s in %.1f s (%.2f cores)",
                        run.cpuNanos() / 1e9, run.wallNanos() / 1e9, (double) run.cpuNanos() / run.wallNanos()),
                heap.getUsed() >> 20, heap.getMax() >> 20, ManagementFactory.getThreadMXBean().getThreadCount()));
    }

    private static void latency(TextTable t, String path, Histogram h) {
        if (h.getTotalCount() == 0) {
            t.row(path, "-", "-", "-", 0L);
            return;
        }
        t.row(path, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getTotalCount());
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    private static String millis(Timer timer, double percentile) {
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (v.percentile() == percentile) {
                return String.format(Locale.ROOT, "%.1f ms", v.value(TimeUnit.MICROSECONDS) / 1000.0);
            }
        }
        return "-";
    }

    private void verdict() {
        text.append('\n');
        for (String w : warnings) {
            text.append("demo: note: ").append(w).append('\n');
        }
        if (failures.isEmpty()) {
            text.append("demo: OK: lost 0; every kind of attacker was stopped (high entropy flagged) by the layer that "
                    + "should stop it\n");
        } else {
            text.append("demo: FAILED: ").append(String.join("; ", failures)).append('\n');
        }
    }

    private static String devices(long n) {
        return n == 1 ? "1 device was" : count(n) + " devices were";
    }

    private static String count(long n) {
        return TextTable.format(n);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** @return the report, ready to print */
    String text() {
        return text.toString();
    }

    /** @return whether the run passed */
    boolean passed() {
        return failures.isEmpty();
    }

    /** @return what did not hold (empty when the run passed) */
    List<String> failures() {
        return List.copyOf(failures);
    }
}
