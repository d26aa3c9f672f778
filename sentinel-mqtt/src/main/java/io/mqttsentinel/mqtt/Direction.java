package io.mqttsentinel.mqtt;

/** Which side of an MQTT connection the validated bytes come from. */
public enum Direction {
    /** Packets a client sends to a server (the proxy's device side, the broker). First packet: CONNECT. */
    CLIENT_TO_SERVER,
    /** Packets a server sends to a client (the proxy's upstream side). First packet: CONNACK. */
    SERVER_TO_CLIENT
}
