package io.mqttsentinel.proxy;

import java.time.Duration;

import io.mqttsentinel.config.Values;
import io.mqttsentinel.mqtt.MqttLimits;

/**
 * Immutable L3/L4 and protocol limits of the proxy: what keeps half-open, slow and flooding connections
 * from exhausting file descriptors or memory. {@link ProxyConfig} holds one; its builder sets each limit, and its
 * {@link ProxyConfig#settings()} lists the environment variables of those that have one.
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
 * @param authTimeout            how long the proxy waits for the auth callout's verdict before it denies, on
 *                               top of the callout's own bounded queue wait
 *                               ({@link io.mqttsentinel.api.AuthCallout#maxQueueWait()}) (10 ms to 5 min;
 *                               default 5 s)
 * @param upstreamConnectTimeout how long connecting to the core broker and receiving its CONNACK may take
 *                               (10 ms to 5 min; default 5 s)
 */
public record ProxyLimits(int maxConnections, int maxConnectionsPerIp, long bandwidthPerIp, int maxPacketSize,
                          int maxClientIdLength, int maxPendingBytes, Duration tlsHandshakeTimeout,
                          Duration connectTimeout, Duration authTimeout, Duration upstreamConnectTimeout) {

    /** Most connections, in total or per source address. */
    static final int MAX_CONNECTIONS = 10_000_000;
    /** Smallest bandwidth per source address other than 0 (unlimited), bytes per second. */
    static final long MIN_BANDWIDTH = 1_024;
    /** Largest bandwidth per source address, bytes per second (10 GiB). */
    static final long MAX_BANDWIDTH = 10L * 1024 * 1024 * 1024;
    /** Smallest {@code maxPacketSize}. */
    static final int MIN_PACKET_SIZE = 16;
    /** Smallest {@code maxClientIdLength} (the 23 bytes every MQTT 3.1.1 server must accept). */
    static final int MIN_CLIENT_ID_LENGTH = 23;
    /** Largest {@code maxClientIdLength}. */
    static final int MAX_CLIENT_ID_LENGTH = 65_535;
    /** Smallest {@code maxPendingBytes}. */
    static final int MIN_PENDING_BYTES = 1_024;
    /** Largest {@code maxPendingBytes} (64 MiB). */
    static final int MAX_PENDING_BYTES = 64 * 1024 * 1024;
    /** Shortest TLS handshake or CONNECT timeout. */
    static final Duration MIN_DEVICE_TIMEOUT = Duration.ofMillis(100);
    /** Shortest auth or upstream connect timeout. */
    static final Duration MIN_INTERNAL_TIMEOUT = Duration.ofMillis(10);
    /** Longest of every timeout. */
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

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
        Values.checkRange("maxConnections", maxConnections, 1, MAX_CONNECTIONS);
        Values.checkRange("maxConnectionsPerIp", maxConnectionsPerIp, 1, MAX_CONNECTIONS);
        checkBandwidth("bandwidthPerIp", bandwidthPerIp);
        Values.checkRange("maxPacketSize", maxPacketSize, MIN_PACKET_SIZE, MqttLimits.MQTT_MAX_REMAINING_LENGTH);
        Values.checkRange("maxClientIdLength", maxClientIdLength, MIN_CLIENT_ID_LENGTH, MAX_CLIENT_ID_LENGTH);
        Values.checkRange("maxPendingBytes", maxPendingBytes, MIN_PENDING_BYTES, MAX_PENDING_BYTES);
        Values.checkRange("tlsHandshakeTimeout", tlsHandshakeTimeout, MIN_DEVICE_TIMEOUT, MAX_TIMEOUT);
        Values.checkRange("connectTimeout", connectTimeout, MIN_DEVICE_TIMEOUT, MAX_TIMEOUT);
        Values.checkRange("authTimeout", authTimeout, MIN_INTERNAL_TIMEOUT, MAX_TIMEOUT);
        Values.checkRange("upstreamConnectTimeout", upstreamConnectTimeout, MIN_INTERNAL_TIMEOUT, MAX_TIMEOUT);
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

    /**
     * @param parameter the parameter's name
     * @param bytesPerSecond 0 (unlimited), or {@value #MIN_BANDWIDTH} to {@value #MAX_BANDWIDTH}
     * @return {@code bytesPerSecond}
     */
    static long checkBandwidth(String parameter, long bytesPerSecond) {
        if (bytesPerSecond != 0 && (bytesPerSecond < MIN_BANDWIDTH || bytesPerSecond > MAX_BANDWIDTH)) {
            throw new IllegalArgumentException(parameter + " must be 0 (unlimited) or " + MIN_BANDWIDTH + " to "
                    + MAX_BANDWIDTH + ", was " + bytesPerSecond);
        }
        return bytesPerSecond;
    }
}
