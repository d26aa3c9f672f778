package io.mqttsentinel.bench.fullpath;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.Role;
import io.mqttsentinel.launcher.SentinelNode;
import io.mqttsentinel.proxy.ProxyLimits;
import io.mqttsentinel.proxy.auth.CredentialsFile;
import io.mqttsentinel.ratelimit.RateLimitConfig;
import io.mqttsentinel.testkit.TestCertificates;

/**
 * Proxy, core broker and bridge in this JVM, wired by {@link SentinelNode} exactly as {@code ./sentinel all}
 * wires them, with the launcher's defaults except: ephemeral ports on 127.0.0.1, the TLS pair of a test CA, a
 * credentials file in a temp directory (1,000 PBKDF2 iterations instead of 600,000, so that connecting the fleet
 * does not take minutes of CPU; the check per CONNECT is otherwise the real one), the origin's URL, and the limits
 * that {@link #settingsFor} raises because the load needs them.
 */
final class SentinelStack implements AutoCloseable {
    /** Headroom over the load's mean rate: open-loop pacing catches up after a stall with a short burst. */
    static final double HEADROOM = 1.25;
    /** CONNECTs per second while the fleet connects, below the inspector's default connection-rate anomaly (100/s). */
    static final int CONNECT_PACE = 80;
    /** TLS 1.3 record overhead per MQTT packet (header, content type, AEAD tag). */
    private static final int TLS_RECORD_OVERHEAD = 22;

    private final SentinelNode node;

    private SentinelStack(SentinelNode node) {
        this.node = node;
    }

    /**
     * The settings whose defaults the load would exceed, and only those: every device connects from 127.0.0.1,
     * so the per-source tiers carry the whole load; the per-client tiers and the inspector's per-client rate
     * anomaly carry one device's share.
     *
     * @param o the load
     * @return setting name to value, empty when the defaults suffice
     */
    static Map<String, String> settingsFor(LoadOptions o) {
        Map<String, String> s = new LinkedHashMap<>();
        long total = (long) Math.ceil(o.rate() * HEADROOM);
        long perDevice = (long) Math.ceil(o.perDeviceRate() * HEADROOM) + 1; // + keep-alive pings
        // the fleet-wide tiers get two seconds of burst: when the proxy's event loop is starved of CPU it reads
        // the whole fleet's backlog at once, which one source never sends in production
        raiseTier(s, RateLimitTier.GLOBAL, total, 2 * total);
        raiseTier(s, RateLimitTier.IP, total, 2 * total);
        raiseTier(s, RateLimitTier.PUBLISH, perDevice, perDevice);
        raiseTier(s, RateLimitTier.CLIENT, perDevice, perDevice);
        if (o.devices() > RateLimitTier.CONNECT.defaultBurst()) {
            long pace = (long) Math.ceil(CONNECT_PACE * HEADROOM);
            raiseTier(s, RateLimitTier.CONNECT, pace, pace);
        }
        if (perDevice > InspectorConfig.ofDefaults().rateLimit()) {
            s.put(InspectorConfig.ENV_RATE_LIMIT, Long.toString(perDevice));
        }
        ProxyLimits proxy = ProxyLimits.ofDefaults();
        long bytesPerSecond = (long) Math.ceil(total * (double) wireBytesPerMessage(o.devices()));
        if (proxy.bandwidthPerIp() > 0 && bytesPerSecond > proxy.bandwidthPerIp()) {
            s.put("SENTINEL_PROXY_BANDWIDTH_PER_IP", Long.toString(bytesPerSecond));
        }
        if (o.devices() > proxy.maxConnectionsPerIp()) {
            s.put("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", Integer.toString(o.devices()));
        }
        return s;
    }

    private static void raiseTier(Map<String, String> s, RateLimitTier tier, long rate, long burst) {
        if (rate > tier.defaultRate()) {
            s.put(RateLimitConfig.rateKey(tier), Long.toString(rate));
            if (burst > tier.defaultBurst()) {
                s.put(RateLimitConfig.burstKey(tier), Long.toString(burst));
            }
        }
    }

    /** The largest PUBLISH a device of this fleet sends, as TLS bytes on the wire. */
    static int wireBytesPerMessage(int devices) {
        int device = devices - 1;
        int payload = new TelemetryPayload("run-00000000", device, Integer.MAX_VALUE, Long.MAX_VALUE / 10).encode().length;
        int topic = ("clients/" + DeviceFleet.id(device) + "/telemetry").length();
        int mqtt = 1 + 2 + 2 + topic + 2 + payload; // fixed header (2-byte length), topic, packet id, payload
        return mqtt + TLS_RECORD_OVERHEAD;
    }

