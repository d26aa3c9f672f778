package io.mqttsentinel.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.RateLimiter;
import io.mqttsentinel.api.ConnectionInspector;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.mqtt.MqttPipelines;
import io.mqttsentinel.mqtt.ViolationListener;
import io.mqttsentinel.proxy.internal.ConnectionRegistry;
import io.mqttsentinel.proxy.internal.DeviceHandler;
import io.mqttsentinel.proxy.internal.Drain;
import io.mqttsentinel.proxy.internal.HandshakeLimiter;
import io.mqttsentinel.proxy.internal.ProxyHeaderRefuser;
import io.mqttsentinel.proxy.internal.ProxyProtocolHandler;
import io.mqttsentinel.proxy.internal.L4Handler;
import io.mqttsentinel.proxy.internal.ProxyMetrics;
import io.mqttsentinel.proxy.internal.ProxyRuntime;
import io.mqttsentinel.proxy.internal.TlsContextSource;
import io.mqttsentinel.proxy.internal.UpstreamPool;
import io.mqttsentinel.proxy.internal.UpstreamConnector;
import io.mqttsentinel.proxy.internal.LinkConnector;
import io.mqttsentinel.ratelimit.TieredRateLimiter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The TLS edge proxy: accepts MQTT 3.1.1 devices on MQTTS (and optionally plain TCP), validates, rate
 * limits, authenticates and authorizes them, and relays each authenticated device over its own connection
 * to the core broker.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.builder()
 *         .tlsPort(8883)
 *         .tls(Path.of("cert.pem"), Path.of("key.pem"))
 *         .upstream("127.0.0.1", 1884)
 *         .build();                                   // or ProxyConfig.fromEnvironment(System.getenv())
 * SentinelProxy proxy = SentinelProxy.builder(config)
 *         .authCallout(CachingAuthCallout.builder(HttpAuthCallout.builder(uri).build()).build())
 *         .rateLimiter(limiter)
 *         .meterRegistry(registry)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} may be called from any thread; the accessors are
 * safe at any time.
 */
