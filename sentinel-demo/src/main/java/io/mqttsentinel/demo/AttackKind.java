package io.mqttsentinel.demo;

import java.util.List;

/**
 * The kinds of attacker the demo runs. Each names the layer that must stop it, what "stopped" means for it,
 * and the meters of the node's registry that count it being stopped; only that attacker moves those meters (the
 * fleet never does), so the count is the attacker's.
 */
enum AttackKind {
    SQL_INJECTION("sql-injection", Layer.BROKER, Expect.STOPPED, blocked("sql_injection")),
    COMMAND_INJECTION("command-injection", Layer.BROKER, Expect.STOPPED, blocked("command_injection")),
    XSS("xss", Layer.BROKER, Expect.STOPPED, blocked("xss")),
    PATH_TRAVERSAL("path-traversal", Layer.BROKER, Expect.STOPPED, blocked("path_traversal")),
    /** Above the inspector's size limit: quarantined (kept apart in the log, never delivered). */
    OVERSIZED("oversized-payload", Layer.BROKER, Expect.STOPPED,
            new Selector("mqtt_broker_messages_quarantined_total", null, null)),
    /** Above the entropy threshold: the seed says "flag for review", so it is delivered and reported. */
    HIGH_ENTROPY("high-entropy", Layer.BROKER, Expect.FLAGGED,
            new Selector("inspector.anomalies.detected", "type", "entropy")),
    /** The tiers let a client's burst and its sustained rate through and stop the rest. */
    PUBLISH_FLOOD("publish-flood", Layer.PROXY, Expect.LIMITED, tier("publish"), tier("client"), tier("ip")),
    /** Anonymous CONNECTs: refused before TLS, by the connection-rate anomaly, by the CONNECT tier or by auth. */
    CONNECT_FLOOD("connect-flood", Layer.PROXY, Expect.STOPPED,
            new Selector("mqtt.proxy.connections.rejected", "reason", "handshake_rate"),
            new Selector("mqtt.proxy.connections.rejected", "reason", "anomaly"),
            tier("connect"),
            new Selector("mqtt.proxy.auth.requests", "result", "not_authorized")),
    WRONG_PASSWORD("wrong-password", Layer.PROXY, Expect.STOPPED,
            new Selector("mqtt.proxy.auth.requests", "result", "bad_credentials")),
    TOPIC_PROBE("topic-probe", Layer.PROXY, Expect.STOPPED, new Selector("mqtt.proxy.acl.denied", null, null)),
    MALFORMED("malformed-packets", Layer.PROXY, Expect.STOPPED,
            new Selector("mqtt.proxy.protocol.violations", null, null),
            new Selector("mqtt.proxy.tls.handshake.failures", "reason", "not_tls"));

    /** A layer of the data path, as the report names it. */
    enum Layer {
        PROXY, BROKER, BRIDGE, ORIGIN;

        /** @return the name in the report, e.g. {@code proxy} */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What stopping this attacker means. */
    enum Expect {
        /** Every attempt refused: stopped at least once, nothing got through. */
        STOPPED,
        /** Rate limited: the excess is stopped, what fits the limits gets through. */
        LIMITED,
        /** Flagged for review and delivered, as the architecture prescribes for high entropy. */
        FLAGGED
    }

    /**
     * One counter of the registry, optionally narrowed to one tag value.
     *
     * @param name     the Micrometer name
     * @param tagKey   the tag, or {@code null} for every counter of the name
     * @param tagValue the tag's value
     */
    record Selector(String name, String tagKey, String tagValue) {
        long count(Meters meters) {
            return tagKey == null ? meters.count(name) : meters.count(name, tagKey, tagValue);
        }

        boolean matches(String meterName, String key, String value) {
            return name.equals(meterName) && (tagKey == null || (tagKey.equals(key) && tagValue.equals(value)));
        }
    }

    private final String label;
    private final Layer layer;
    private final Expect expect;
    private final List<Selector> selectors;

    AttackKind(String label, Layer layer, Expect expect, Selector... selectors) {
        this.label = label;
        this.layer = layer;
        this.expect = expect;
        this.selectors = List.of(selectors);
    }

    /** @return the name in the report, e.g. {@code sql-injection} */
    String label() {
        return label;
    }

    /** @return the layer that must stop (or flag) it */
    Layer layer() {
        return layer;
    }

    /** @return what stopping it means */
    Expect expect() {
        return expect;
    }

    /**
     * @param meters the node's meters
     * @return how often the expected layer stopped (or flagged) it
     */
    long stopped(Meters meters) {
        return selectors.stream().mapToLong(s -> s.count(meters)).sum();
    }

    /**
     * @param meterName a counter's Micrometer name
     * @param tagKey    the tag a report row breaks it down by, or {@code null}
     * @param tagValue  that tag's value
     * @return whether this attacker is the one that moves that counter
     */
    boolean owns(String meterName, String tagKey, String tagValue) {
        return selectors.stream().anyMatch(s -> s.matches(meterName, tagKey, tagValue))
                || alsoStoppedBy().stream().anyMatch(s -> s.matches(meterName, tagKey, tagValue));
    }

    /** @return counters of a later layer that stop what the expected layer lets through */
    private List<Selector> alsoStoppedBy() {
        // what fits the proxy's tiers still meets the broker's message-rate anomaly
        return this == PUBLISH_FLOOD ? List.of(blocked("rate")) : List.of();
    }

    private static Selector blocked(String category) {
        return new Selector("inspector.messages.blocked", "category", category);
    }

    private static Selector tier(String tier) {
        return new Selector("mqtt.proxy.rate.limit.rejected", "tier", tier);
    }
}
