package io.mqttsentinel.bridge;

import io.mqttsentinel.api.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One of several bridge instances that share one client id: at most one of them, the holder of a lease kept on
 * the core broker, runs a {@link Bridge}; the others stand by and take over when it is gone.
 *
 * <p><b>Why a lease.</b> Every instance must use the same core client id: the bridge's persistent session on the
 * core is where unacknowledged messages wait, and it must survive the instance that held it. The core allows one
 * connection per client id (a second CONNECT takes the session over), so two instances connecting with it would
 * take it from each other in turn. MQTT 3.1.1 has no shared subscriptions, and partitioning the filters between
 * instances gives no failover (a dead instance's filters wait for it). So the instances agree who connects:
 *
 * <ul>
 *   <li>Each instance keeps a small <em>watcher</em> connection (client id {@code <clientId>.<instance>}, clean
 *       session) subscribed to the retained lease topic {@code sentinel/bridges/<clientId>/lease}.</li>
 *   <li>The holder runs the bridge with the shared client id, its core connection carrying a retained will
 *       {@code free <instance>}, and publishes {@code held <instance>} (retained) every quarter lease.</li>
 *   <li>A standby takes the lease when the lease is free (a {@code free} of the holder: its connection died,
 *       its will says so at once; or it closed cleanly) and stays free for a randomised grace of a quarter to
 *       half a lease, or when the holder has been silent for a whole lease (a core that lost the will). The
 *       grace lets a new holder's {@code held} arrive before a second standby moves.</li>
 *   <li>A holder that reads {@code held} of another instance, or loses its core connection, closes its bridge
 *       and stands by. So when two instances raced, the one whose session was taken over steps back.</li>
 * </ul>
 *
 * <p>Nothing acknowledged is lost: the bridge acknowledges a message to the core only after the origin did, and
 * whatever the old holder had not acknowledged stays in the shared session and goes to the new holder.
 * Duplicates are what QoS 1 implies: the messages the old holder had in flight (at most the core's in-flight
 * window for the bridge's client id) may reach the origin twice. The origin connection uses the same client id
 * too, and only the holder opens it, so the origin session (and the alerts it holds) also passes to the new
 * holder.
 *
 * <p>Thread-safe. {@link #start()} once, {@link #close()} once.
 */
public final class BridgeLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeLease.class);
    private static final String HELD = "held ";
    private static final String FREE = "free ";

    private final BridgeConfig config;
    private final Consumer<Bridge.Builder> customizer;
    private final MeterRegistry registry;
    private final Ticker ticker;
    private final String instance;
    private final String topic;
    private final long leaseNanos;
    private final Mqtt3AsyncClient watcher;
    private final io.mqttsentinel.bridge.internal.CoreNodes coreNodes;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<Void> watching = new CompletableFuture<>();
    // state below: only on the timer thread
    private String holder;
    private long heardAt;
    private long graceNanos;
    private long beatAt;
    private Bridge active;
    private volatile boolean activeFlag;
    private volatile boolean watcherUp;
    private volatile boolean closed;

    private BridgeLease(Builder b) {
        this.config = b.config;
        this.customizer = b.customizer;
        this.registry = b.registry;
        this.ticker = b.ticker;
        this.instance = b.instance;
        this.topic = "sentinel/bridges/" + config.clientId() + "/lease";
        this.leaseNanos = config.lease().toNanos();
        this.coreNodes = new io.mqttsentinel.bridge.internal.CoreNodes(config.cores());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-bridge-lease");
            t.setDaemon(true);
            return t;
        });
        Mqtt3ClientBuilder cb = io.mqttsentinel.bridge.internal.TrustMaterial.coreTls(Mqtt3Client.builder(), config)
                .identifier(config.clientId() + "." + instance)
                .serverAddress(coreNodes.current())
                .automaticReconnect()
                .initialDelay(config.backoff().initial().toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(config.backoff().max().toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(ctx -> timer.execute(this::subscribe))
                .addDisconnectedListener(ctx -> {
                    watcherUp = false;
                    if (!closed) {
                        coreNodes.moveOn(ctx.getReconnector()); // a dead node: follow the lease through another
                    }
                });
        if (config.coreUsername().isPresent()) {
            cb = cb.simpleAuth().username(config.coreUsername().get())
                    .password(config.corePassword().orElse("").getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
        }
        this.watcher = cb.buildAsync();
        Gauge.builder("bridge_lease_held", this, l -> l.activeFlag ? 1 : 0)
                .description("1 while this instance holds the bridge lease and runs the bridge").register(registry);
    }

    /**
     * @param config the bridge's configuration, with {@link BridgeConfig#lease()} set
     * @return a builder
     */
    public static Builder builder(BridgeConfig config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /**
     * Connects the watcher; the bridge starts when this instance takes the lease.
     *
     * @return a stage that completes when the watcher follows the lease (not when this instance holds it)
     */
    public CompletionStage<Void> start() {
        watcher.connectWith().cleanSession(true).keepAlive((int) config.keepAlive().toSeconds()).send()
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        LOG.warn("bridge lease: core {} not reachable yet: {}", coreNodes, error.toString());
                    }
                });
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(50), leaseNanos / 8);
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
        return watching.minimalCompletionStage();
    }

    /** @return whether this instance holds the lease (and runs the bridge) */
    public boolean isActive() {
        return activeFlag;
    }

    /** @return this instance's id in the lease messages */
    public String instanceId() {
        return instance;
    }

    /** @return the bridge while this instance holds the lease, else {@code null} */
    public synchronized Bridge bridge() {
        return active;
    }

    /**
     * @return {@code true} while following the lease as a standby, or while holding it with a ready bridge
     */
    public boolean isReady() {
        Bridge b = active;
        return !closed && watcherUp && (!activeFlag || (b != null && b.isReady()));
    }

    private void subscribe() {
        watcher.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> timer.execute(() -> onLease(p)))
                .send()
                .whenComplete((ack, error) -> timer.execute(() -> {
                    if (error != null) {
                        LOG.warn("bridge lease: cannot subscribe to {}: {}", topic, error.toString());
                        return;
                    }
                    if (!watcherUp) {
                        heardAt = ticker.nanoTime(); // a retained lease message arrives with the subscription
                        graceNanos = grace();
                        watcherUp = true;
                    }
                    watching.complete(null);
                }));
    }

    private void onLease(Mqtt3Publish p) {
        String text = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
        long now = ticker.nanoTime();
        if (text.startsWith(HELD)) {
            String who = text.substring(HELD.length());
            holder = who;
            heardAt = now;
            if (active != null && !who.equals(instance)) {
                if (who.compareTo(instance) > 0) {
                    stepDown("the lease is held by " + who);
                } else {
                    // two holders (both took a silent lease at once): the greater instance id keeps it, so that one
                    // steps back rather than both, which would leave the lease silent and start the race again
                    holder = instance;
                    beat();
                }
            }
        } else if (text.startsWith(FREE)) {
            String who = text.substring(FREE.length());
            if (holder == null || holder.equals(who)) {
                holder = null;
                heardAt = now;
                graceNanos = grace();
            }
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        if (active != null) {
            if (active.isCoreConnected() && now - beatAt >= leaseNanos / 4) {
                beat();
            }
            return;
        }
        if (!watcherUp) {
            return; // cannot see the lease: taking it blind could steal a live holder's session
        }
        // a silent holder (its node died with its will) is given a whole lease plus this instance's random grace,
        // so that the standbys do not all take it at once
        boolean free = holder == null || holder.equals(instance) ? now - heardAt >= graceNanos
                : now - heardAt >= leaseNanos + graceNanos;
        if (free) {
            acquire();
        }
    }

    private void acquire() {
        LOG.info("bridge lease: instance {} takes the lease ({})", instance,
                holder == null ? "free" : holder.equals(instance) ? "again, after it stood by and no one else took it"
                        : "holder " + holder + " silent");
        holder = instance;
        heardAt = ticker.nanoTime();
        // the bridge connects first where the watcher is: a node known to be alive. From the list's first node, a
        // dead one, its first connect would fail, the holder would step down, and so on for as long as it is dead
        Bridge.Builder b = Bridge.builder(config).meterRegistry(registry).coreFirst(coreNodes.current());
        customizer.accept(b);
        Bridge[] self = new Bridge[1];
        Bridge bridge = b.coreWill(topic, (FREE + instance).getBytes(StandardCharsets.UTF_8))
                .coreConnectionListener(new ConnectionListener() {
                    @Override
                    public void onConnected() {
                        timer.execute(() -> {
                            if (active != null && active.isCoreConnected()) {
                                beat();
                            }
                        });
                    }

                    @Override
                    public void onDisconnected(Throwable cause, Duration retryIn) {
                        if (retryIn != null && self[0] != null) {
                            self[0].stopCoreReconnects(); // before the reconnect fires: it could take the session back
                        }
                        timer.execute(() -> {
                            if (active != null && retryIn != null) {
                                stepDown("core connection lost: " + cause);
                            }
                        });
                    }
                })
                .build();
        self[0] = bridge;
        synchronized (this) {
            active = bridge;
        }
        activeFlag = true;
        bridge.start().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.debug("bridge lease: bridge did not start: {}", error.toString());
            }
        });
    }

    private void beat() {
        beatAt = ticker.nanoTime();
        publish(HELD + instance);
    }

    private CompletableFuture<?> publish(String text) {
        return watcher.publishWith().topic(topic).payload(text.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
    }

    private void stepDown(String why) {
        Bridge b = active;
        if (b == null) {
            return;
        }
        LOG.info("bridge lease: instance {} stands by ({})", instance, why);
        synchronized (this) {
            active = null;
        }
        activeFlag = false;
        b.close();
        heardAt = ticker.nanoTime();
        graceNanos = grace();
    }

    private long grace() {
        return leaseNanos / 4 + (long) (ThreadLocalRandom.current().nextDouble() * (leaseNanos / 4));
    }

    /**
     * Closes the bridge (if this instance holds the lease), frees the lease so that a standby takes over after
     * the grace rather than a whole lease, and disconnects the watcher. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            timer.execute(() -> {
                try {
                    boolean held = active != null;
                    stepDown("closing");
                    if (held && watcher.getState().isConnected()) {
                        publish(FREE + instance).get(5, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    LOG.debug("bridge lease: could not free the lease: {}", e.toString());
                } finally {
                    done.complete(null);
                }
            });
            done.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("bridge lease: close did not complete cleanly: {}", e.toString());
        }
        timer.shutdownNow();
        watcher.disconnect();
    }

    @Override
    public String toString() {
        return "BridgeLease[instance=" + instance + ", topic=" + topic + ", active=" + activeFlag + "]";
    }

    /** Builds a {@link BridgeLease}. Not thread-safe. */
    public static final class Builder {
        private final BridgeConfig config;
        private Consumer<Bridge.Builder> customizer = b -> { };
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Ticker ticker = Ticker.system();
        private String instance = HexFormat.of().formatHex(
                java.nio.ByteBuffer.allocate(8).putLong(ThreadLocalRandom.current().nextLong()).array());

        Builder(BridgeConfig config) {
            if (config.lease().isZero()) {
                throw new IllegalArgumentException(BridgeConfig.LEASE + " must be set (1s-5m) for a bridge lease");
            }
            this.config = config;
        }

        /**
         * @param registry where the bridge's meters and {@code bridge_lease_held} go
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * @param customizer applied to each {@link Bridge.Builder} before the bridge is built (listeners, egress);
         *                   the lease sets the meter registry, the core will and a core connection listener itself
         * @return this builder
         */
        public Builder bridge(Consumer<Bridge.Builder> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * @param id this instance's name in the lease messages (default: 16 random hex digits); unique per
         *           instance, 1 to 32 characters of {@code [A-Za-z0-9._-]}
         * @return this builder
         */
        public Builder instanceId(String id) {
            if (id == null || !id.matches("[A-Za-z0-9._-]{1,32}")) {
                throw new IllegalArgumentException("instanceId must be 1-32 characters of [A-Za-z0-9._-], was " + id);
            }
            this.instance = id;
            return this;
        }

        /**
         * @param ticker measures the lease: its expiry, the grace after the holder's silence, the heartbeats (default
         *               {@link Ticker#system()})
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @return the lease, not yet started */
        public BridgeLease build() {
            return new BridgeLease(this);
        }
    }
}
