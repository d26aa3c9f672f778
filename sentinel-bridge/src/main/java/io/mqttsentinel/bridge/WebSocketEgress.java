package io.mqttsentinel.bridge;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;

import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
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
import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.bridge.internal.BackoffReconnector;
import io.mqttsentinel.bridge.internal.Subscriptions;
import io.mqttsentinel.bridge.internal.TrustMaterial;

/**
 * The {@link Egress} to a customer origin: an MQTT 3.1.1 client over WebSocket ({@code ws://}) or WebSocket
 * over TLS ({@code wss://}), so that the customer's WAF sees WebSocket frames, never raw MQTT.
 *
 * <pre>{@code
 * WebSocketEgress egress = WebSocketEgress.builder(URI.create("wss://origin.example.com/mqtt"))
 *         .clientId("sentinel-bridge")
 *         .trustedCertificates(Path.of("/etc/sentinel/origin-ca.pem"))
 *         .inboundFilters(List.of("sentinel/alerts/#"))
 *         .build();
 * egress.start(alert -> core.publish(alert)).toCompletableFuture().get(30, TimeUnit.SECONDS);
 * egress.publish(new EgressMessage("sentinel/clients/d1/telemetry", bytes, 1, false));
 * }</pre>
 *
 * <p><b>Delivery:</b> every message goes to the origin with QoS 1 (QoS 0 is raised, QoS 2 lowered: the
 * bridge guarantees at-least-once), and its stage completes only on the origin's PUBACK. The session is
 * persistent (clean session false, stable client id); while the origin is away, publishes wait in the client
 * and are sent after the reconnect, and when the origin lost the session they are sent again. At most
 * {@code maxInFlight} publishes wait for a PUBACK; beyond that {@link #publish} fails at once with
 * {@link EgressRejectedException} ({@link EgressRejectedException.Reason#IN_FLIGHT_LIMIT}).
 *
 * <p><b>Reconnect:</b> with exponential backoff and jitter ({@link Backoff}), forever, until {@link #close()}.
 *
 * <p><b>Inbound:</b> the egress subscribes (QoS 1) to the inbound filters on the origin and hands every
 * message to the {@link Egress.InboundListener}; the PUBACK to the origin is sent only when the listener's
 * stage completes normally. A failed stage is not acknowledged: the origin sends the message again after the
 * next reconnect.
 *
 * <p><b>TLS:</b> {@code wss} trusts the JVM's trust store, or exactly the CA certificates of a PEM file or a
 * PKCS#12 / JKS trust store, and
 * checks the certificate's name against the URL host unless told not to.
 *
 * <p>Metric: {@code bridge_egress_inflight} (gauge, publishes awaiting PUBACK). Thread-safe.
 */
public final class WebSocketEgress implements Egress {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketEgress.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final URI originUri;
    private final String clientId;
    private final int maxInFlight;
    private final List<String> inboundFilters;
    private final Mqtt3AsyncClient client;
    private final BackoffReconnector reconnector;
    private final Semaphore permits;
    private final Set<InFlight> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean started = new AtomicBoolean();
    private final String username;
    private final String password;
    private final Duration keepAlive;
    private volatile boolean closed;
    private volatile InboundListener inbound;

    private WebSocketEgress(Builder b) {
        this.originUri = b.originUri;
        this.clientId = b.clientId;
        this.maxInFlight = b.maxInFlight;
        this.inboundFilters = List.copyOf(b.inboundFilters);
        this.permits = new Semaphore(b.maxInFlight);
        this.username = b.username;
        this.password = b.password;
        this.keepAlive = b.keepAlive;
        ConnectionListener listener = b.connectionListener;
        this.reconnector = new BackoffReconnector("origin " + originUri, b.backoff, b.random, listener);
        boolean tls = "wss".equalsIgnoreCase(originUri.getScheme());
        String path = originUri.getRawPath() == null ? "" : originUri.getRawPath();
        Mqtt3ClientBuilder cb = Mqtt3Client.builder()
                .identifier(clientId)
                .serverHost(originUri.getHost())
                .serverPort(BridgeConfig.portOf(originUri))
                .webSocketConfig()
                    .serverPath(path)
                    .queryString(originUri.getRawQuery() == null ? "" : originUri.getRawQuery())
                    .subprotocol("mqtt")
                    .applyWebSocketConfig()
                .addConnectedListener(ctx -> {
                    LOG.info("origin {}: connected as {}", originUri, clientId);
                    if (closed) {
                        client().disconnect();
                        return;
                    }
                    listener.onConnected();
                })
                .addDisconnectedListener(reconnector);
        if (tls) {
            cb = cb.sslConfig(sslConfig(b.trustManagerFactory, b.verifyHostname));
        }
        this.client = cb.buildAsync();
        Gauge.builder("bridge_egress_inflight", this, e -> e.maxInFlight - e.permits.availablePermits())
                .description("Publishes to the origin awaiting its PUBACK")
                .register(b.meterRegistry);
    }

    private Mqtt3AsyncClient client() {
        return client;
    }

