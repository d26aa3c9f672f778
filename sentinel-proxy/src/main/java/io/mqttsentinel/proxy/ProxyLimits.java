package io.mqttsentinel.proxy;

import java.time.Duration;
import java.util.Objects;

import io.mqttsentinel.mqtt.MqttLimits;

/**
 * Immutable L3/L4 and protocol limits of the proxy: what keeps half-open, slow and flooding connections
 * from exhausting file descriptors or memory.
 *
 * @param maxConnections         connections held at once, in total (1 to 10,000,000; default 1,000,000)
 * @param maxConnectionsPerIp    connections held at once per source address (1 to 10,000,000; default 1,000)
 * @param bandwidthPerIp         bytes per second read from one source address, all its connections together
 *                               (0 = unlimited, else 1,024 to 10,737,418,240; default 1,048,576)
 * @param maxPacketSize          largest MQTT remaining length accepted (16 to 268,435,455; default 262,144)
 * @param maxClientIdLength      longest client id in UTF-8 bytes (23 to 65,535; default 256)
 * @param maxPendingBytes        bytes of packets held per connection while its CONNECT is being
 *                               authenticated and the upstream connected (1,024 to 67,108,864; default 65,536)
 * @param tlsHandshakeTimeout    how long a TLS handshake may take (100 ms to 5 min; default 10 s)
 * @param connectTimeout         how long a connection may take to send CONNECT after TCP accept
 *                               (100 ms to 5 min; default 10 s)
 * @param authTimeout            how long the proxy waits for the auth callout's verdict before it denies
 *                               (10 ms to 5 min; default 5 s)
 * @param upstreamConnectTimeout how long connecting to the core broker and receiving its CONNACK may take
 *                               (10 ms to 5 min; default 5 s)
 */
public record ProxyLimits(int maxConnections, int maxConnectionsPerIp, long bandwidthPerIp, int maxPacketSize,
                          int maxClientIdLength, int maxPendingBytes, Duration tlsHandshakeTimeout,
                          Duration connectTimeout, Duration authTimeout, Duration upstreamConnectTimeout) {

    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    /**
     * Validates every field.
     *
     * @param maxConnections         total connections
     * @param maxConnectionsPerIp    connections per source address
     * @param bandwidthPerIp         bytes per second per source address, 0 = unlimited
     * @param maxPacketSize          largest packet
     * @param maxClientIdLength      longest client id
     * @param maxPendingBytes        bytes held during auth
     * @param tlsHandshakeTimeout    TLS handshake timeout
     * @param connectTimeout         CONNECT timeout
     * @param authTimeout            auth timeout
     * @param upstreamConnectTimeout upstream connect timeout
     */
    public ProxyLimits {
        range("maxConnections", maxConnections, 1, 10_000_000);
        range("maxConnectionsPerIp", maxConnectionsPerIp, 1, 10_000_000);
        if (bandwidthPerIp != 0) {
            range("bandwidthPerIp", bandwidthPerIp, 1_024, 10L * 1024 * 1024 * 1024);
        }
        range("maxPacketSize", maxPacketSize, 16, MqttLimits.MQTT_MAX_REMAINING_LENGTH);
        range("maxClientIdLength", maxClientIdLength, 23, 65_535);
        range("maxPendingBytes", maxPendingBytes, 1_024, 64 * 1024 * 1024);
        duration("tlsHandshakeTimeout", tlsHandshakeTimeout, Duration.ofMillis(100));
        duration("connectTimeout", connectTimeout, Duration.ofMillis(100));
        duration("authTimeout", authTimeout, Duration.ofMillis(10));
        duration("upstreamConnectTimeout", upstreamConnectTimeout, Duration.ofMillis(10));
    }

    /** @return the defaults documented on each field */
    public static ProxyLimits ofDefaults() {
        return new ProxyLimits(1_000_000, 1_000, 1_048_576, 262_144, 256, 65_536, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /**
     * @param n total connections
     * @return a copy with {@code maxConnections = n}
     */
    public ProxyLimits withMaxConnections(int n) {
        return new ProxyLimits(n, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength, maxPendingBytes,
                tlsHandshakeTimeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param n connections per source address
     * @return a copy with {@code maxConnectionsPerIp = n}
     */
    public ProxyLimits withMaxConnectionsPerIp(int n) {
        return new ProxyLimits(maxConnections, n, bandwidthPerIp, maxPacketSize, maxClientIdLength, maxPendingBytes,
                tlsHandshakeTimeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param bytesPerSecond bytes per second per source address, 0 = unlimited
     * @return a copy with {@code bandwidthPerIp = bytesPerSecond}
     */
    public ProxyLimits withBandwidthPerIp(long bytesPerSecond) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bytesPerSecond, maxPacketSize, maxClientIdLength,
                maxPendingBytes, tlsHandshakeTimeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param bytes largest remaining length
     * @return a copy with {@code maxPacketSize = bytes}
     */
    public ProxyLimits withMaxPacketSize(int bytes) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, bytes, maxClientIdLength,
                maxPendingBytes, tlsHandshakeTimeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param bytes bytes held per connection during auth
     * @return a copy with {@code maxPendingBytes = bytes}
     */
    public ProxyLimits withMaxPendingBytes(int bytes) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength,
                bytes, tlsHandshakeTimeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param timeout TLS handshake timeout
     * @return a copy with {@code tlsHandshakeTimeout = timeout}
     */
    public ProxyLimits withTlsHandshakeTimeout(Duration timeout) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength,
                maxPendingBytes, timeout, connectTimeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param timeout CONNECT timeout
     * @return a copy with {@code connectTimeout = timeout}
     */
    public ProxyLimits withConnectTimeout(Duration timeout) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength,
                maxPendingBytes, tlsHandshakeTimeout, timeout, authTimeout, upstreamConnectTimeout);
    }

    /**
     * @param timeout auth timeout
     * @return a copy with {@code authTimeout = timeout}
     */
    public ProxyLimits withAuthTimeout(Duration timeout) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength,
                maxPendingBytes, tlsHandshakeTimeout, connectTimeout, timeout, upstreamConnectTimeout);
    }

    /**
     * @param timeout upstream connect timeout
     * @return a copy with {@code upstreamConnectTimeout = timeout}
     */
    public ProxyLimits withUpstreamConnectTimeout(Duration timeout) {
        return new ProxyLimits(maxConnections, maxConnectionsPerIp, bandwidthPerIp, maxPacketSize, maxClientIdLength,
                maxPendingBytes, tlsHandshakeTimeout, connectTimeout, authTimeout, timeout);
    }

    /** @return the strict validator's limits derived from these (keep-alive factor 1.5) */
    public MqttLimits mqttLimits() {
        return new MqttLimits(maxPacketSize, maxClientIdLength, connectTimeout, 1.5);
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void duration(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + MAX_TIMEOUT + ", was " + value);
        }
    }
}
