package io.mqttsentinel.api;

/**
 * The MQTT control packets that a {@link RateLimiter} distinguishes. Every packet that is not a
 * CONNECT, PUBLISH or SUBSCRIBE counts as {@link #OTHER} (it still passes the GLOBAL, IP and CLIENT tiers).
 * The edge proxy never asks about the control packets of an authenticated device (PINGREQ, PUBACK,
 * PUBREC, PUBREL, PUBCOMP, DISCONNECT): a rate tier must not drop a keep-alive or an acknowledgement.
 */
public enum PacketKind {
    /** A CONNECT packet: limited per source address by the CONNECT tier. */
    CONNECT,
    /** A PUBLISH packet: limited per client id by the PUBLISH tier. */
    PUBLISH,
    /** A SUBSCRIBE packet: limited per client id by the SUBSCRIBE tier. */
    SUBSCRIBE,
    /** Any other packet that is rate limited (from the proxy: UNSUBSCRIBE). */
    OTHER
}