    private static MqttClientSslConfig sslConfig(TrustManagerFactory trust, boolean verifyHostname) {
        MqttClientSslConfigBuilder ssl = MqttClientSslConfig.builder();
        if (trust != null) {
            ssl = ssl.trustManagerFactory(trust);
        }
        if (!verifyHostname) {
            ssl = ssl.hostnameVerifier((host, session) -> true);
        }
        return ssl.build();
    }

    /**
     * @param originUri {@code ws://host[:port]/path} or {@code wss://...}
     * @return a builder with the defaults of {@link BridgeConfig}
     * @throws IllegalArgumentException when the scheme, host or port is invalid
     */
    public static Builder builder(URI originUri) {
        return new Builder(BridgeConfig.validateOrigin(Objects.requireNonNull(originUri, "originUri")));
    }

    /**
     * @param config a configuration with an origin URL
     * @return a builder holding the configuration's origin settings (URL, client id, credentials, CA,
     *         hostname verification, inbound subscriptions, backoff, in-flight bound, keep alive)
     * @throws IllegalArgumentException when the configuration has no origin URL
     */
    public static Builder builder(BridgeConfig config) {
        URI uri = config.originUri().orElseThrow(() -> new IllegalArgumentException(
                "the bridge needs an origin URL (" + BridgeConfig.ORIGIN_URL + ")"));
        Builder b = builder(uri)
                .clientId(config.clientId())
                .verifyHostname(config.verifyHostname())
                .inboundFilters(config.originSubscriptions())
                .backoff(config.backoff())
                .maxInFlight(config.maxInFlight())
                .keepAlive(config.keepAlive());
        config.originCa().ifPresent(ca -> b.trustedCertificates(ca, config.originCaPassword().orElse(null)));
        if (config.originUsername().isPresent()) {
            b.credentials(config.originUsername().get(), config.originPassword().orElse(""));
        }
        return b;
    }

    @Override
    public CompletionStage<Void> start(InboundListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("egress to " + originUri + " is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("egress to " + originUri + " is already started");
        }
        this.inbound = listener;
        // registered before CONNECT: a resumed session may deliver before the SUBACK
        client.publishes(MqttGlobalPublishFilter.ALL, this::onInbound, true);
        var connect = client.connectWith().cleanSession(false).keepAlive((int) keepAlive.toSeconds());
        if (username != null) {
            connect = connect.simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
        }
        return connect.send()
                .thenCompose(connAck -> Subscriptions.subscribeAtLeastOnce(client, inboundFilters))
                .thenApply(ignored -> (Void) null)
                .minimalCompletionStage();
    }

    private void onInbound(Mqtt3Publish publish) {
        EgressMessage message;
        try {
            message = new EgressMessage(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain());
        } catch (IllegalArgumentException e) {
            LOG.warn("origin {}: acknowledging and ignoring an unusable inbound message: {}", originUri, e.getMessage());
            publish.acknowledge();
            return;
        }
        CompletionStage<Void> stage;
        try {
            stage = inbound.onMessage(message);
        } catch (RuntimeException e) {
            LOG.error("origin {}: inbound listener threw; {} stays unacknowledged", originUri, message, e);
            return;
        }
        stage.whenComplete((ok, error) -> {
            if (error == null) {
                publish.acknowledge();
            } else if (!closed) {
                LOG.warn("origin {}: inbound {} not delivered, left unacknowledged: {}", originUri, message, error.toString());
            }
        });
    }

