package io.mqttsentinel.proxy;

/** How a proxy carries its devices' connections to the core broker nodes. */
public enum CoreHop {
    /**
     * A few links per core node (one per proxy I/O thread), each carrying many devices' MQTT connections as streams
     * ({@link io.mqttsentinel.mqtt.link.CoreLink}): no TCP connection, TLS engine or ephemeral port per device on
     * the hop. A node that answers the link's preamble with anything else (an MQTT broker that is not a Sentinel
     * core) gets {@link #PER_DEVICE} connections instead, retried as a link after the upstream retry delay.
     */
    MULTIPLEXED,
    /** One MQTT connection (over mutual TLS when configured) per device to its core node. */
    PER_DEVICE
}
