package io.mqttsentinel.demo;

import io.mqttsentinel.demo.AttackKind.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every check of the data path that stops traffic, with the counter the node's registry keeps for it: the
 * rows of the report's "what was stopped, and why". A row is one value of the counter's reason tag (a tier, a
 * protocol violation, an auth result, an inspector category).
 */
final class StopChecks {
    /**
     * One check.
     *
     * @param layer   where it runs
     * @param check   what it is, in the report
     * @param meter   the counter's Micrometer name
     * @param tagKey  the tag that says why, or {@code null} when the counter has none
     * @param exclude a tag value not to count: not a stop (the auth result {@code allow}) or counted by another
     *                check already; or {@code null}
     */
    record Check(Layer layer, String check, String meter, String tagKey, String exclude) {
    }

    /**
     * One non-zero row.
     *
     * @param check  the check
     * @param reason the tag's value (or {@code -})
     * @param count  how often it stopped something
     */
    record Row(Check check, String reason, long count) {
        /** @return the counter as {@code /metrics} shows it, e.g. {@code mqtt_proxy_acl_denied_total{action="subscribe"}} */
        String prometheus() {
            String name = Meters.prometheusName(check.meter());
            return check.tagKey() == null ? name : name + "{" + check.tagKey() + "=\"" + reason + "\"}";
        }
    }

    /** The checks, in the order a packet meets them. */
    static final List<Check> CHECKS = List.of(
            new Check(Layer.PROXY, "connection admission", "mqtt.proxy.connections.rejected", "reason", null),
            new Check(Layer.PROXY, "TLS", "mqtt.proxy.tls.handshake.failures", "reason", null),
            new Check(Layer.PROXY, "strict MQTT codec", "mqtt.proxy.protocol.violations", "reason", null),
            new Check(Layer.PROXY, "rate-limit tier", "mqtt.proxy.rate.limit.rejected", "tier", null),
            new Check(Layer.PROXY, "auth callout", "mqtt.proxy.auth.requests", "result", "allow"),
            new Check(Layer.PROXY, "topic ACL", "mqtt.proxy.acl.denied", "action", null),
            new Check(Layer.PROXY, "resource bound", "mqtt.proxy.overflow", "reason", null),
            new Check(Layer.BROKER, "strict MQTT codec", "mqtt_broker_protocol_violations_total", "reason", null),
            new Check(Layer.BROKER, "inspector: blocked", "inspector.messages.blocked", "category", null),
            new Check(Layer.BROKER, "inspector: quarantined", "mqtt_broker_messages_quarantined_total", null, null),
            // its rate_limited reason counts the messages of inspector_messages_blocked_total{category="rate"} again
            new Check(Layer.BROKER, "refused", "mqtt_broker_messages_refused_total", "reason", "rate_limited"),
            new Check(Layer.BRIDGE, "not forwarded", "bridge_messages_dropped", "reason", null));

    /** Flagged, not stopped: delivered with a security event, for review. */
    static final Check FLAGGED = new Check(Layer.BROKER, "inspector: flagged, delivered", "inspector.anomalies.detected",
            "type", null);

    private StopChecks() {
    }

    /**
     * @param meters the node's meters
     * @return the non-zero rows of {@link #CHECKS}, then the entropy flags
     */
    static List<Row> rows(Meters meters) {
        List<Row> rows = new ArrayList<>();
        for (Check c : CHECKS) {
            rows.addAll(rows(meters, c));
        }
        // only the entropy anomaly flags; size quarantines and rate blocks are counted above
        rows(meters, FLAGGED).stream().filter(r -> r.reason().equals("entropy")).forEach(rows::add);
        return rows;
    }

    /**
     * @param meters the node's meters
     * @param layer  a layer
     * @return how often that layer's checks stopped something
     */
    static long stopped(Meters meters, Layer layer) {
        long n = 0;
        for (Check c : CHECKS) {
            if (c.layer() == layer) {
                n += rows(meters, c).stream().mapToLong(Row::count).sum();
            }
        }
        return n;
    }

    private static List<Row> rows(Meters meters, Check c) {
        List<Row> rows = new ArrayList<>();
        if (c.tagKey() == null) {
            long n = meters.count(c.meter());
            if (n > 0) {
                rows.add(new Row(c, "-", n));
            }
            return rows;
        }
        for (Map.Entry<String, Long> e : meters.byTag(c.meter(), c.tagKey()).entrySet()) {
            if (!e.getKey().equals(c.exclude())) {
                rows.add(new Row(c, e.getKey(), e.getValue()));
            }
        }
        return rows;
    }
}
