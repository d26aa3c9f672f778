package io.mqttsentinel.proxy.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.mqtt.ProtocolViolation;

/**
 * The proxy's meters, registered once so that the per-packet paths only increment. Names are Micrometer
 * dotted names; the Prometheus registry renders them as the seed's names ({@code mqtt.proxy.connections}
 * becomes {@code mqtt_proxy_connections_total}, the auth timer {@code mqtt_proxy_auth_latency_seconds}).
 */
public final class ProxyMetrics {
    private final io.mqttsentinel.mqtt.ViolationListener upstreamViolations =
            (violation, detail, remote) -> upstreamFailure("protocol_" + violation.label());
    private final MeterRegistry registry;
    private final Counter connections;
    private final AtomicLong active = new AtomicLong();
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Map<ProtocolViolation, Counter> violations = new EnumMap<>(ProtocolViolation.class);
    private final Map<RateLimitTier, Counter> rateLimited = new EnumMap<>(RateLimitTier.class);
    private final Map<String, Counter> byLabel = new ConcurrentHashMap<>();
    private final Timer authLatency;

    /**
     * @param registry where to register; every meter is created here, eagerly
     * @param countRateLimitRejections whether this proxy counts {@code mqtt.proxy.rate.limit.rejected}
     *                                 itself (false when the rate limiter already does)
     */
    public ProxyMetrics(MeterRegistry registry, boolean countRateLimitRejections) {
        this.registry = registry;
        this.connections = Counter.builder("mqtt.proxy.connections")
                .description("Connections accepted by the proxy (TCP accepted within the connection limits)")
                .register(registry);
        Gauge.builder("mqtt.proxy.connections.active", active, AtomicLong::get)
                .description("Connections currently held by the proxy").register(registry);
        this.bytesIn = Counter.builder("mqtt.proxy.bytes.received").baseUnit("bytes")
                .description("Bytes read from devices, before TLS decryption").register(registry);
        this.bytesOut = Counter.builder("mqtt.proxy.bytes.sent").baseUnit("bytes")
                .description("Bytes written to devices, after TLS encryption").register(registry);
        for (ProtocolViolation v : ProtocolViolation.values()) {
            violations.put(v, Counter.builder("mqtt.proxy.protocol.violations").tag("reason", v.label())
                    .description("Connections refused by the strict MQTT validator").register(registry));
        }
        if (countRateLimitRejections) {
            for (RateLimitTier t : RateLimitTier.values()) {
                rateLimited.put(t, Counter.builder("mqtt.proxy.rate.limit.rejected").tag("tier", t.label())
                        .description("Packets rejected by a rate-limit tier").register(registry));
            }
        }
        this.authLatency = Timer.builder("mqtt.proxy.auth.latency")
                .description("Time from CONNECT to the auth verdict (cache hits included)")
                .publishPercentiles(0.5, 0.9, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        // error and timeout: the authority's outage; busy and queue_timeout: the proxy's own auth queue was full or
        // too slow, and no call was made
        for (String r : new String[] {"allow", "bad_credentials", "not_authorized", "error", "timeout", "busy",
                "queue_timeout"}) {
            labelled("mqtt.proxy.auth.requests", "result", r);
        }
    }

    /** @return the registry the meters live in */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts an accepted connection and adds it to the active gauge. */
    public void connectionOpened() {
        connections.increment();
        active.incrementAndGet();
    }

    /** Removes a connection from the active gauge. */
    public void connectionClosed() {
        active.decrementAndGet();
    }

    /** @return connections currently held */
    public long activeConnections() {
        return active.get();
    }

    /** @param bytes bytes read from a device */
    public void bytesIn(long bytes) {
        bytesIn.increment(bytes);
    }

    /** @param bytes bytes written to a device */
    public void bytesOut(long bytes) {
        bytesOut.increment(bytes);
    }

    /** @param v a refused connection's reason */
    public void violation(ProtocolViolation v) {
        violations.get(v).increment();
    }

    /** @param tier the tier that rejected a packet (ignored when the rate limiter counts itself) */
    public void rateLimited(RateLimitTier tier) {
        Counter c = rateLimited.get(tier);
        if (c != null) {
            c.increment();
        }
    }

    /**
     * @param result the auth result label
     * @param nanos  how long the verdict took
     */
    public void auth(String result, long nanos) {
        labelled("mqtt.proxy.auth.requests", "result", result).increment();
        authLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** @param result an auth result decided without asking the callout (no latency recorded) */
    public void authRefused(String result) {
        labelled("mqtt.proxy.auth.requests", "result", result).increment();
    }

    /** @param reason why a connection was refused before TLS (max_total, max_per_ip) */
    public void connectionRejected(String reason) {
        labelled("mqtt.proxy.connections.rejected", "reason", reason).increment();
    }

    /** @param reason why a TLS handshake failed */
    public void handshakeFailed(String reason) {
        labelled("mqtt.proxy.tls.handshake.failures", "reason", reason).increment();
    }

    /** @param result success or failure of a certificate reload */
    public void tlsReload(String result) {
        labelled("mqtt.proxy.tls.reloads", "result", result).increment();
    }

    /** @param action what the ACL refused: publish, subscribe or will */
    public void aclDenied(String action) {
        labelled("mqtt.proxy.acl.denied", "action", action).increment();
    }

    /**
     * @return one listener for every upstream codec, counting what the core broke as an upstream failure (one
     *         shared instance: a listener made per device would hold that device's connect-time objects)
     */
    public io.mqttsentinel.mqtt.ViolationListener upstreamViolations() {
        return upstreamViolations;
    }

    /** @param reason why the upstream connection failed or was refused */
    public void upstreamFailure(String reason) {
        labelled("mqtt.proxy.upstream.failures", "reason", reason).increment();
    }

    /** @param reason why a connection was closed for exceeding a resource bound */
    public void overflow(String reason) {
        labelled("mqtt.proxy.overflow", "reason", reason).increment();
    }

    private Counter labelled(String name, String tag, String value) {
        return byLabel.computeIfAbsent(name + '\0' + value,
                k -> Counter.builder(name).tag(tag, value).register(registry));
    }
}
