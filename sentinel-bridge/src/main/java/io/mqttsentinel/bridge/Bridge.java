package io.mqttsentinel.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.bridge.internal.BackoffReconnector;
import io.mqttsentinel.bridge.internal.Subscriptions;

/**
 * The bridge between the core broker and the customer's origin.
 *
 * <pre>{@code
 * Bridge bridge = Bridge.builder(BridgeConfig.fromEnvironment(System.getenv()))
 *         .meterRegistry(prometheusRegistry)
 *         .build();
 * bridge.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
 * ...
 * bridge.close();
 * }</pre>
 *
 * <p><b>Outbound</b> (core to origin): the bridge is an MQTT 3.1.1 client of the core broker with a
 * persistent session (clean session false, stable client id) and QoS 1 subscriptions. Each message is
 * rewritten ({@link TopicRewriter#outbound}), published to the {@link Egress}, and acknowledged to the core
 * only after the origin acknowledged it: nothing the core handed over is lost when the origin or the bridge
 * goes away; the core sends it again. The price is at-least-once delivery: after a crash the origin may
 * see a message twice. A publish the egress refuses or loses is retried with the configured backoff until
 * it succeeds or the bridge closes. The core's own in-flight window (Mosquitto: 20 per client) bounds how
 * many messages wait.
 *
 * <p><b>Inbound</b> (origin to core): messages the egress receives are rewritten ({@link
 * TopicRewriter#inbound}, e.g. {@code sentinel/alerts/d1} to {@code clients/d1/alerts}) and published QoS 1 to
 * the core; the egress acknowledges them to the origin after the core's PUBACK. Unmatched topics are dropped
 * by default, so the origin can publish only where a rule allows it. Keep the core subscriptions and the
 * inbound targets apart (the defaults do): MQTT 3.1.1 has no "no local", so a subscription that matched
 * {@code clients/+/alerts} would send alerts back to the origin.
 *
 * <p><b>Metrics</b> (Micrometer; Prometheus appends {@code _total} to counters):
 * {@code bridge_messages_ingested} (messages received from the core), {@code bridge_messages_persisted}
 * (messages the origin acknowledged), {@code bridge_latency_seconds} (timer with histogram: receipt from the
 * core to the origin's PUBACK), {@code bridge_alerts_forwarded} (origin to core, acknowledged by the core),
 * {@code bridge_messages_dropped{direction,reason}} (no topic rule), {@code bridge_retries{direction}}
 * (publishes tried again), {@code bridge_connected{side}} (1 when connected), and the egress's
 * {@code bridge_egress_inflight}. The latency clock is the registry's ({@link Clock#monotonicTime()}).
 *
 * <p>Thread-safe. {@link #start()} once, {@link #close()} once.
 */
