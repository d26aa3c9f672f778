package io.mqttsentinel.api;

/**
 * The MQTT control packets that a {@link RateLimiter} distinguishes. Every packet that is not a
 * CONNECT, PUBLISH or SUBSCRIBE counts as {@link #OTHER} (it still passes the GLOBAL, IP and CLIENT tiers).
 */
public enum PacketKind {
    /** A CONNECT packet: limited per source address by the CONNECT tier. */
    CONNECT,
    /** A PUBLISH packet: limited per client id by the PUBLISH tier. */
    PUBLISH,
    /** A SUBSCRIBE packet: limited per client id by the SUBSCRIBE tier. */
    SUBSCRIBE,
    /** Any other packet (UNSUBSCRIBE, PINGREQ, PUBACK, DISCONNECT, ...). */
    OTHER
}
