package io.mqttsentinel.broker;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.mqttsentinel.api.Finding;

/**
 * What the {@link QuarantineStore} knows of one quarantined message, without its payload (read it with
 * {@link QuarantineStore#payload(String)}).
 *
 * @param id         the message's id in the store: {@code <partition>-<offset>} of its record in the quarantine log
 * @param clientId   the publisher's client id
 * @param topic      the topic it was published to
 * @param qos        its QoS
 * @param size       its payload's length in bytes
 * @param time       when the broker received it
 * @param findings   why it was quarantined: the inspector's findings, most severe first
 * @param state      quarantined, or released to subscribers
 * @param releasedAt when it was released, or {@code null}
 * @param releasedBy who released it (as the admin API recorded it), or {@code ""}
 */
public record QuarantinedMessage(String id, String clientId, String topic, int qos, int size, Instant time,
                                 List<Finding> findings, State state, Instant releasedAt, String releasedBy) {

    /** Where a quarantined message stands. */
    public enum State {
        /** Held back, never delivered. */
        QUARANTINED,
        /** Delivered to subscribers by an operator's release. */
        RELEASED;

        /** @return the lower-case label used in the admin API, e.g. {@code "released"} */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param id         the id
     * @param clientId   the client id
     * @param topic      the topic
     * @param qos        the QoS
     * @param size       the payload length
     * @param time       the receive time
     * @param findings   the findings (copied)
     * @param state      the state
     * @param releasedAt the release time or {@code null}
     * @param releasedBy who released it or {@code ""}
     */
    public QuarantinedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(time, "time");
        findings = List.copyOf(Objects.requireNonNull(findings, "findings"));
        Objects.requireNonNull(state, "state");
        releasedBy = releasedBy == null ? "" : releasedBy;
    }

    /** @return when it was released, if it was */
    public Optional<Instant> released() {
        return Optional.ofNullable(releasedAt);
    }

    /**
     * @param reason a category label ({@code payload_size}) or a rule id ({@code anomaly-size}), any case
     * @return {@code true} when one of the findings has that category or rule id
     */
    public boolean hasReason(String reason) {
        for (Finding f : findings) {
            if (f.category().label().equalsIgnoreCase(reason) || f.ruleId().equalsIgnoreCase(reason)) {
                return true;
            }
        }
        return false;
    }
}
