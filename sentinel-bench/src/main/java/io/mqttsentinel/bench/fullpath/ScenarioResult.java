package io.mqttsentinel.bench.fullpath;

import java.util.List;
import java.util.Locale;

/**
 * One scenario's outcome: one row of the table.
 *
 * @param scenario   its name
 * @param offered    the offered rate, messages per second
 * @param seconds    the measured window's length
 * @param counts     what was sent, acknowledged and delivered
 * @param drainEnded why the wait for the last PUBACKs and deliveries ended: {@code complete}, {@code quiet} (nothing
 *                   arrived for a while) or {@code deadline}
 * @param outage     what an origin outage did, or {@code null} when there was none
 */
record ScenarioResult(String scenario, int offered, int seconds, DeliveryTracker.Counts counts, String drainEnded,
                      OutageReport outage) {

    double achieved() {
        return counts.achievedRate(seconds);
    }

    double percentileMillis(double percentile) {
        return counts.latencyMicros().getTotalCount() == 0 ? Double.NaN
                : counts.latencyMicros().getValueAtPercentile(percentile) / 1_000.0;
    }

    static final String HEADER = "| scenario | offered msg/s | achieved msg/s | sent | acked | delivered | lost | duplicates "
            + "| out of order | p50 ms | p99 ms | p99.9 ms | vs Mosquitto: msg/s, p99 |";
    static final String RULE = "|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    /**
     * @param results   the scenarios of one run
     * @param baseline  the direct-to-Mosquitto result, or {@code null} when it was not run
     * @return the table as Markdown, one line per scenario
     */
    static String table(List<ScenarioResult> results, ScenarioResult baseline) {
        StringBuilder b = new StringBuilder(HEADER).append('\n').append(RULE).append('\n');
        for (ScenarioResult r : results) {
            DeliveryTracker.Counts c = r.counts();
            String ratio = baseline == null ? "-" : String.format(Locale.ROOT, "%.2f x, %.1f x",
                    r.achieved() / baseline.achieved(), r.percentileMillis(99) / baseline.percentileMillis(99));
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %d | %d | %d | **%d** | %d | %d | %.2f | %.2f | %.2f | %s |%n",
                    r.scenario(), r.offered(), r.achieved(), c.sent(), c.acked(), c.delivered(), c.lost(), c.duplicates(),
                    c.outOfOrder(), r.percentileMillis(50), r.percentileMillis(99), r.percentileMillis(99.9), ratio));
        }
        return b.toString();
    }
}
