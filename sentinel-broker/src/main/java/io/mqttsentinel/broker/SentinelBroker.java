package io.mqttsentinel.broker;

import io.mqttsentinel.api.Ticker;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Topics;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.broker.internal.BrokerContext;
import io.mqttsentinel.broker.internal.BrokerMetrics;
import io.mqttsentinel.broker.internal.BrokerServices;
import io.mqttsentinel.broker.internal.CatchUp;
import io.mqttsentinel.broker.internal.ConnectionHandler;
import io.mqttsentinel.broker.internal.Ingress;
import io.mqttsentinel.broker.internal.LogTail;
import io.mqttsentinel.broker.internal.StateRecords;
import io.mqttsentinel.broker.internal.BrokerMessage;
import io.mqttsentinel.broker.internal.Recovery;
import io.mqttsentinel.broker.internal.ReservedTopics;
import io.mqttsentinel.broker.internal.RetainedStore;
import io.mqttsentinel.broker.internal.Router;
import io.mqttsentinel.broker.internal.SessionRegistry;
import io.mqttsentinel.broker.internal.SessionStateWriter;
import io.mqttsentinel.broker.internal.SubscriptionIndex;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.mqtt.MqttPipelines;
import io.mqttsentinel.mqtt.ViolationListener;
import io.mqttsentinel.mqtt.link.HopSelector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The core broker: an MQTT 3.1.1 broker on Netty that inspects every PUBLISH, appends it to the
 * {@link MessageLog} before acknowledging it, and fans it out to subscribers.
 *
 * <pre>{@code
 * SentinelBroker broker = SentinelBroker.builder()
 *         .port(1884)
 *         .inspector(Inspectors.defaults(registry))
 *         .messageLog(log)
 *         .quarantine(QuarantineStore.builder(quarantineLog).open())   // optional
 *         .eventSink(events)
 *         .meterRegistry(registry)
 *         .build();
 * broker.start();
 * ...
 * broker.close();
 * }</pre>
 *
 * <p><b>Per connection:</b> frame decoder, strict validator (from {@code sentinel-mqtt}), session,
 * then for a PUBLISH: inspector, log append, acknowledgement, router, bounded subscriber queues, writer.
 *
 * <p><b>Guarantees:</b> a QoS 1 PUBLISH is acknowledged only after the log completed its append (a failed
 * append gets no PUBACK, so the client sends it again); QoS 2 PUBLISHes complete the PUBREC/PUBREL/PUBCOMP
 * handshake and are delivered once; subscribers receive at most QoS 1. Blocked messages are never stored
 * or forwarded; quarantined ones are stored apart and never delivered; flagged ones are delivered. Each
 * of these raises one {@link io.mqttsentinel.api.SecurityEvent} per finding. Blocked and quarantined
 * QoS 1 messages are still acknowledged: the decision is final, and withholding the PUBACK would only
 * make the device send the same message again forever.
 *
 * <p><b>Durability:</b> persistent sessions (clean session = false), their subscriptions, their
 * unacknowledged QoS 1 messages and the retained messages are rebuilt from the log at {@link #start()}
 * (see {@code docs/broker.md}). The broker does not own the logs: {@link #close()} leaves them open.
 *
 * <p><b>Thread-safety:</b> {@link #publish} may be called from any thread once started.
 */
public final class SentinelBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SentinelBroker.class);
    /** The client id the broker's own messages ({@link #publish}) are published under. */
    public static final String INTERNAL_CLIENT_ID = ReservedTopics.BROKER_CLIENT_ID;

    private final BrokerConfig config;
    private final MessageLog log;
    private final Clock clock;
    private final Ticker ticker;
    private final BrokerServices services;
    private final SubscriptionIndex index;
    private final RetainedStore retained;
    private final Router router;
    private final SessionRegistry registry;
    private final ExecutorService routing;
    private final CatchUp catchUp;
    private final BrokerAdmin admin;
    private volatile LogTail tail;
    /** A node whose tail has not learnt the shared log's end for this long is not a member (not ready). */
    private static final Duration TAIL_SILENCE = Duration.ofSeconds(10);
    /** How long a start waits for the tail's first contact with the log's end. */
    private static final Duration TAIL_START = Duration.ofSeconds(10);
    private final io.netty.handler.ssl.SslContext tls;
    private final boolean plainExpected;
    private final ChannelGroup channels = new DefaultChannelGroup("sentinel-broker", GlobalEventExecutor.INSTANCE);
    private final Object lifecycle = new Object();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private volatile boolean ready;
    private volatile int boundPort = -1;
    private volatile long recoveredStateRecords;
    private volatile long recoveredMessages;
    private volatile double recoverySeconds;
    private boolean started;
    private boolean closed;

    private SentinelBroker(Builder b) {
        this.config = b.config.build();
        this.log = b.messageLog;
        this.clock = b.clock;
        BrokerMetrics metrics = new BrokerMetrics(b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry(), b.ticker);
        this.ticker = b.ticker;
        BrokerContext context = new BrokerContext(config, metrics);
        this.index = new SubscriptionIndex();
        this.retained = new RetainedStore();
        this.router = new Router(index);
        SessionStateWriter stateWriter = new SessionStateWriter(b.messageLog, context, b.clock, b.ticker, router, retained);
        this.registry = new SessionRegistry(index, context, stateWriter);
        this.tls = config.mutualTls() ? serverTls(config.tlsCert(), config.tlsKey(), config.clientCa()) : null;
        this.plainExpected = b.plainExpected;
        this.catchUp = new CatchUp(b.messageLog, config.catchUpThreads(), b.ticker);
        context.catchUp(catchUp::request);
        this.routing = Executors.newSingleThreadExecutor(new DefaultThreadFactory("sentinel-broker-router", true));
        Ingress ingress = new Ingress(b.inspector, b.messageLog, b.quarantine, b.eventSink, router, retained,
                stateWriter, metrics, b.clock, b.ticker, routing);
        this.services = new BrokerServices(context, registry, ingress, retained, stateWriter);
        this.admin = new BrokerAdmin(registry, ingress, b.quarantine, b.eventSink, b.clock, () -> ready);
        metrics.gauge("mqtt_broker_sessions", registry::size);
        metrics.gauge("mqtt_broker_subscribed_topics", index::exactTopics);
        metrics.gauge("mqtt_broker_wildcard_subscriptions", index::wildcardSubscriptions);
        metrics.gauge("mqtt_broker_retained_messages", retained::size);
        metrics.gauge("mqtt_broker_sessions_behind", context::sessionsBehind);
        metrics.gauge("mqtt_broker_catchup_waiting", catchUp::waiting);
        metrics.gauge("mqtt_broker_recovery_seconds", () -> recoverySeconds);
        metrics.gauge("mqtt_broker_recovery_state_records", () -> recoveredStateRecords);
        metrics.gauge("mqtt_broker_recovery_messages", () -> recoveredMessages);
        metrics.gauge("mqtt_broker_cluster_remote_sessions", registry::remoteCount);
        metrics.gauge("mqtt_broker_cluster_tail_lag_records", () -> tail == null ? 0 : Math.max(0, tail.lag()));
        metrics.gauge("mqtt_broker_cluster_member", () -> tail == null || tail.isHealthy(TAIL_SILENCE) ? 1 : 0);
        metrics.gauge("mqtt_broker_insecure_listener", () -> tls == null ? 1 : 0);
    }

    /** @return a builder with the defaults of {@link BrokerConfig#ofDefaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Recovers sessions and retained messages from the log, then binds the port. Returns once the broker
     * accepts connections.
     *
     * @return this broker
     * @throws IllegalStateException when already started or closed, or when recovery or binding failed
     */
    public SentinelBroker start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "broker is closed" : "broker is already started");
            }
            started = true;
            Recovery.Result recovered;
            long recoveryStart = ticker.nanoTime();
            try {
                recovered = new Recovery(registry, retained, router, services.context(), ticker).replay(log, services.stateWriter());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recovering from the message log", e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("recovery from the message log failed: " + e.getMessage(), e);
            }
            recoverySeconds = (ticker.nanoTime() - recoveryStart) / 1e9;
            recoveredStateRecords = recovered.stateRecords();
            recoveredMessages = recovered.messages();
            catchUp.start();
            if (config.clustered()) {
                // every node routes from the log, whichever node appended: start where recovery ended
                tail = new LogTail(log, config.nodeId(), router, this::onStateRecord, recovered.end(), ticker);
                registry.cluster(tail, owner -> {
                    if (owner instanceof ConnectionHandler handler) {
                        handler.takenOverElsewhere();
                    }
                });
                services.ingress().routeFromTail();
                tail.start();
                long until = ticker.nanoTime() + TAIL_START.toNanos();
                while (!tail.isHealthy(TAIL_SILENCE) && ticker.nanoTime() - until < 0 && !Thread.currentThread().isInterrupted()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
            }
            services.stateWriter().start(registry, recovered.snapshotBegin(), recovered.snapshotWanted());
            bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("sentinel-broker-accept", true));
            workerGroup = new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("sentinel-broker-io", true));
            MqttLimits limits = config.limits();
            ViolationListener violations = (violation, detail, remote) -> services.metrics().violation(violation.label());
            ChannelInitializer<Channel> streams = new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel stream) {
                    // not in the channel group: closing its link closes it; no flush handler: the link consolidates
                    addMqttHandlers(stream.pipeline(), limits, violations, false);
                }
            };
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            channels.add(ch);
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            // a proxy's link (many devices) or one MQTT client: the first byte tells
                            ch.pipeline().addLast(HopSelector.NAME, new HopSelector(limits.connectTimeout(),
                                    p -> addMqttHandlers(p, limits, violations, true), streams, violations, link -> {
                                        services.metrics().linkOpened();
                                        link.channel().closeFuture().addListener(f -> services.metrics().linkClosed());
                                    }));
                        }
                    });
            try {
                serverChannel = bootstrap.bind(new InetSocketAddress(config.bindAddress(), config.port()))
                        .syncUninterruptibly().channel();
            } catch (Exception e) { // Netty rethrows the bind's checked exception (BindException) undeclared
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                shutdownGroups();
                throw new IllegalStateException("cannot bind " + config.bindAddress() + ":" + config.port()
                        + ": " + e.getMessage(), e);
            }
            boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
            ready = true;
            if (tls == null && plainExpected) {
                LOG.info("broker listening on {}:{} (plain MQTT, as intended)", config.bindAddress(), boundPort);
            } else if (tls == null) {
                LOG.warn("core broker listening on {}:{} WITHOUT TLS or client authentication: anyone who reaches this "
                        + "port can read every device's messages and publish to any device (mqtt_broker_insecure_listener=1)",
                        config.bindAddress(), boundPort);
            } else {
                LOG.info("core broker listening on {}:{} (TLS; clients must present a certificate of the configured CA)",
                        config.bindAddress(), boundPort);
            }
            return this;
        }
    }

    /** The handlers of one client's MQTT connection: its own TCP connection, or a stream of a proxy's link. */
    private void addMqttHandlers(ChannelPipeline p, MqttLimits limits, ViolationListener violations,
                                 boolean ownConnection) {
        if (ownConnection) {
            p.addLast("flush", new FlushConsolidationHandler(64, true));
        }
        MqttPipelines.addServerCodec(p, limits, violations); // one listener for all: not one per connection
        p.addLast("broker", new ConnectionHandler(services));
    }

    /**
     * @return the port the broker listens on (the actual one when configured with 0)
     * @throws IllegalStateException before {@link #start()}
     */
    public int port() {
        int p = boundPort;
        if (p < 0) {
            throw new IllegalStateException("broker is not started");
        }
        return p;
    }

    /**
     * @return {@code true} once recovery is done and the port is bound, until {@link #close()}; with several nodes
     *         also only while this node follows the shared log (its tail learnt the log's end within the last
     *         10 s): a node cut off from Kafka is not ready, so that load balancers and proxies leave it
     */
    public boolean isReady() {
        LogTail t = tail;
        return ready && (t == null || t.isHealthy(TAIL_SILENCE));
    }

    /** @return the settings this broker runs with */
    public BrokerConfig config() {
        return config;
    }

    /** @return the operators' view: sessions, disconnecting a client, quarantined messages */
    public BrokerAdmin admin() {
        return admin;
    }

    /**
     * Publishes a message from inside the JVM. It takes the path of a device's message: inspection, log
     * append, routing; the publisher's client id is {@value #INTERNAL_CLIENT_ID}. Security events, which
     * quote the attacks they report, go through {@link #publishUninspected} instead.
     *
     * @param topic   a valid topic name, not under the broker's reserved {@code $sentinel/} or
     *                {@code $quarantine/} prefixes
     * @param payload the payload (copied)
     * @param qos     0, 1 or 2
     * @param retain  whether to keep it as the topic's retained message
     * @return completes when the message was stored and routed, or when inspection refused it (the refusal
     *         is logged and counted in {@code mqtt_broker_messages_refused_total{reason="internal_block"}},
     *         but not handed to the event sink, which may itself publish through this method); completes
     *         exceptionally with {@link MessageLogException} when the log could not store it
     * @throws IllegalArgumentException when the topic or QoS is invalid
     * @throws IllegalStateException    when the broker is not started or closed
     */
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
        return publishInternal(topic, payload, qos, retain, true);
    }

    /**
     * Publishes a message from inside the JVM <em>without inspection</em>: stored and routed like
     * {@link #publish}. Meant for content the process produced itself, above all security events: a
     * security event quotes the attack it reports, so an inspected publish of it would be blocked. Never
     * use it for content that came from outside.
     *
     * @param topic   a valid topic name outside the reserved prefixes
     * @param payload the payload (copied)
     * @param qos     0, 1 or 2
     * @param retain  whether to keep it as the topic's retained message
     * @return completes when the message was stored and routed; exceptionally with
     *         {@link MessageLogException} when the log could not store it
     * @throws IllegalArgumentException when the topic or QoS is invalid
     * @throws IllegalStateException    when the broker is not started or closed
     */
    public CompletionStage<Void> publishUninspected(String topic, byte[] payload, int qos, boolean retain) {
        return publishInternal(topic, payload, qos, retain, false);
    }

    private CompletionStage<Void> publishInternal(String topic, byte[] payload, int qos, boolean retain,
                                                  boolean inspect) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (!Topics.isValidName(topic) || ReservedTopics.isReserved(topic)) {
            throw new IllegalArgumentException("topic must be a valid MQTT topic name outside $sentinel/ and $quarantine/, was '"
                    + topic + "'");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be between 0 and 2, was " + qos);
        }
        if (!ready) {
            throw new IllegalStateException("broker is not running");
        }
        return services.ingress().publishInternal(INTERNAL_CLIENT_ID, topic, payload.clone(), qos, retain, inspect)
                .thenCompose(outcome -> outcome.acknowledge() ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(new MessageLogException("the message log did not store the message to " + topic)));
    }

    /**
     * Stops accepting connections, closes every client connection (without publishing wills), writes
     * the last session checkpoint and stops the threads. Idempotent. The logs stay open.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            ready = false;
            services.startClosing();
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            shutdownGroups();
            routing.shutdown();
            try {
                routing.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (tail != null) {
                tail.close();
            }
            catchUp.close();
            if (started) {
                services.stateWriter().close();
            }
            LOG.info("core broker stopped");
        }
    }

    private static io.netty.handler.ssl.SslContext serverTls(java.nio.file.Path cert, java.nio.file.Path key,
                                                             java.nio.file.Path clientCa) {
        try {
            return io.netty.handler.ssl.SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .trustManager(clientCa.toFile())
                    .clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build the broker's TLS from certificate " + cert + ", key " + key
                    + " and client CA " + clientCa + ": " + e.getMessage(), e);
        }
    }

    /** Several nodes: a state record from the log tail; other nodes' records change this node's view. */
    private void onStateRecord(LogRecord r) {
        if (r.entry().clientId().equals(services.stateWriter().writerId())) {
            return; // this node's own: already applied when written
        }
        StateRecords.Decoded d = StateRecords.read(r).orElse(null);
        if (d == null) {
            return;
        }
        if (d instanceof StateRecords.SessionState s) {
            registry.applyRemote(s);
        } else if (d instanceof StateRecords.RetainedState rs) {
            synchronized (retained.lock(rs.topic())) {
                retained.put(new BrokerMessage(rs.topic(), rs.payload(), rs.qos(), null, 0), rs.seq());
            }
        } else if (d instanceof StateRecords.Checkpoint c) {
            registry.nodeCheckpoint(c.node(), c.positions());
        }
    }

    private void shutdownGroups() {
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Builds a {@link SentinelBroker}. The network, queueing and TLS settings are a {@link BrokerConfig}: the
     * setters of the same names delegate to {@link BrokerConfig.Builder}, which validates each argument at once;
     * {@link #build()} requires a {@linkplain #messageLog(MessageLog) message log}.
     */
    public static final class Builder {
        private BrokerConfig.Builder config = BrokerConfig.builder();
        private boolean plainExpected;
        private PayloadInspector inspector = (context, payload) -> Verdict.allow();
        private MessageLog messageLog;
        private QuarantineStore quarantine;
        private SecurityEventSink eventSink = SecurityEventSink.NONE;
        private MeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();

        Builder() {
        }

        /**
         * Takes every network, queueing and TLS setting from {@code config}, replacing those set before.
         *
         * @param config the settings, e.g. from {@link BrokerConfig#fromEnvironment}
         * @return this builder
         */
        public Builder config(BrokerConfig config) {
            this.config = Objects.requireNonNull(config, "config").toBuilder();
            return this;
        }

        /**
         * @param port see {@link BrokerConfig.Builder#port(int)}
         * @return this builder
         */
        public Builder port(int port) {
            config.port(port);
            return this;
        }

        /**
         * @param bindAddress see {@link BrokerConfig.Builder#bindAddress(String)}
         * @return this builder
         */
        public Builder bindAddress(String bindAddress) {
            config.bindAddress(bindAddress);
            return this;
        }

        /**
         * @param limits see {@link BrokerConfig.Builder#limits(MqttLimits)}
         * @return this builder
         */
        public Builder limits(MqttLimits limits) {
            config.limits(limits);
            return this;
        }

        /**
         * @param max see {@link BrokerConfig.Builder#maxQueuedPerSession(int)}
         * @return this builder
         */
        public Builder maxQueuedPerSession(int max) {
            config.maxQueuedPerSession(max);
            return this;
        }

        /**
         * @param max see {@link BrokerConfig.Builder#maxInflightPerSession(int)}
         * @return this builder
         */
        public Builder maxInflightPerSession(int max) {
            config.maxInflightPerSession(max);
            return this;
        }

        /**
         * @param threads see {@link BrokerConfig.Builder#ioThreads(int)}
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            config.ioThreads(threads);
            return this;
        }

        /**
         * @param interval see {@link BrokerConfig.Builder#checkpointInterval(Duration)}
         * @return this builder
         */
        public Builder checkpointInterval(Duration interval) {
            config.checkpointInterval(interval);
            return this;
        }

        /**
         * @param windows see {@link BrokerConfig.Builder#maxInflightByClient(Map)}
         * @return this builder
         */
        public Builder maxInflightByClient(Map<String, Integer> windows) {
            config.maxInflightByClient(windows);
            return this;
        }

        /**
         * @param threads see {@link BrokerConfig.Builder#catchUpThreads(int)}
         * @return this builder
         */
        public Builder catchUpThreads(int threads) {
            config.catchUpThreads(threads);
            return this;
        }

        /**
         * @param interval see {@link BrokerConfig.Builder#snapshotInterval(Duration)}
         * @return this builder
         */
        public Builder snapshotInterval(Duration interval) {
            config.snapshotInterval(interval);
            return this;
        }

        /**
         * @param records see {@link BrokerConfig.Builder#snapshotRecords(long)}
         * @return this builder
         */
        public Builder snapshotRecords(long records) {
            config.snapshotRecords(records);
            return this;
        }

        /**
         * Accept only TLS connections whose client presents a certificate issued by {@code clientCaPem}
         * (mutual TLS): the core then trusts only its proxies and bridges, which assert the devices' identities.
         * Without it the broker listens in plain MQTT, logs a warning at start and reports
         * {@code mqtt_broker_insecure_listener 1}.
         *
         * @param certChainPem the broker's certificate chain (PEM)
         * @param keyPem       its private key (PEM, PKCS#8)
         * @param clientCaPem  the CA whose certificates clients must present (PEM)
         * @return this builder
         * @throws IllegalArgumentException when a file is not readable
         * @see BrokerConfig.Builder#tls(java.nio.file.Path, java.nio.file.Path, java.nio.file.Path)
         */
        public Builder tls(java.nio.file.Path certChainPem, java.nio.file.Path keyPem, java.nio.file.Path clientCaPem) {
            config.tls(certChainPem, keyPem, clientCaPem);
            return this;
        }

        /**
         * Says that a plain listener is intended (for example a stand-in origin in a demo, not a core): the
         * start message is then informational instead of a warning. The metric still says it is plain.
         *
         * @return this builder
         */
        public Builder plainListenerIntended() {
            this.plainExpected = true;
            return this;
        }

        /**
         * @param nodeId see {@link BrokerConfig.Builder#nodeId(String)} and {@code docs/cluster.md}
         * @return this builder
         */
        public Builder nodeId(String nodeId) {
            config.nodeId(nodeId);
            return this;
        }

        /**
         * @param inspector inspects every PUBLISH; default allows everything
         * @return this builder
         */
        public Builder inspector(PayloadInspector inspector) {
            this.inspector = Objects.requireNonNull(inspector, "inspector");
            return this;
        }

        /**
         * @param log the durable log of delivered messages and broker state (required)
         * @return this builder
         */
        public Builder messageLog(MessageLog log) {
            this.messageLog = Objects.requireNonNull(log, "messageLog");
            return this;
        }

        /**
         * @param store where quarantined messages are kept with their findings, for operators to list, release or
         *              delete ({@link SentinelBroker#admin()}); without it they go to the main log under {@code $quarantine/{topic}},
         *              which is never routed. The broker does not close it.
         * @return this builder
         */
        public Builder quarantine(QuarantineStore store) {
            this.quarantine = Objects.requireNonNull(store, "quarantine");
            return this;
        }

        /**
         * @param sink receives a security event per finding of a flagged, quarantined or blocked message;
         *             default {@link SecurityEventSink#NONE}
         * @return this builder
         */
        public Builder eventSink(SecurityEventSink sink) {
            this.eventSink = Objects.requireNonNull(sink, "eventSink");
            return this;
        }

        /**
         * @param registry where the {@code mqtt_broker_*} meters go; default a private simple registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * @param ticker measures what the broker times: append and delivery latency, recovery, catch-up slices, the
         *               cluster tail's silence (default {@link Ticker#system()})
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param clock the time stamps of messages and events; default UTC system clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return a broker, not yet started
         * @throws IllegalStateException    when no message log was given
         * @throws IllegalArgumentException when only some of the TLS files are set (see {@link BrokerConfig.Builder#build()})
         */
        public SentinelBroker build() {
            if (messageLog == null) {
                throw new IllegalStateException("messageLog is required: the broker acknowledges only what a MessageLog stored");
            }
            return new SentinelBroker(this);
        }
    }
}
