package io.mqttsentinel.bridge;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.config.Values;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's bridge as its configuration asks for it: one {@link Bridge}, or, when {@link BridgeConfig#lease()} is
 * set, a {@link BridgeLease} under which one of several instances runs the bridge. What a launcher starts, asks
 * whether it is ready, and closes.
 *
 * <pre>{@code
 * BridgeInstance bridge = BridgeInstance.of(BridgeConfig.fromEnvironment(System.getenv()), registry);
 * bridge.start();
 * log.info("bridge: {}", bridge.describe());   // core 127.0.0.1:1884 -> origin wss://origin.example/mqtt
 * }</pre>
 *
 * <p>A bridge alone logs once whether it connected to both sides, or why not (unless it was closed meanwhile); a
 * lease logs its own changes. Thread-safe; {@link #start()} once, {@link #close()} once.
 */
public final class BridgeInstance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeInstance.class);

    private final BridgeConfig config;
    private final Bridge bridge; // null under a lease
    private final BridgeLease lease; // null for a bridge alone
    private volatile boolean closed;

    private BridgeInstance(BridgeConfig config, Bridge bridge, BridgeLease lease) {
        this.config = config;
        this.bridge = bridge;
        this.lease = lease;
    }

    /**
     * Builds the bridge, or the lease, without connecting.
     *
     * @param config   the configuration, with an origin URL
     * @param registry where the bridge's (and the lease's) meters go
     * @return the instance, not started
     */
    public static BridgeInstance of(BridgeConfig config, MeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        return config.lease().isZero()
                ? new BridgeInstance(config, Bridge.builder(config).meterRegistry(registry).build(), null)
                : new BridgeInstance(config, null, BridgeLease.builder(config).meterRegistry(registry).build());
    }

    /**
     * Starts the bridge ({@link Bridge#start()}) or follows the lease ({@link BridgeLease#start()}); both retry until
     * they succeed or are closed.
     *
     * @return a stage that completes when the bridge is connected on both sides, or when the lease is followed
     */
    public CompletionStage<Void> start() {
        if (lease != null) {
            return lease.start();
        }
        String core = Values.formatHostPorts(config.cores());
        return bridge.start().whenComplete((ok, error) -> {
            if (error != null && !closed) {
                LOG.warn("bridge did not connect: {}", error.toString());
            } else if (error == null) {
                LOG.info("bridge connected: core {} <-> origin {}", core, origin());
            }
        });
    }

    /** @return whether the bridge is ready ({@link Bridge#isReady()}, {@link BridgeLease#isReady()}) */
    public boolean isReady() {
        return lease != null ? lease.isReady() : bridge.isReady();
    }

    /**
     * @return one line for a start line: {@code core <host:port,...> -> origin <url>}, after
     *         {@code lease <duration> as <instance>, } under a lease; the origin URL's secrets masked
     */
    public String describe() {
        String link = "core " + Values.formatHostPorts(config.cores()) + " -> origin " + origin();
        return lease == null ? link : "lease " + config.lease() + " as " + lease.instanceId() + ", " + link;
    }

    /** Closes the bridge or the lease (which frees it for another instance). Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (lease != null) {
            lease.close();
        } else {
            bridge.close();
        }
    }

    @Override
    public String toString() {
        return "BridgeInstance[" + (lease != null ? lease : bridge) + "]";
    }

    private String origin() {
        return config.originUri().map(u -> Values.maskUrl(u.toString())).orElse("(none)");
    }
}