    /**
     * @param dir        an empty directory for the data directory, credentials and certificates
     * @param server     the proxy's certificate, issued by the devices' trusted CA
     * @param originWs   the origin's WebSocket port on 127.0.0.1
     * @param o          the load
     * @param raised     the settings the load needs ({@link #settingsFor})
     * @return the running stack, ready (bridge connected to the core and to the origin)
     */
    static SentinelStack start(Path dir, TestCertificates.Issued server, int originWs, LoadOptions o,
                               Map<String, String> raised) {
        Path credentials = dir.resolve("credentials");
        CredentialsFile file = CredentialsFile.at(credentials).withIterations(1_000);
        for (int i = 0; i < o.devices(); i++) {
            file.add(DeviceFleet.id(i), DeviceFleet.password(i));
        }
        Map<String, String> config = StackSettings.local(dir, server, credentials);
        config.put("SENTINEL_BRIDGE_ORIGIN_URL", "ws://127.0.0.1:" + originWs + "/");
        config.put("SENTINEL_STORE_FSYNC", "always"); // the default, stated: every PUBACK after an fsync
        config.putAll(raised);
        config.putAll(o.overrides());
        SentinelNode node = SentinelNode.start(EnumSet.allOf(Role.class), LauncherConfig.of(config));
        SentinelStack stack = new SentinelStack(node);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!node.isReady()) {
            if (System.nanoTime() > deadline) {
                stack.close();
                throw new IllegalStateException("Sentinel not ready within 30 s: " + node.notReady());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return stack;
    }

    int proxyTlsPort() {
        return node.proxyTlsPort();
    }

    /** @return one line of the counters that explain a message that was not acknowledged or not delivered */
    String counters() {
        MeterRegistry r = node.meterRegistry();
        String tiers = r.find("mqtt.proxy.rate.limit.rejected").counters().stream().filter(c -> c.count() > 0)
                .map(c -> c.getId().getTag("tier") + " " + (long) c.count()).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "proxy rate-limited %d%s, proxy bytes in %d, inspector blocked %d, "
                        + "broker queue-dropped %d, log append failures %d, broker refused %d, broker redeliveries %d, "
                        + "bridge dropped %d, bridge retries %d; broker sessions behind %d, caught up from the log %d, "
                        + "bridge in flight to the origin %d",
                sum(r, "mqtt.proxy.rate.limit.rejected"), tiers.isEmpty() ? "" : " (" + tiers + ")",
                sum(r, "mqtt.proxy.bytes.received"), sum(r, "inspector.messages.blocked"),
                sum(r, "mqtt_broker_queue_dropped_total"), sum(r, "mqtt_broker_log_append_failures_total"),
                sum(r, "mqtt_broker_messages_refused_total"), sum(r, "mqtt_broker_redeliveries_total"),
                sum(r, "bridge_messages_dropped"), sum(r, "bridge_retries"), gauge(r, "mqtt_broker_sessions_behind"),
                sum(r, "mqtt_broker_catchup_delivered_total"), gauge(r, "bridge_egress_inflight"))
                + "; stage latency p50/p99/max ms: " + Stream.of("mqtt_broker_log_append_latency_seconds",
                        "mqtt_broker_delivery_latency_seconds", "bridge_latency_seconds")
                .map(name -> stage(r, name)).collect(Collectors.joining(", "));
    }

    /** @return a timer's p50, p99 (from its histogram buckets: upper bounds) and max in ms, or nothing without it */
    private static String stage(MeterRegistry r, String name) {
        io.micrometer.core.instrument.Timer timer = r.find(name).timer();
        if (timer == null || timer.count() == 0) {
            return name + " -";
        }
        io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot = timer.takeSnapshot();
        return String.format(Locale.ROOT, "%s %.1f/%.1f/%.1f", name, bucket(snapshot, 0.50), bucket(snapshot, 0.99),
                snapshot.max(TimeUnit.MILLISECONDS));
    }

    private static double bucket(io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot, double q) {
        double wanted = q * snapshot.count();
        for (io.micrometer.core.instrument.distribution.CountAtBucket b : snapshot.histogramCounts()) {
            if (b.count() >= wanted) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return snapshot.max(TimeUnit.MILLISECONDS);
    }

    /** @return why the proxy refused CONNECTs: rejection reasons, auth results other than allow, rate-limit tiers */
    String connectRefusals() {
        MeterRegistry r = node.meterRegistry();
        return Stream.of(tagged(r, "mqtt.proxy.connections.rejected", "reason"), tagged(r, "mqtt.proxy.auth.requests", "result"),
                        tagged(r, "mqtt.proxy.rate.limit.rejected", "tier"))
                .filter(t -> !t.isEmpty()).collect(Collectors.joining("; "));
    }

    private static String tagged(MeterRegistry r, String name, String tag) {
        return r.find(name).counters().stream().filter(c -> c.count() > 0 && !"allow".equals(c.getId().getTag(tag)))
                .map(c -> name + "{" + tag + "=" + c.getId().getTag(tag) + "} " + (long) c.count())
                .collect(Collectors.joining(", "));
    }

    /** @return {@code true} while the bridge is connected to the origin ({@code bridge_connected{side="origin"}}) */
    boolean originConnected() {
        return node.meterRegistry().find("bridge_connected").tag("side", "origin").gauges().stream()
                .anyMatch(g -> g.value() >= 1);
    }

    /** @return the sum of a counter's series, or the value of a gauge's, 0 when there is no such meter */
    long meter(String name) {
        MeterRegistry r = node.meterRegistry();
        return r.find(name).counters().isEmpty() ? gauge(r, name) : sum(r, name);
    }

    private static long gauge(MeterRegistry r, String name) {
        return (long) r.find(name).gauges().stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }

    private static long sum(MeterRegistry r, String name) {
        return (long) r.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Override
    public void close() {
        node.close();
    }
}
