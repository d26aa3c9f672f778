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
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.mqtt.MqttPipelines;
import io.mqttsentinel.mqtt.ViolationListener;
import io.mqttsentinel.proxy.internal.ConnectionRegistry;
import io.mqttsentinel.proxy.internal.DeviceHandler;
import io.mqttsentinel.proxy.internal.HandshakeLimiter;
import io.mqttsentinel.proxy.internal.ProxyHeaderRefuser;
import io.mqttsentinel.proxy.internal.ProxyProtocolHandler;
import io.mqttsentinel.proxy.internal.L4Handler;
import io.mqttsentinel.proxy.internal.ProxyMetrics;
import io.mqttsentinel.proxy.internal.ProxyRuntime;
import io.mqttsentinel.proxy.internal.TlsContextSource;
import io.mqttsentinel.proxy.internal.UpstreamPool;
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
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The TLS edge proxy: accepts MQTT 3.1.1 devices on MQTTS (and optionally plain TCP), validates, rate
 * limits, authenticates and authorizes them, and relays each authenticated device over its own connection
 * to the core broker.
 *
 * <pre>{@code
 * SentinelProxy proxy = SentinelProxy.builder()
 *         .tlsPort(8883)
 *         .tls(Path.of("cert.pem"), Path.of("key.pem"))
 *         .upstream("127.0.0.1", 1884)
 *         .authCallout(CachingAuthCallout.builder(HttpAuthCallout.builder(uri).build()).build())
 *         .rateLimiter(limiter)
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

    private final Builder b;
    private final ProxyMetrics metrics;
    private final ProxyRuntime runtime;
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

    private SentinelProxy(Builder b, AuthCallout auth, List<AutoCloseable> owned) throws SSLException {
        this.b = b;
        this.owned = owned;
        this.metrics = new ProxyMetrics(b.registry, countsRejections(b));
        long burst = Math.max(b.limits.bandwidthPerIp(), 2L * (b.limits.maxPacketSize() + 5));
        this.registry = new ConnectionRegistry(b.limits.maxConnections(), b.limits.maxConnectionsPerIp(),
                b.limits.bandwidthPerIp(), burst, System::nanoTime);
        this.runtime = new ProxyRuntime(b.limits, b.limits.mqttLimits(), b.rateLimiter, auth, b.defaultPermissions,
                new UpstreamPool(b.upstreams, b.upstreamRetry, System::nanoTime, upstreamTls(b)), b.forwardUsername, b.clientAuth,
                metrics, b.events, b.clock, b.connections);
        Gauge.builder("mqtt.proxy.upstream.healthy", runtime.upstreams(), UpstreamPool::healthyCount)
                .description("Core broker nodes the proxy currently considers healthy").register(b.registry);
        this.handshakes = new HandshakeLimiter(b.handshakesPerIp, b.handshakeBurstPerIp, HANDSHAKE_SOURCES, System::nanoTime);
        this.tls = new TlsContextSource(b.cert, b.key, b.clientCa, b.clientAuth, b.preferOpenSsl, metrics);
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
    private static io.netty.handler.ssl.SslContext upstreamTls(Builder b) {
        if (b.upstreamCert == null) {
            return null;
        }
        try {
            return io.netty.handler.ssl.SslContextBuilder.forClient()
                    .keyManager(b.upstreamCert.toFile(), b.upstreamKey.toFile())
                    .trustManager(b.coreCa.toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build the TLS to the core from certificate " + b.upstreamCert
                    + ", key " + b.upstreamKey + " and core CA " + b.coreCa + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the proxy itself counts {@code mqtt_proxy_rate_limit_rejected_total}: not when told the limiter
     * does, not for a {@link TieredRateLimiter} (which counts in its own registry), and not when the counter is
     * already registered in this registry by someone else.
     */
    private static boolean countsRejections(Builder b) {
        if (b.countRateLimitRejections != null) {
            return b.countRateLimitRejections;
        }
        return !(b.rateLimiter instanceof TieredRateLimiter)
                && b.registry.find(TieredRateLimiter.METRIC_REJECTED).counter() == null;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
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
        workers = new NioEventLoopGroup(b.workerThreads, new DefaultThreadFactory("sentinel-proxy-io", true));
        try {
            tlsChannel = bind(b.tlsPort, true);
            if (b.plainPort >= 0) {
                plainChannel = bind(b.plainPort, false);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot bind the proxy on " + b.bindAddress + ": " + e.getMessage(), e);
        }
        long every = b.tlsReloadInterval.toMillis();
        reloadTask = workers.next().scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        ready = true;
        LOG.info("proxy listening: MQTTS {}:{}{} -> upstream {} (TLS engine {})", b.bindAddress, tlsPort(),
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
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress remote = ch.remoteAddress();
                        if (b.proxyProtocol && isTrustedBalancer(remote.getAddress())) {
                            // limits, logs and the auth callout see the device's address, known after the header
                            ch.pipeline().addLast("proxy-protocol", new HAProxyMessageDecoder());
                            ch.pipeline().addLast("proxy-source", new ProxyProtocolHandler(metrics,
                                    b.limits.tlsHandshakeTimeout().toNanos(),
                                    (c, source) -> installDevice(c, source, useTls, false, violations)));
                        } else {
                            installDevice(ch, remote, useTls, b.proxyProtocol, violations);
                        }
                    }
                });
        try {
            return sb.bind(b.bindAddress, port).sync().channel();
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
            ssl.setHandshakeTimeoutMillis(b.limits.tlsHandshakeTimeout().toMillis());
            ch.pipeline().addLast("tls", ssl);
        }
        MqttPipelines.addServerCodec(ch.pipeline(), runtime.mqttLimits(), violations);
        ch.pipeline().addLast("proxy", new DeviceHandler(runtime, source));
    }

    private boolean isTrustedBalancer(java.net.InetAddress address) {
        InetSocketAddress a = new InetSocketAddress(address, 0);
        for (IpSubnetFilterRule rule : b.trustedBalancers) {
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
     * Configures a {@link SentinelProxy}. Every setter validates eagerly; {@link #build()} checks that TLS
     * files and an auth callout (or a {@link ProxyConfig} to build one from) are given.
     */
    public static final class Builder {
        private int tlsPort = ProxyConfig.DEFAULT_TLS_PORT;
        private int plainPort = -1;
        private String bindAddress = "0.0.0.0";
        private List<InetSocketAddress> upstreams =
                List.of(InetSocketAddress.createUnresolved("127.0.0.1", ProxyConfig.DEFAULT_UPSTREAM_PORT));
        private Duration upstreamRetry = ProxyConfig.DEFAULT_UPSTREAM_RETRY;
        private Path cert;
        private Path key;
        private Path clientCa;
        private Path upstreamCert;
        private Path upstreamKey;
        private Path coreCa;
        private ClientAuthMode clientAuth = ClientAuthMode.NONE;
        private AuthCallout authCallout;
        private RateLimiter rateLimiter;
        private ProxyLimits limits = ProxyLimits.ofDefaults();
        private MeterRegistry registry;
        private SecurityEventSink events = SecurityEventSink.NONE;
        private ConnectionInspector connections = ConnectionInspector.ALLOW_ALL;
        private TopicPermissions defaultPermissions = TopicPermissions.DEFAULT;
        private boolean forwardUsername = true;
        private boolean preferOpenSsl = true;
        private Boolean countRateLimitRejections;
        private Duration tlsReloadInterval = Duration.ofSeconds(30);
        private int workerThreads;
        private boolean proxyProtocol;
        private List<IpSubnetFilterRule> trustedBalancers = List.of();
        private long handshakesPerIp = ProxyConfig.DEFAULT_HANDSHAKES_PER_IP;
        private int handshakeBurstPerIp = ProxyConfig.DEFAULT_HANDSHAKE_BURST_PER_IP;
        private Clock clock = Clock.systemUTC();
        private ProxyConfig config;

        Builder() {
        }

        /**
         * Takes every setting of {@code config}: ports, bind address, upstream, TLS files and client auth,
         * limits, default ACL, and (unless {@link #authCallout} is set) the auth callout it describes
         * ({@code SENTINEL_AUTH_URL}, else {@code SENTINEL_AUTH_FILE}), cached. TLS files that the config
         * lacks must be given with {@link #tls} (the launcher generates a self-signed pair).
         *
         * @param config a validated configuration
         * @return this builder
         */
        public Builder config(ProxyConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            tlsPort(config.tlsPort());
            plainPort(config.plainPort());
            bindAddress(config.bindAddress());
            upstreams(config.upstreams());
            upstreamRetry(config.upstreamRetry());
            if (config.upstreamTlsCert().isPresent()) {
                upstreamTls(config.upstreamTlsCert().get(), config.upstreamTlsKey().orElseThrow(), config.coreCa().orElseThrow());
            }
            if (config.tlsCert().isPresent()) {
                tls(config.tlsCert().get(), config.tlsKey().orElseThrow());
            }
            clientAuth(config.clientAuth());
            config.tlsClientCa().ifPresent(this::clientCa);
            limits(config.limits());
            defaultPermissions(config.defaultPermissions());
            forwardUsername(config.forwardUsername());
            tlsReloadInterval(config.tlsReloadInterval());
            workerThreads(config.workerThreads());
            preferOpenSsl(config.preferOpenSsl());
            if (!config.trustedProxies().isEmpty()) {
                proxyProtocol(config.trustedProxies());
            }
            handshakeRatePerIp(config.handshakesPerIp(), config.handshakeBurstPerIp());
            return this;
        }

        /**
         * @param port MQTTS port, 0 for an ephemeral one (0 to 65535; default 8883)
         * @return this builder
         */
        public Builder tlsPort(int port) {
            this.tlsPort = port(port, "tlsPort");
            return this;
        }

        /**
         * @param port plain-TCP MQTT port, 0 for ephemeral, -1 for none (-1 to 65535; default -1)
         * @return this builder
         */
        public Builder plainPort(int port) {
            this.plainPort = port == -1 ? -1 : port(port, "plainPort");
            return this;
        }

        /**
         * @param address the local address to listen on (default 0.0.0.0)
         * @return this builder
         */
        public Builder bindAddress(String address) {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("bindAddress must be a host name or address, was '" + address + "'");
            }
            this.bindAddress = address;
            return this;
        }

        /**
         * @param host the core broker's host (default 127.0.0.1)
         * @param port its plain MQTT port (1 to 65535; default 1884)
         * @return this builder
         */
        public Builder upstream(String host, int port) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("upstream host must be a host name or address, was '" + host + "'");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("upstream port must be between 1 and 65535, was " + port);
            }
            this.upstreams = List.of(InetSocketAddress.createUnresolved(host, port));
            return this;
        }

        /**
         * Several nodes of one core (docs/cluster.md): each device goes to the healthy node its client id ranks
         * first (rendezvous hashing), a device whose node drops it is disconnected so that it reconnects, and a
         * failed node is skipped for {@link #upstreamRetry}. Several addresses also lift the ~28,000-connection
         * limit of one source/destination address pair.
         *
         * @param nodes the core broker nodes, host and plain MQTT port each (1 to 64; unresolved addresses are
         *              resolved at each connect)
         * @return this builder
         */
        public Builder upstreams(List<InetSocketAddress> nodes) {
            Objects.requireNonNull(nodes, "upstreams");
            if (nodes.isEmpty() || nodes.size() > ProxyConfig.MAX_UPSTREAMS) {
                throw new IllegalArgumentException("upstreams must name 1 to " + ProxyConfig.MAX_UPSTREAMS
                        + " broker nodes, was " + nodes.size());
            }
            for (InetSocketAddress n : nodes) {
                upstream(n.getHostString(), n.getPort()); // validates each
            }
            this.upstreams = List.copyOf(nodes);
            return this;
        }

        /**
         * @param retryAfter how long a broker node that failed a connect (or refused a probe after dropping a
         *                   connection) is skipped (100ms to 5m; default 2s)
         * @return this builder
         */
        public Builder upstreamRetry(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "upstreamRetry");
            if (retryAfter.toMillis() < 100 || retryAfter.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("upstreamRetry must be between PT0.1S and PT5M, was " + retryAfter);
            }
            this.upstreamRetry = retryAfter;
            return this;
        }

        /**
         * @param certPem the certificate chain, PEM
         * @param keyPem  the PKCS#8 private key, PEM
         * @return this builder
         */
        public Builder tls(Path certPem, Path keyPem) {
            this.cert = Objects.requireNonNull(certPem, "certPem");
            this.key = Objects.requireNonNull(keyPem, "keyPem");
            return this;
        }

        /**
         * Connects to the core over mutual TLS: the proxy presents {@code certPem} (a certificate of the core's
         * CA) and trusts only broker certificates issued by {@code coreCaPem} (host names are not checked: the
         * CA is private to the core link). Without it the upstream connections are plain MQTT, which a core
         * started with {@code SentinelBroker.Builder.tls} refuses.
         *
         * @param certPem   the proxy's client certificate chain, PEM
         * @param keyPem    its PKCS#8 private key, PEM
         * @param coreCaPem the CA that issued the core's certificates, PEM
         * @return this builder
         * @throws IllegalArgumentException when a file is not readable
         */
        public Builder upstreamTls(Path certPem, Path keyPem, Path coreCaPem) {
            for (Path p : new Path[] {certPem, keyPem, coreCaPem}) {
                Objects.requireNonNull(p, "upstream TLS file");
                if (!java.nio.file.Files.isReadable(p)) {
                    throw new IllegalArgumentException("upstream TLS file " + p + " is not readable");
                }
            }
            this.upstreamCert = certPem;
            this.upstreamKey = keyPem;
            this.coreCa = coreCaPem;
            return this;
        }

        /**
         * @param mode whether client certificates are requested (default {@link ClientAuthMode#NONE})
         * @return this builder
         */
        public Builder clientAuth(ClientAuthMode mode) {
            this.clientAuth = Objects.requireNonNull(mode, "clientAuth");
            return this;
        }

        /**
         * @param caPem the CA bundle (PEM) that verifies client certificates; required unless client auth is NONE
         * @return this builder
         */
        public Builder clientCa(Path caPem) {
            this.clientCa = Objects.requireNonNull(caPem, "clientCa");
            return this;
        }

        /**
         * @param callout decides every CONNECT (wrap it in a {@code CachingAuthCallout} for the 60 s cache)
         * @return this builder
         */
        public Builder authCallout(AuthCallout callout) {
            this.authCallout = Objects.requireNonNull(callout, "authCallout");
            return this;
        }

        /**
         * @param limiter the six tiers (default: a {@link TieredRateLimiter} with the architecture's default
         *                rates, counting in this proxy's registry)
         * @return this builder
         */
        public Builder rateLimiter(RateLimiter limiter) {
            this.rateLimiter = Objects.requireNonNull(limiter, "rateLimiter");
            return this;
        }

        /**
         * @param countsItself {@code true} when the rate limiter already counts
         *                     {@code mqtt_proxy_rate_limit_rejected_total{tier}} itself, so that the proxy does not
         *                     count twice (default: detected; a {@code TieredRateLimiter} counts itself)
         * @return this builder
         */
        public Builder rateLimiterCountsRejections(boolean countsItself) {
            this.countRateLimitRejections = !countsItself;
            return this;
        }

        /**
         * @param limits the L3/L4 and protocol limits (default {@link ProxyLimits#ofDefaults()})
         * @return this builder
         */
        public Builder limits(ProxyLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param registry where the proxy's meters go (default a private {@link SimpleMeterRegistry})
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
         * @param permissions the ACL templates for devices whose auth verdict carries none
         *                    (default {@link TopicPermissions#DEFAULT})
         * @return this builder
         */
        public Builder defaultPermissions(TopicPermissions permissions) {
            this.defaultPermissions = Objects.requireNonNull(permissions, "defaultPermissions");
            return this;
        }

        /**
         * @param forward whether the device's user name is sent to the core broker (default {@code true}); the
         *                password never is
         * @return this builder
         */
        public Builder forwardUsername(boolean forward) {
            this.forwardUsername = forward;
            return this;
        }

        /**
         * @param prefer use the OpenSSL (BoringSSL) engine when it is available (default {@code true})
         * @return this builder
         */
        public Builder preferOpenSsl(boolean prefer) {
            this.preferOpenSsl = prefer;
            return this;
        }

        /**
         * @param interval how often the certificate files are checked for changes (100 ms to 1 day; default 30 s)
         * @return this builder
         */
        public Builder tlsReloadInterval(Duration interval) {
            Objects.requireNonNull(interval, "tlsReloadInterval");
            if (interval.toMillis() < 100 || interval.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("tlsReloadInterval must be between PT0.1S and P1D, was " + interval);
            }
            this.tlsReloadInterval = interval;
            return this;
        }

        /**
         * @param threads I/O threads, 0 for Netty's default of twice the cores (0 to 1024)
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            if (threads < 0 || threads > 1024) {
                throw new IllegalArgumentException("workerThreads must be between 0 and 1024, was " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * Turns on the PROXY protocol (v1 and v2) on the device listeners: a connection from one of
         * {@code trustedBalancers} must start with a PROXY header, and the device address it carries is what
         * the per-address limits, the handshake rate, the rate tiers, the auth callout and the logs see. A
         * connection from any other address is taken as a direct one, and a PROXY header from it is refused.
         *
         * @param trustedBalancers addresses ({@code 10.0.0.5}) or networks ({@code 10.0.0.0/24}, {@code fd00::/8})
         *                         of the load balancers; at least one
         * @return this builder
         */
        public Builder proxyProtocol(List<String> trustedBalancers) {
            Objects.requireNonNull(trustedBalancers, "trustedBalancers");
            if (trustedBalancers.isEmpty()) {
                throw new IllegalArgumentException("trustedBalancers must name at least one address or network");
            }
            List<IpSubnetFilterRule> rules = new ArrayList<>();
            for (String t : trustedBalancers) {
                rules.add(subnet(t));
            }
            this.trustedBalancers = List.copyOf(rules);
            this.proxyProtocol = true;
            return this;
        }

        /**
         * @param text an IP address or a network in CIDR form
         * @return the rule that matches it
         * @throws IllegalArgumentException when it is neither (host names are not resolved)
         */
        static IpSubnetFilterRule subnet(String text) {
            String t = text == null ? "" : text.trim();
            int slash = t.indexOf('/');
            String ip = slash < 0 ? t : t.substring(0, slash);
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
            if (bytes == null) {
                throw new IllegalArgumentException("trusted balancer must be an IP address or CIDR network, was '" + text + "'");
            }
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("trusted balancer prefix must be between 0 and " + max + ", was '"
                            + text + "'");
                }
            }
            return new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT);
        }

        /**
         * @param perSecond TLS handshakes per second per source address, 0 = unlimited (0 to 1,000,000; default
         *                  {@value ProxyConfig#DEFAULT_HANDSHAKES_PER_IP})
         * @param burst     handshakes an address may start at once (1 to 1,000,000; default
         *                  {@value ProxyConfig#DEFAULT_HANDSHAKE_BURST_PER_IP})
         * @return this builder
         */
        public Builder handshakeRatePerIp(long perSecond, int burst) {
            if (perSecond < 0 || perSecond > 1_000_000) {
                throw new IllegalArgumentException("handshakes per second per IP must be between 0 and 1000000, was "
                        + perSecond);
            }
            if (burst < 1 || burst > 1_000_000) {
                throw new IllegalArgumentException("handshake burst per IP must be between 1 and 1000000, was " + burst);
            }
            this.handshakesPerIp = perSecond;
            this.handshakeBurstPerIp = burst;
            return this;
        }

        /**
         * @param clock the clock of security events (default UTC system clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the proxy, not yet started
         * @throws IllegalStateException when TLS files, the client CA (for client auth) or an auth callout are missing
         * @throws UncheckedIOException  when the TLS files cannot be read
         */
        public SentinelProxy build() {
            if (cert == null) {
                throw new IllegalStateException("tls(certPem, keyPem) is required (SENTINEL_TLS_CERT/SENTINEL_TLS_KEY)");
            }
            if (clientAuth != ClientAuthMode.NONE && clientCa == null) {
                throw new IllegalStateException("clientAuth " + clientAuth + " needs clientCa(caPem) (SENTINEL_TLS_CLIENT_CA)");
            }
            if (registry == null) {
                registry = new SimpleMeterRegistry();
            }
            List<AutoCloseable> owned = new ArrayList<>();
            AuthCallout auth = authCallout;
            if (auth == null) {
                if (config == null) {
                    throw new IllegalStateException("authCallout(...) or config(...) is required: the proxy fails closed");
                }
                auth = config.newAuthCallout(registry, owned);
            }
            if (rateLimiter == null) {
                rateLimiter = TieredRateLimiter.builder().meterRegistry(registry).build();
            }
            try {
                return new SentinelProxy(this, auth, owned);
            } catch (SSLException | IllegalArgumentException e) {
                throw new UncheckedIOException("cannot load TLS certificate " + cert + " / key " + key + ": " + e.getMessage(),
                        new IOException(e));
            }
        }

        private static int port(int port, String name) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + port);
            }
            return port;
        }
    }
}
