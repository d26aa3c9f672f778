package io.mqttsentinel.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable limits of the strict validator.
 *
 * @param maxPacketSize      largest accepted remaining length, in bytes (1 to 268,435,455); default 262,144
 * @param maxClientIdLength  longest accepted client id, in UTF-8 bytes (23 to 65,535); default 256
 * @param connectTimeout     how long a new connection may take to send CONNECT; default 10 s
 * @param keepAliveFactor    a client that sends nothing for keep-alive times this factor is disconnected
 *                           (1.0 to 10.0); default 1.5
 */
public record MqttLimits(int maxPacketSize, int maxClientIdLength, Duration connectTimeout, double keepAliveFactor) {

    /** The largest remaining length MQTT can encode (4 bytes of 7 bits). */
    public static final int MQTT_MAX_REMAINING_LENGTH = 268_435_455;

    /**
     * @param maxPacketSize     largest accepted remaining length
     * @param maxClientIdLength longest client id
     * @param connectTimeout    CONNECT timeout
     * @param keepAliveFactor   keep-alive factor
     */
    public MqttLimits {
        if (maxPacketSize < 1 || maxPacketSize > MQTT_MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("maxPacketSize must be between 1 and " + MQTT_MAX_REMAINING_LENGTH
                    + ", was " + maxPacketSize);
        }
        if (maxClientIdLength < 23 || maxClientIdLength > 65_535) {
            throw new IllegalArgumentException("maxClientIdLength must be between 23 and 65535, was " + maxClientIdLength);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
        if (!(keepAliveFactor >= 1.0 && keepAliveFactor <= 10.0)) {
            throw new IllegalArgumentException("keepAliveFactor must be between 1.0 and 10.0, was " + keepAliveFactor);
        }
    }

    /** @return 256 KiB packets, 256-byte client ids, 10 s CONNECT timeout, keep-alive factor 1.5 */
    public static MqttLimits ofDefaults() {
        return new MqttLimits(262_144, 256, Duration.ofSeconds(10), 1.5);
    }

    /**
     * @param bytes the new maximum packet size
     * @return a copy with {@code maxPacketSize = bytes}
     */
    public MqttLimits withMaxPacketSize(int bytes) {
        return new MqttLimits(bytes, maxClientIdLength, connectTimeout, keepAliveFactor);
    }

    /**
     * @param timeout the new CONNECT timeout
     * @return a copy with {@code connectTimeout = timeout}
     */
    public MqttLimits withConnectTimeout(Duration timeout) {
        return new MqttLimits(maxPacketSize, maxClientIdLength, timeout, keepAliveFactor);
    }
}