    @Override
    public CompletionStage<Void> publish(EgressMessage message) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            return rejected(EgressRejectedException.Reason.CLOSED, "egress to " + originUri + " is closed");
        }
        if (!started.get()) {
            return rejected(EgressRejectedException.Reason.NOT_STARTED, "egress to " + originUri + " is not started");
        }
        if (!permits.tryAcquire()) {
            return rejected(EgressRejectedException.Reason.IN_FLIGHT_LIMIT, maxInFlight
                    + " publishes already await the origin's PUBACK (maxInFlight=" + maxInFlight + ")");
        }
        InFlight publish = new InFlight();
        pending.add(publish);
        if (closed) {
            // close() may have swept pending before we were added
            publish.finish(new EgressRejectedException(EgressRejectedException.Reason.CLOSED,
                    "egress to " + originUri + " is closed"));
            return publish.stage.minimalCompletionStage();
        }
        try {
            client.publishWith()
                    .topic(message.topic())
                    .payload(message.payload())
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(message.retain())
                    .send()
                    .whenComplete((ack, error) -> publish.finish(error));
        } catch (RuntimeException e) {
            // the client refuses what it cannot send (EgressMessage already refuses a topic MQTT cannot carry): fail,
            // give the slot back
            publish.finish(e);
        }
        return publish.stage.minimalCompletionStage();
    }

    /**
     * One publish awaiting the origin's PUBACK. Its slot is given back before its stage completes, so that
     * whoever sees the completion can publish again at once.
     */
    private final class InFlight {
        final CompletableFuture<Void> stage = new CompletableFuture<>();
        private final AtomicBoolean finished = new AtomicBoolean();

        void finish(Throwable error) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            pending.remove(this);
            permits.release();
            if (error == null) {
                stage.complete(null);
            } else {
                stage.completeExceptionally(error);
            }
        }
    }

    private static CompletionStage<Void> rejected(EgressRejectedException.Reason reason, String message) {
        return CompletableFuture.<Void>failedFuture(new EgressRejectedException(reason, message)).minimalCompletionStage();
    }

    @Override
    public boolean isConnected() {
        return !closed && client.getState().isConnected();
    }

    /** @return the number of publishes awaiting the origin's PUBACK */
    public int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    /** @return the origin URL */
    public URI originUri() {
        return originUri;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reconnector.close();
        EgressRejectedException gone = new EgressRejectedException(EgressRejectedException.Reason.CLOSED,
                "egress to " + originUri + " closed before the origin acknowledged");
        for (InFlight f : pending) {
            f.finish(gone);
        }
        if (client.getState().isConnected()) {
            try {
                client.disconnect().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("origin {}: disconnect did not complete cleanly: {}", originUri, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "WebSocketEgress[" + originUri + ", clientId=" + clientId + ", inFlight=" + inFlight() + "/" + maxInFlight + "]";
    }

    /** Builds a {@link WebSocketEgress}; each value is validated when it is set. Not thread-safe. */
    public static final class Builder {
        private final URI originUri;
        private String clientId = BridgeConfig.DEFAULT_CLIENT_ID;
        private String username;
        private String password;
        private TrustManagerFactory trustManagerFactory;
        private boolean verifyHostname = true;
        private List<String> inboundFilters = BridgeConfig.DEFAULT_ORIGIN_SUBSCRIPTIONS;
        private Backoff backoff = Backoff.ofDefaults();
        private int maxInFlight = BridgeConfig.DEFAULT_MAX_INFLIGHT;
        private Duration keepAlive = BridgeConfig.DEFAULT_KEEP_ALIVE;
        private ConnectionListener connectionListener = ConnectionListener.NONE;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        Builder(URI originUri) {
            this.originUri = originUri;
        }

        /**
         * @param id the stable MQTT client id, 1–128 characters from {@code [A-Za-z0-9._:-]}
         * @return this builder
         */
        public Builder clientId(String id) {
            this.clientId = BridgeConfig.builder().clientId(id).build().clientId();
            return this;
        }

        /**
         * @param username the origin user name
         * @param password the origin password
         * @return this builder
         */
        public Builder credentials(String username, String password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * @param caFile PEM file of the CA certificates to trust for {@code wss} (instead of the JVM's), or a
         *               PKCS#12 / JKS trust store without a password
         * @return this builder
         * @throws IllegalArgumentException when the file holds no readable certificate
         */
        public Builder trustedCertificates(Path caFile) {
            return trustedCertificates(caFile, null);
        }

        /**
         * @param caFile   PEM file of CA certificates, or a PKCS#12 / JKS trust store
         * @param password the trust store's password, or {@code null} (ignored for PEM)
         * @return this builder
         * @throws IllegalArgumentException when the file holds no readable certificate or the password is wrong
         */
        public Builder trustedCertificates(Path caFile, String password) {
            this.trustManagerFactory = TrustMaterial.trustManagerFactory(Objects.requireNonNull(caFile, "caFile"),
                    password == null ? null : password.toCharArray());
            return this;
        }

        /**
         * @param factory the trust managers for {@code wss} (instead of the JVM's)
         * @return this builder
         */
        public Builder trustManagerFactory(TrustManagerFactory factory) {
            this.trustManagerFactory = Objects.requireNonNull(factory, "trustManagerFactory");
            return this;
        }

        /**
         * @param verify whether the certificate's name is checked against the URL host (default true)
         * @return this builder
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /**
         * @param filters origin topic filters to subscribe to (QoS 1); empty for none
         * @return this builder
         */
        public Builder inboundFilters(List<String> filters) {
            Objects.requireNonNull(filters, "inboundFilters");
            this.inboundFilters = filters.isEmpty() ? List.of() : BridgeConfig.validateFilters("inboundFilters", filters);
            return this;
        }

        /**
         * @param backoff reconnect delays
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * @param max 1–65535 publishes awaiting PUBACK
         * @return this builder
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = BridgeConfig.builder().maxInFlight(max).build().maxInFlight();
            return this;
        }

        /**
         * @param keepAlive 1 s to 65535 s
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = BridgeConfig.builder().keepAlive(keepAlive).build().keepAlive();
            return this;
        }

        /**
         * @param listener told when the origin connects and disconnects
         * @return this builder
         */
        public Builder connectionListener(ConnectionListener listener) {
            this.connectionListener = Objects.requireNonNull(listener, "connectionListener");
            return this;
        }

        /**
         * @param registry where {@code bridge_egress_inflight} is registered (default: a private simple registry)
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** @return the egress, not yet connected ({@link WebSocketEgress#start}) */
        public WebSocketEgress build() {
            if (trustManagerFactory != null && !"wss".equals(originUri.getScheme().toLowerCase(Locale.ROOT))) {
                LOG.warn("origin {}: trusted certificates are configured but the URL is ws://: the connection is not encrypted",
                        originUri);
            }
            return new WebSocketEgress(this);
        }
    }
}