public final class Bridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final BridgeConfig config;
    private final String willTopic;
    private final byte[] willPayload;
    private final TopicRewriter rewriter;
    private final Egress egress;
    private final Mqtt3AsyncClient core;
    private final BackoffReconnector coreReconnector;
    private final ScheduledExecutorService scheduler;
    private final RetryPolicy<Void> retryOutbound;
    private final RetryPolicy<Void> retryInbound;
    private final Set<CompletableFuture<Void>> retrying = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Clock clock;
    private final Counter ingested;
    private final Counter persisted;
    private final Counter alertsForwarded;
    private final Counter droppedOutbound;
    private final Counter tooLarge;
    private final Counter droppedInbound;
    private final Timer latency;
    private final Counter retriesOutbound;
    private final Counter retriesInbound;
    private final io.mqttsentinel.bridge.internal.CoreNodes coreNodes;
    private volatile boolean closed;
    /** The core granted every subscription (set once; the persistent session keeps them). */
    private volatile boolean subscribed;

    private Bridge(Builder b) {
        this.config = b.config;
        this.willTopic = b.willTopic;
        this.willPayload = b.willPayload;
        this.rewriter = config.topicRewriter();
        MeterRegistry registry = b.meterRegistry;
        this.clock = registry.config().clock();
        this.egress = b.egress != null ? b.egress
                : WebSocketEgress.builder(config).meterRegistry(registry).connectionListener(b.originListener)
                        .random(b.random).build();
        this.coreNodes = new io.mqttsentinel.bridge.internal.CoreNodes(config.cores(), b.coreFirst);
        this.coreReconnector = new BackoffReconnector("core " + coreNodes, config.backoff(), b.random,
                b.coreListener, coreNodes);
        ConnectionListener coreListener = b.coreListener;
        this.core = io.mqttsentinel.bridge.internal.TrustMaterial.coreTls(Mqtt3Client.builder(), config)
                .identifier(config.clientId())
                .serverAddress(coreNodes.current())
                .addConnectedListener(ctx -> {
                    if (closed) {
                        // a connect that was under way when the bridge closed
                        coreClient().disconnect();
                        return;
                    }
                    LOG.info("core {}: connected as {}", ctx.getClientConfig().getServerAddress(), config.clientId());
                    coreListener.onConnected();
                })
                .addDisconnectedListener(coreReconnector)
                .buildAsync();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sentinel-bridge-retry");
            t.setDaemon(true);
            return t;
        });
        this.ingested = Counter.builder("bridge_messages_ingested")
                .description("Messages the bridge received from the core broker").register(registry);
        this.persisted = Counter.builder("bridge_messages_persisted")
                .description("Messages the origin acknowledged (then acknowledged to the core)").register(registry);
        this.alertsForwarded = Counter.builder("bridge_alerts_forwarded")
                .description("Messages from the origin that the core broker acknowledged").register(registry);
        this.droppedOutbound = Counter.builder("bridge_messages_dropped").tag("direction", "outbound")
                .tag("reason", "no_topic_rule").description("Messages not forwarded because no topic rule matched")
                .register(registry);
        this.tooLarge = Counter.builder("bridge_messages_dropped").tag("direction", "outbound")
                .tag("reason", "too_large_for_origin")
                .description("Messages not sent because they exceed the origin's packet limit (they stay in the core's log)")
                .register(registry);
        this.droppedInbound = Counter.builder("bridge_messages_dropped").tag("direction", "inbound")
                .tag("reason", "no_topic_rule").description("Messages not forwarded because no topic rule matched")
                .register(registry);
        this.latency = Timer.builder("bridge_latency_seconds")
                .description("From receipt on the core broker to the origin's acknowledgement")
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(250))
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.retriesOutbound = Counter.builder("bridge_retries").tag("direction", "outbound")
                .description("Publishes tried again after a failure").register(registry);
        this.retriesInbound = Counter.builder("bridge_retries").tag("direction", "inbound")
                .description("Publishes tried again after a failure").register(registry);
        this.retryOutbound = retryPolicy(config.backoff(), retriesOutbound, "origin");
        this.retryInbound = retryPolicy(config.backoff(), retriesInbound, "core");
        Gauge.builder("bridge_connected", this, br -> br.core.getState().isConnected() ? 1 : 0)
                .tag("side", "core").description("1 while connected").register(registry);
        Gauge.builder("bridge_connected", this, br -> br.egress.isConnected() ? 1 : 0)
                .tag("side", "origin").description("1 while connected").register(registry);
    }

    private Mqtt3AsyncClient coreClient() {
        return core;
    }

    private RetryPolicy<Void> retryPolicy(Backoff backoff, Counter retries, String target) {
        RetryPolicyBuilder<Void> b = RetryPolicy.<Void>builder()
                .handle(Throwable.class)
                .abortIf((result, error) -> closed)
                .withBackoff(backoff.initial(), backoff.max())
                .withMaxRetries(-1)
                .onRetry(e -> {
                    retries.increment();
                    if (e.getAttemptCount() == 1 || e.getAttemptCount() % 10 == 0) {
                        LOG.warn("publish to {} failed (attempt {}), retrying: {}", target, e.getAttemptCount(),
                                String.valueOf(e.getLastException()));
                    }
                });
        if (backoff.jitter() > 0) {
            b = b.withJitter(backoff.jitter());
        }
        return b.build();
    }

    /**
     * @param config the configuration; it must have an origin URL unless {@link Builder#egress} is given
     * @return a builder
     */
    public static Builder builder(BridgeConfig config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /**
     * Connects to the origin, then to the core broker, and subscribes on both. Both connections are retried
     * with backoff until they succeed or the bridge is closed.
     *
     * @return a stage that completes when both sides are connected and subscribed
     * @throws IllegalStateException when already started or closed
     */
    public CompletionStage<Void> start() {
        if (closed) {
            throw new IllegalStateException("bridge is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("bridge is already started");
        }
        // registered before CONNECT: a resumed session delivers at once
        core.publishes(MqttGlobalPublishFilter.ALL, this::onCore, true);
        return egress.start(this::onInbound)
                .thenCompose(ignored -> {
                    var connect = core.connectWith().cleanSession(false).keepAlive((int) config.keepAlive().toSeconds());
                    if (willTopic != null) {
                        connect = connect.willPublish().topic(willTopic).payload(willPayload)
                                .qos(MqttQos.AT_LEAST_ONCE).retain(true).applyWillPublish();
                    }
                    if (config.coreUsername().isPresent()) {
                        connect = connect.simpleAuth().username(config.coreUsername().get())
                                .password(config.corePassword().orElse("").getBytes(StandardCharsets.UTF_8))
                                .applySimpleAuth();
                    }
                    return connect.send();
                })
                .thenCompose(connAck -> Subscriptions.subscribeAtLeastOnce(core, config.subscriptions()))
                .thenRun(() -> subscribed = true)
                .thenRun(() -> LOG.info("bridge ready: core {} {} -> origin", coreNodes, config.subscriptions()))
                .toCompletableFuture()
                .minimalCompletionStage();
    }

    private void onCore(Mqtt3Publish publish) {
        long receivedAt = clock.monotonicTime();
        ingested.increment();
        String topic = publish.getTopic().toString();
        Optional<String> target = rewriter.outbound(topic);
        if (target.isEmpty()) {
            droppedOutbound.increment();
            LOG.debug("no outbound topic rule for {}, dropped", topic);
            publish.acknowledge();
            return;
        }
        byte[] payload = publish.getPayloadAsBytes();
        long packet = publishPacketBytes(target.get(), payload.length);
        if (packet > config.originMaxPacket()) {
            // an origin that closes the connection on it would get it again after every reconnect and the bridge
            // would stall: refuse it here, once, counted and logged; the core's message log keeps it
            tooLarge.increment();
            LOG.warn("{} not sent to the origin: a {}-byte PUBLISH exceeds {}={}", topic, packet,
                    BridgeConfig.ORIGIN_MAX_PACKET, config.originMaxPacket());
            publish.acknowledge();
            return;
        }
        EgressMessage message = new EgressMessage(target.get(), payload, publish.getQos().getCode(), publish.isRetain());
        withRetry(retryOutbound, retriesOutbound, () -> egress.publish(message)).whenComplete((ok, error) -> {
            if (error == null) {
                // the latency first: a reader that sees the count sees its latency too
                latency.record(clock.monotonicTime() - receivedAt, TimeUnit.NANOSECONDS);
                persisted.increment();
                publish.acknowledge();
            } else {
                LOG.debug("{} left unacknowledged on the core (bridge closing): {}", topic, error.toString());
            }
        });
    }

    /** The size of a QoS 1 PUBLISH: fixed header, topic, packet id and payload. */
    static long publishPacketBytes(String topic, int payloadLength) {
        long remaining = 2L + topic.getBytes(StandardCharsets.UTF_8).length + 2 + payloadLength;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    private CompletionStage<Void> onInbound(EgressMessage message) {
        Optional<String> target = rewriter.inbound(message.topic());
        if (target.isEmpty()) {
            droppedInbound.increment();
            LOG.debug("no inbound topic rule for {}, dropped", message.topic());
            return CompletableFuture.completedFuture(null);
        }
        byte[] payload = message.payload();
        return withRetry(retryInbound, retriesInbound, () -> core.publishWith()
                .topic(target.get())
                .payload(payload)
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(message.retain())
                .send()
                .thenApply(ack -> (Void) null))
                .thenRun(alertsForwarded::increment);
    }

    /**
     * The first attempt runs at once on the caller's thread (the common case costs no hand-off); only a failed
     * one goes to the retry policy, whose first retry is immediate and later ones back off.
     */
    private CompletableFuture<Void> withRetry(RetryPolicy<Void> policy, Counter retries,
            Supplier<CompletionStage<Void>> attempt) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("bridge is closed"));
        }
        CompletableFuture<Void> first;
        try {
            first = attempt.get().toCompletableFuture();
        } catch (RuntimeException e) {
            first = CompletableFuture.failedFuture(e);
        }
        return first
                .handle((ok, error) -> error == null
                        ? CompletableFuture.<Void>completedFuture(null)
                        : retry(policy, retries, attempt))
                .thenCompose(f -> f);
    }

    private CompletableFuture<Void> retry(RetryPolicy<Void> policy, Counter retries, Supplier<CompletionStage<Void>> attempt) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("bridge is closed"));
        }
        retries.increment();
        CompletableFuture<Void> f = Failsafe.with(policy).with(scheduler).getStageAsync(attempt::get);
        retrying.add(f);
        f.whenComplete((ok, error) -> retrying.remove(f));
        if (closed) {
            f.cancel(false);
        }
        return f;
    }

    /**
     * @return {@code true} while connected to both the core broker and the origin, after the core granted
     *         every subscription
     */
    public boolean isReady() {
        return !closed && subscribed && core.getState().isConnected() && egress.isConnected();
    }

    /** @return {@code true} while connected to the core broker */
    public boolean isCoreConnected() {
        return !closed && core.getState().isConnected();
    }

    /**
     * Stops reconnecting to the core at once (a pending attempt is cancelled); safe to call from a connection
     * listener. {@link BridgeLease} calls it when the holder lost its core connection: reconnecting with the
     * shared client id would take the session from the instance that took over.
     */
    void stopCoreReconnects() {
        coreReconnector.close();
    }

    /** @return the egress to the origin */
    public Egress egress() {
        return egress;
    }

    /** @return the configuration */
    public BridgeConfig config() {
        return config;
    }

    /**
     * Disconnects from the core broker first (messages not yet acknowledged stay in the core's session), then
     * closes the egress. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        coreReconnector.close();
        if (core.getState().isConnected()) {
            try {
                core.disconnect().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("core: disconnect did not complete cleanly: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (CompletableFuture<Void> f : retrying) {
            f.cancel(false);
        }
        egress.close();
        scheduler.shutdownNow();
    }

    @Override
    public String toString() {
        return "Bridge[core=" + coreNodes + ", egress=" + egress + ", ready=" + isReady() + "]";
    }

    /** Builds a {@link Bridge}. Not thread-safe. */
    public static final class Builder {
        private final BridgeConfig config;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private Egress egress;
        private ConnectionListener coreListener = ConnectionListener.NONE;
        private ConnectionListener originListener = ConnectionListener.NONE;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private String willTopic;
        private byte[] willPayload;
        private java.net.InetSocketAddress coreFirst;

        Builder(BridgeConfig config) {
            this.config = config;
        }

        /**
         * @param registry where the bridge's metrics go (default: a private simple registry); its clock times
         *                 {@code bridge_latency_seconds}
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * @param egress the connection to the origin to use instead of a {@link WebSocketEgress} built from the
         *               configuration; the bridge starts and closes it
         * @return this builder
         */
        public Builder egress(Egress egress) {
            this.egress = Objects.requireNonNull(egress, "egress");
            return this;
        }

        /**
         * @param listener told when the core broker connects and disconnects
         * @return this builder
         */
        public Builder coreConnectionListener(ConnectionListener listener) {
            this.coreListener = Objects.requireNonNull(listener, "coreConnectionListener");
            return this;
        }

        /**
         * @param listener told when the origin connects and disconnects (only for the built-in egress)
         * @return this builder
         */
        public Builder originConnectionListener(ConnectionListener listener) {
            this.originListener = Objects.requireNonNull(listener, "originConnectionListener");
            return this;
        }

        /**
         * The core node to connect to first (one of the configured ones), instead of the first of the list: where
         * {@link BridgeLease}'s watcher is connected, a node known to be alive.
         */
        Builder coreFirst(java.net.InetSocketAddress node) {
            this.coreFirst = node;
            return this;
        }

        /** A retained QoS 1 will on the core connection: how {@link BridgeLease} hears that the holder is gone. */
        Builder coreWill(String topic, byte[] payload) {
            this.willTopic = Objects.requireNonNull(topic, "topic");
            this.willPayload = payload.clone();
            return this;
        }

        Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * @return the bridge, not yet connected ({@link Bridge#start()})
         * @throws IllegalArgumentException when neither an origin URL nor an egress is given
         */
        public Bridge build() {
            if (egress == null && config.originUri().isEmpty()) {
                throw new IllegalArgumentException("the bridge needs an origin URL (" + BridgeConfig.ORIGIN_URL
                        + ", ws:// or wss://) or an Egress");
            }
            return new Bridge(this);
        }
    }
}
