package io.mqttsentinel.bench.fullpath;

import java.util.Locale;

/**
 * What an origin outage did to the full path. Times are seconds; {@code NaN} when the event did not happen.
 *
 * @param downAt            when the origin stopped, seconds into the measured phase
 * @param downFor           how long it was down (stop to listening again)
 * @param saved             Mosquitto exited on SIGTERM (it saved what it had acknowledged), was not killed
 * @param refused           its WebSocket port refused connections while it was down
 * @param bridgeBack        origin back → the bridge connected to it again (the bridge's reconnect backoff)
 * @param backlogAtBack     acknowledged messages not delivered when the origin came back
 * @param backlogDrained    origin back → every message of that backlog delivered
 * @param allDelivered      origin back → every message acknowledged by then delivered, first seen after the last
 *                          publish (publishes that never got a PUBACK, e.g. refused by a rate limit, do not count)
 * @param ackedInOutage     acknowledged messages that were due while the origin was down
 * @param deliveredInOutage of those, delivered
 * @param catchUpDelivered  {@code mqtt_broker_catchup_delivered_total}: messages the broker read back from its log
 * @param queueDropped      {@code mqtt_broker_queue_dropped_total}
 * @param sessionsBehind    {@code mqtt_broker_sessions_behind} at the end
 * @param bridgeRetries     {@code bridge_retries_total}
 * @param redeliveries      {@code mqtt_broker_redeliveries_total}
 */
record OutageReport(double downAt, double downFor, boolean saved, boolean refused, double bridgeBack, long backlogAtBack,
                    double backlogDrained, double allDelivered, long ackedInOutage, long deliveredInOutage,
                    long catchUpDelivered, long queueDropped, long sessionsBehind, long bridgeRetries, long redeliveries) {

    static final String HEADER = "| origin down at s | down for s | state saved, port refused | bridge reconnected after s "
            + "| backlog at origin-back | backlog drained after s | all acked delivered after s | acked during outage "
            + "| of those delivered | broker catch-up delivered | broker queue-dropped | sessions behind at end "
            + "| bridge retries | broker redeliveries |";
    static final String RULE = "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    /** @return this report as a Markdown table of one row */
    String table() {
        return HEADER + "\n" + RULE + "\n" + String.format(Locale.ROOT,
                "| %.1f | %.1f | %s, %s | %.1f | %d | %.1f | %.1f | %d | %d | %d | %d | %d | %d | %d |%n",
                downAt, downFor, saved ? "yes" : "**no**", refused ? "yes" : "**no**", bridgeBack, backlogAtBack,
                backlogDrained, allDelivered, ackedInOutage, deliveredInOutage, catchUpDelivered, queueDropped,
                sessionsBehind, bridgeRetries, redeliveries);
    }
}