public final class SentinelProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SentinelProxy.class);
    /** Source addresses whose handshake rate is tracked at most (about 100 bytes each). */
    private static final int HANDSHAKE_SOURCES = 1 << 18;

    private final ProxyConfig config;
    private final ProxyLimits limits;
    private final boolean proxyProtocol;
    private final List<IpSubnetFilterRule> trustedBalancers;
    private final ProxyMetrics metrics;
    private final ProxyRuntime runtime;
    private final UpstreamConnector upstreamConnector;
    private final ConnectionRegistry registry;
    private final TlsContextSource tls;
    private final HandshakeLimiter handshakes;
    private final List<AutoCloseable> owned;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel tlsChannel;
    private Channel plainChannel;
    private ScheduledFuture<?> reloadTask;
    private volatile boolean ready;
    private volatile boolean closed;

    private SentinelProxy(ProxyConfig config, Collaborators with, List<AutoCloseable> owned) throws SSLException {
        this.config = config;
        this.limits = config.limits();
        this.owned = owned;
        this.proxyProtocol = config.proxyProtocol();
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String t : config.trustedProxies()) {
            rules.add(ProxyConfig.subnet(t));
        }
        this.trustedBalancers = List.copyOf(rules);
        this.metrics = new ProxyMetrics(with.registry, !with.limiterCountsRejections);
        long burst = Math.max(limits.bandwidthPerIp(), 2L * (limits.maxPacketSize() + 5));
        this.registry = new ConnectionRegistry(limits.maxConnections(), limits.maxConnectionsPerIp(),
                limits.bandwidthPerIp(), burst, with.ticker);
        this.runtime = new ProxyRuntime(limits, limits.mqttLimits(), with.rateLimiter, with.auth,
                config.defaultPermissions(), new UpstreamPool(config.upstreams(), config.upstreamRetry(), with.ticker,
                upstreamTls(config)), config.forwardUsername(), config.clientAuth(), metrics, with.events, with.clock,
                with.ticker, with.connections, new Drain());
        Gauge.builder("mqtt.proxy.upstream.healthy", runtime.upstreams(), UpstreamPool::healthyCount)
                .description("Core broker nodes the proxy currently considers healthy").register(with.registry);
        UpstreamConnector perDevice = UpstreamConnector.tcp(runtime);
        if (config.coreHop() == CoreHop.MULTIPLEXED) {
            LinkConnector links = new LinkConnector(runtime, perDevice);
            this.upstreamConnector = links;
            Gauge.builder("mqtt.proxy.upstream.links", links, LinkConnector::openLinks)
                    .description("Open links to core nodes, each carrying many devices' connections").register(with.registry);
        } else {
            this.upstreamConnector = perDevice;
        }
        this.handshakes = new HandshakeLimiter(config.handshakesPerIp(), config.handshakeBurstPerIp(), HANDSHAKE_SOURCES,
                with.ticker);
        this.tls = new TlsContextSource(config.tlsCert().orElseThrow(), config.tlsKey().orElseThrow(),
                config.tlsClientCa().orElse(null), config.clientAuth(), config.preferOpenSsl(), metrics);
    }

    /** What {@link Builder#build()} resolved: given collaborators, or the defaults it created for this proxy alone. */
    private record Collaborators(MeterRegistry registry, AuthCallout auth, RateLimiter rateLimiter,
                                 boolean limiterCountsRejections, SecurityEventSink events,
                                 ConnectionInspector connections, Clock clock, Ticker ticker) {
    }

    /**
     * The TLS of the proxy's connections to the core: its client certificate (the core accepts only
     * certificates of its CA) and the core's CA as the only trust. The broker's certificate is verified against
     * that CA but its host name is not: the CA is private to the core link and issues certificates only to
     * core components (brokers, proxies, bridges), so a valid chain already proves the peer is one of them;
     * the one party that could hold such a certificate without being a broker is a proxy or bridge, which can
     * already read and write everything on the core. Brokers behind DNS names, service addresses or load
     * balancers then need no per-name certificates.
     */
    private static io.netty.handler.ssl.SslContext upstreamTls(ProxyConfig c) {
        if (c.upstreamTlsCert().isEmpty()) {
            return null;
        }
        Path cert = c.upstreamTlsCert().get();
        Path key = c.upstreamTlsKey().orElseThrow();
        Path ca = c.coreCa().orElseThrow();
        try {
            return io.netty.handler.ssl.SslContextBuilder.forClient()
                    .keyManager(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build the TLS to the core from certificate " + cert
                    + ", key " + key + " and core CA " + ca + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param config the configuration: listeners, upstream, TLS files (required here: the launcher generates a
     *               self-signed pair when the environment names none), limits, ACL and the auth callout it describes
     * @return a builder for the collaborators (auth callout, rate limiter, meter registry, event sink, ...)
     */
    public static Builder builder(ProxyConfig config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /** @return the configuration this proxy was built with */
    public ProxyConfig config() {
        return config;
    }

    /** The rate limiter in use: the one given to the builder, or the one {@link Builder#build()} created. */
    RateLimiter rateLimiter() {
        return runtime.rateLimiter();
    }

    /**
     * Binds the listeners and returns once they accept connections.
     *
     * @return this proxy
     * @throws UncheckedIOException when a port cannot be bound (the proxy is then closed)
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    public synchronized SentinelProxy start() {
        if (boss != null || closed) {
            throw new IllegalStateException("start() may be called once, before close()");
        }
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("sentinel-proxy-accept", true));
        workers = new NioEventLoopGroup(config.workerThreads(), new DefaultThreadFactory("sentinel-proxy-io", true));
        try {
            tlsChannel = bind(config.tlsPort(), true);
            if (config.plainPort() >= 0) {
                plainChannel = bind(config.plainPort(), false);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot bind the proxy on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
        long every = config.tlsReloadInterval().toMillis();
        reloadTask = workers.next().scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        ready = true;
        LOG.info("proxy listening: MQTTS {}:{}{} -> upstream {} (TLS engine {})", config.bindAddress(), tlsPort(),
                plainChannel == null ? "" : ", plain " + plainPort(), runtime.upstreams(),
                tls.isOpenSsl() ? "OpenSSL" : "JDK");
        return this;
    }

    private Channel bind(int port, boolean useTls) throws IOException {
        ViolationListener violations = (v, detail, remote) -> {
            metrics.violation(v);
            runtime.event("", "", "protocol", v.label(), Severity.LOW, detail);
        };
        ServerBootstrap sb = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                // one allocator for all devices (each channel keeps its own small handle), not one per device
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.AdaptiveRecvByteBufAllocator())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress remote = ch.remoteAddress();
                        if (proxyProtocol && isTrustedBalancer(remote.getAddress())) {
                            // limits, logs and the auth callout see the device's address, known after the header
                            ch.pipeline().addLast("proxy-protocol", new HAProxyMessageDecoder());
                            ch.pipeline().addLast("proxy-source", new ProxyProtocolHandler(metrics,
                                    limits.tlsHandshakeTimeout().toNanos(),
                                    (c, source) -> installDevice(c, source, useTls, false, violations)));
                        } else {
                            installDevice(ch, remote, useTls, proxyProtocol, violations);
                        }
                    }
                });
        try {
            return sb.bind(config.bindAddress(), port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding", e);
        } catch (Exception e) {
            throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
        }
    }

    /**
     * Admits a connection under its source address (limits per address, handshake rate) and installs the
     * device pipeline: L4 accounting, TLS, the strict codec, the device handler.
     */
    private void installDevice(Channel ch, InetSocketAddress source, boolean useTls, boolean refuseProxyHeader,
                               ViolationListener violations) {
        ConnectionRegistry.Refusal r = registry.tryOpen(source.getAddress());
        if (r != ConnectionRegistry.Refusal.NONE) {
            metrics.connectionRejected(r == ConnectionRegistry.Refusal.MAX_TOTAL ? "max_total" : "max_per_ip");
            ch.close();
            return;
        }
        metrics.connectionOpened();
        ch.pipeline().addLast("l4", new L4Handler(registry, metrics, source.getAddress()));
        if (useTls && !handshakes.tryAcquire(source.getAddress())) {
            metrics.connectionRejected("handshake_rate");
            ch.close(); // L4Handler releases the registry place
            return;
        }
        if (refuseProxyHeader) {
            ch.pipeline().addLast("proxy-header-refuser", new ProxyHeaderRefuser(metrics));
        }
        if (useTls) {
            SslHandler ssl = tls.current().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(limits.tlsHandshakeTimeout().toMillis());
            ch.pipeline().addLast("tls", ssl);
        }
        MqttPipelines.addServerCodec(ch.pipeline(), runtime.mqttLimits(), violations);
        ch.pipeline().addLast("proxy", new DeviceHandler(runtime, source, upstreamConnector));
    }

    private boolean isTrustedBalancer(java.net.InetAddress address) {
        InetSocketAddress a = new InetSocketAddress(address, 0);
        for (IpSubnetFilterRule rule : trustedBalancers) {
            if (rule.matches(a)) {
                return true;
            }
        }
        return false;
    }

    /** @return the bound MQTTS port (the ephemeral one when configured as 0), or -1 before {@link #start()} */
    public int tlsPort() {
        Channel c = tlsChannel;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** @return the bound plain-TCP port, or -1 when there is none */
    public int plainPort() {
        Channel c = plainChannel;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** @return {@code true} once the listeners accept connections, until {@link #close()} */
    public boolean isReady() {
        return ready && !closed;
    }

    /** @return connections currently held */
    public long activeConnections() {
        return metrics.activeConnections();
    }

    /** @return whether TLS runs on the OpenSSL (BoringSSL) engine rather than the JDK's */
    public boolean usesOpenSsl() {
        return tls.isOpenSsl();
    }

    /**
     * Reads the certificate and key files now (the proxy also does so every {@code tlsReloadInterval}) and
     * switches new connections to them when they changed. A broken new pair is refused and the last good
     * one kept.
     *
     * @return {@code true} when a new certificate is now in use
     */
    public boolean reloadTls() {
        return tls.reloadIfChanged();
    }

    /**
     * The first half of a graceful stop: reports not ready, stops accepting connections, stops reading new
     * packets from the devices already connected, and waits until every QoS 1/2 PUBLISH it forwarded to the core
     * has had its PUBACK relayed back to its device, or until {@code grace} has passed. The devices stay connected;
     * {@link #close()} disconnects them (their clients reconnect, through another proxy, and resend what was not
     * acknowledged).
     *
     * @param grace the longest wait for outstanding acknowledgements
     * @return {@code true} when nothing forwarded was left unacknowledged
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean drain(Duration grace) throws InterruptedException {
        Drain d = runtime.drain();
        synchronized (this) {
            if (closed) {
                return d.awaitingCore() == 0;
            }
            ready = false;
            for (Channel c : new Channel[] {tlsChannel, plainChannel}) {
                if (c != null) {
                    c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
            d.begin();
        }
        LOG.info("draining: {} devices connected, {} forwarded messages await the core's acknowledgement (up to {})",
                d.devices(), d.awaitingCore(), grace);
        long deadline = runtime.ticker().nanoTime() + grace.toNanos();
        while (d.awaitingCore() > 0 && runtime.ticker().nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        long left = d.awaitingCore();
        if (left > 0) {
            LOG.warn("drain: {} forwarded messages still await the core's acknowledgement after {}; their devices resend them",
                    left, grace);
        }
        return left == 0;
    }

    /** @return QoS 1/2 PUBLISHes forwarded to the core whose acknowledgement has not been relayed back yet */
    public long awaitingCoreAcknowledgements() {
        return runtime.drain().awaitingCore();
    }

    /** Stops accepting, closes every connection and releases the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        if (reloadTask != null) {
            reloadTask.cancel(false);
        }
        for (Channel c : new Channel[] {tlsChannel, plainChannel}) {
            if (c != null) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        for (EventLoopGroup g : new EventLoopGroup[] {boss, workers}) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
    }

    /**
     * Gives a {@link SentinelProxy} its collaborators; the {@link ProxyConfig} holds every setting.
     * {@link #build()} copies what it was given into the proxy and creates the defaults for that proxy alone, so
     * that two proxies built from one builder share only what was given to it. Not thread-safe.
     */
    public static final class Builder {
        private final ProxyConfig config;
        private AuthCallout authCallout;
        private RateLimiter rateLimiter;
        private boolean limiterIsTiered;
        private Boolean limiterCountsRejections;
        private MeterRegistry registry;
        private SecurityEventSink events = SecurityEventSink.NONE;
        private ConnectionInspector connections = ConnectionInspector.ALLOW_ALL;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();

        Builder(ProxyConfig config) {
            this.config = config;
        }

        /**
         * @param callout decides every CONNECT (wrap it in a {@code CachingAuthCallout} for the verdict cache); default:
         *                the one the configuration describes ({@link ProxyConfig#newAuthCallout}: HTTP on
         *                {@code authUrl}, else the credentials file {@code authFile}, behind the cache), built for
         *                each proxy
         * @return this builder
         */
        public Builder authCallout(AuthCallout callout) {
            this.authCallout = Objects.requireNonNull(callout, "authCallout");
            return this;
        }

        /**
         * A rate limiter of any kind. The proxy counts {@code mqtt_proxy_rate_limit_rejected_total{tier}} for its
         * rejections unless {@link #rateLimiterCountsRejections} says the limiter does, or the counter is already
         * registered in the proxy's registry.
         *
         * @param limiter the six tiers (default: a new {@link TieredRateLimiter} with the architecture's default
         *                rates for each proxy built, counting in its registry)
         * @return this builder
         */
        public Builder rateLimiter(RateLimiter limiter) {
            this.rateLimiter = Objects.requireNonNull(limiter, "rateLimiter");
            this.limiterIsTiered = false;
            return this;
        }

        /**
         * The sentinel's own limiter, which counts {@code mqtt_proxy_rate_limit_rejected_total{tier}} in its own
         * registry: the proxy does not count them again.
         *
         * @param limiter the six tiers
         * @return this builder
         */
        public Builder rateLimiter(TieredRateLimiter limiter) {
            this.rateLimiter = Objects.requireNonNull(limiter, "rateLimiter");
            this.limiterIsTiered = true;
            return this;
        }

        /**
         * @param countsItself {@code true} when the rate limiter already counts
         *                     {@code mqtt_proxy_rate_limit_rejected_total{tier}} itself, so that the proxy does not
         *                     count twice (default: {@code true} for a {@link TieredRateLimiter} and for the default
         *                     limiter, else whether that counter is already in the proxy's registry)
         * @return this builder
         */
        public Builder rateLimiterCountsRejections(boolean countsItself) {
            this.limiterCountsRejections = countsItself;
            return this;
        }

        /**
         * @param registry where the proxy's meters go (default: a new {@link SimpleMeterRegistry} for each proxy)
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * @param sink receives the proxy's security events (default {@link SecurityEventSink#NONE})
         * @return this builder
         */
        public Builder eventSink(SecurityEventSink sink) {
            this.events = Objects.requireNonNull(sink, "eventSink");
            return this;
        }

        /**
         * @param inspector judges each CONNECT by its source before the rate-limit tiers (for example the
         *                  connection-rate anomaly of {@code AnomalyInspector}); a verdict that does not deliver
         *                  refuses the connection with CONNACK 0x05, and every finding becomes a security event.
         *                  Default: {@link ConnectionInspector#ALLOW_ALL}
         * @return this builder
         */
        public Builder connectionInspector(ConnectionInspector inspector) {
            this.connections = Objects.requireNonNull(inspector, "connectionInspector");
            return this;
        }

        /**
         * @param clock the clock of security events' timestamps (default UTC system clock); durations come from
         *              the {@link #ticker(Ticker) ticker}
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param ticker the time source of every duration the proxy measures: the default rate limiter's buckets,
         *               the default auth cache's TTLs, bandwidth and handshake buckets, upstream retry delays,
         *               auth latency (default {@link Ticker#system()}); a rate limiter or auth callout given to
         *               this builder keeps its own
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Builds a proxy, not yet started. Defaults (meter registry, rate limiter, the configured auth callout) are
         * created for this proxy alone and not kept in the builder.
         *
         * @return the proxy, not yet started
         * @throws IllegalStateException    when the configuration names no TLS certificate and key
         * @throws IllegalArgumentException when an upstream TLS file is not readable
         * @throws UncheckedIOException     when the TLS files cannot be read
         */
        public SentinelProxy build() {
            if (config.tlsCert().isEmpty()) {
                throw new IllegalStateException("the proxy needs a certificate: ProxyConfig.Builder.tls(certPem, keyPem) "
                        + "(SENTINEL_TLS_CERT and SENTINEL_TLS_KEY)");
            }
            for (Optional<Path> file : List.of(config.upstreamTlsCert(), config.upstreamTlsKey(), config.coreCa())) {
                if (file.isPresent() && !java.nio.file.Files.isReadable(file.get())) {
                    throw new IllegalArgumentException("upstream TLS file " + file.get() + " is not readable");
                }
            }
            MeterRegistry meters = registry != null ? registry : new SimpleMeterRegistry();
            List<AutoCloseable> owned = new ArrayList<>();
            AuthCallout auth = authCallout != null ? authCallout : config.newAuthCallout(meters, owned, ticker);
            RateLimiter limiter = rateLimiter;
            boolean countsItself;
            if (limiterCountsRejections != null) {
                countsItself = limiterCountsRejections;
            } else if (limiter == null) {
                countsItself = true; // the default limiter below counts in the proxy's registry
            } else {
                countsItself = limiterIsTiered || meters.find(TieredRateLimiter.METRIC_REJECTED).counter() != null;
            }
            if (limiter == null) {
                limiter = TieredRateLimiter.builder().meterRegistry(meters).ticker(ticker).build();
            }
            Collaborators with = new Collaborators(meters, auth, limiter, countsItself, events, connections, clock, ticker);
            try {
                return new SentinelProxy(config, with, owned);
            } catch (SSLException | IllegalArgumentException e) {
                closeAll(owned);
                throw new UncheckedIOException("cannot load TLS certificate " + config.tlsCert().get() + " / key "
                        + config.tlsKey().orElse(null) + ": " + e.getMessage(), new IOException(e));
            }
        }

        private static void closeAll(List<AutoCloseable> owned) {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", c, e.toString());
                }
            }
        }
    }
}
