package io.mqttsentinel.mqtt;

import java.util.Locale;

/**
 * Why a connection was refused by the strict validator. The {@link #label()} is the value of the
 * {@code reason} label of the callers' refusal counters.
 */
public enum ProtocolViolation {
    /** The remaining-length field is longer than 4 bytes. */
    MALFORMED_REMAINING_LENGTH,
    /** The packet is larger than the configured maximum (checked before its body is buffered). */
    PACKET_TOO_LARGE,
    /** Packet type 0 or 15, or a type this side of the connection must never receive. */
    INVALID_PACKET_TYPE,
    /** Reserved bits of the fixed header are not what MQTT 3.1.1 prescribes. */
    RESERVED_FLAGS,
    /** A PUBLISH or a subscription asked for QoS 3. */
    INVALID_QOS,
    /** The first packet of a connection is not CONNECT (or, upstream, not CONNACK). */
    FIRST_PACKET_NOT_CONNECT,
    /** A second CONNECT on the same connection. */
    DUPLICATE_CONNECT,
    /** The CONNECT's protocol name is not "MQTT". */
    BAD_PROTOCOL_NAME,
    /** The CONNECT's protocol level is not 4 (MQTT 3.1.1); answered with CONNACK 0x01. */
    UNSUPPORTED_PROTOCOL_LEVEL,
    /** The CONNECT's flags break MQTT 3.1.1 (reserved bit, will flags, password without user name). */
    BAD_CONNECT_FLAGS,
    /** The client id is empty without clean session, or too long; answered with CONNACK 0x02. */
    IDENTIFIER_REJECTED,
    /** A string is not well-formed UTF-8, encodes a surrogate, or contains U+0000. */
    INVALID_UTF8,
    /** A PUBLISH topic is empty or contains a wildcard. */
    INVALID_TOPIC_NAME,
    /** A SUBSCRIBE or UNSUBSCRIBE filter is empty or uses wildcards wrongly. */
    INVALID_TOPIC_FILTER,
    /** A SUBSCRIBE or UNSUBSCRIBE carries no filter. */
    EMPTY_SUBSCRIPTION,
    /** A packet identifier is 0 where MQTT requires a non-zero one. */
    INVALID_PACKET_ID,
    /** A field is missing, or the fields do not add up to the remaining length. */
    MALFORMED_PACKET,
    /** No CONNECT arrived within the CONNECT timeout. */
    CONNECT_TIMEOUT,
    /** Nothing arrived within 1.5 times the keep-alive the client asked for. */
    KEEPALIVE_TIMEOUT,
    /**
     * A proxy → core link (see {@link io.mqttsentinel.mqtt.link.CoreLink}) broke its protocol: a bad preamble, an
     * unknown or oversized frame, data beyond the credit given. The whole link is closed.
     */
    LINK_FRAME;

    /** @return the metric label, e.g. {@code "packet_too_large"} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
