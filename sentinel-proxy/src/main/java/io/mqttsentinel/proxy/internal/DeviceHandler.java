package io.mqttsentinel.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.PacketKind;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.RateLimitTier;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.mqtt.MqttPipelines;
import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.proxy.ClientAuthMode;
import io.mqttsentinel.proxy.auth.AuthUnavailableException;
import io.mqttsentinel.mqtt.link.LinkHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a device connection: runs the CONNECT through the rate limiter, the identity check
 * and the auth callout, opens the upstream connection, then relays packets both ways under the rate limits
 * and the topic ACL, with backpressure. One instance per connection; every method runs on the
 * connection's event loop, which the upstream channel shares.
 */
public final class DeviceHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceHandler.class);
    private static final int SUBACK_FAILURE = 0x80;
    private static final int MAX_PENDING_SUBACKS = 1_024;

    private enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTING_UPSTREAM, CONNECTED, CLOSED }

    private final ProxyRuntime rt;
    /** QoS 1/2 PUBLISHes forwarded to the core whose PUBACK/PUBREC has not been relayed back yet. */
    private int awaitingCore;
    private final UpstreamConnector connector;
    // both created on first use and let go when empty: an idle device holds neither (memory per device)
    private ArrayDeque<MqttMessage> pending; // packets read before the core's CONNACK
    private Map<Integer, int[]> subackMerges; // SUBSCRIBEs the ACL narrowed, until their SUBACK
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_CONNECT;
    private InetSocketAddress peer;
    private InetSocketAddress source;
    private Set<String> certIdentities = Set.of();
    private String tlsSubject;
    private String clientId;
    private String username;
    private MqttConnectMessage connect;
    private TopicAcl acl;
    private Channel upstream;
    private List<InetSocketAddress> candidates = List.of();
    private int attempts;
    private InetSocketAddress node;
    private ScheduledFuture<?> timer;
    private int pendingBytes;
    private long authStart;
    /** The callout's stage while the CONNECT waits for it, so that a device that leaves gives its place up. */
    private CompletionStage<AuthDecision> authStage;
    private boolean answeredLocally;

    /**
     * @param rt        the proxy's shared collaborators
     * @param source    the device's address (from a PROXY header behind a load balancer, else the TCP peer)
     * @param connector opens the upstream connection (shared by the proxy's devices)
     */
    public DeviceHandler(ProxyRuntime rt, InetSocketAddress source, UpstreamConnector connector) {
        this(rt, connector);
        this.source = source;
    }

    /**
     * @param rt        the proxy's shared collaborators
     * @param connector opens the upstream connection
     */
    public DeviceHandler(ProxyRuntime rt, UpstreamConnector connector) {
        this.rt = rt;
        this.connector = connector;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        rt.drain().register(ctx.channel());
        if (source != null) {
            this.peer = source;
            return;
        }
        java.net.SocketAddress remote = ctx.channel().remoteAddress();
        // a TCP channel always has an IP peer; in-VM channels (tests, embedding) count as loopback
        this.peer = remote instanceof InetSocketAddress ? (InetSocketAddress) remote
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    // ---- TLS -------------------------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
            if (e.isSuccess()) {
                if (rt.clientAuth() != ClientAuthMode.NONE) {
                    readClientCertificate(ctx.pipeline().get(SslHandler.class));
                }
            } else {
                String reason = handshakeFailureReason(e.cause());
                rt.metrics().handshakeFailed(reason);
                LOG.debug("TLS handshake with {} failed ({}): {}", peer, reason, e.cause().toString());
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private void readClientCertificate(SslHandler ssl) {
        if (ssl == null) {
            return;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate) {
                X509Certificate cert = (X509Certificate) chain[0];
                tlsSubject = cert.getSubjectX500Principal().getName();
                certIdentities = identities(cert);
            }
        } catch (SSLPeerUnverifiedException e) {
            // OPTIONAL mode and no certificate: the device authenticates with credentials only
        }
    }

    /**
     * @param cert a verified client certificate
     * @return its subject CNs and its DNS, URI and e-mail subject alternative names
     */
    static Set<String> identities(X509Certificate cert) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    ids.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // no usable CN
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Object type = san.get(0);
                    if ((type.equals(1) || type.equals(2) || type.equals(6)) && san.get(1) instanceof String) {
                        ids.add((String) san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SAN
        }
        return Set.copyOf(ids);
    }

    static String handshakeFailureReason(Throwable cause) {
        Throwable c = cause;
        while (c instanceof DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof SslHandshakeTimeoutException) {
            return "timeout";
        }
        if (c instanceof NotSslRecordException) {
            return "not_tls";
        }
        if (c instanceof ClosedChannelException) {
            return "closed";
        }
        String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("protocol") || m.contains("version")) {
            return "protocol_version";
        }
        if (m.contains("cipher")) {
            return "no_shared_cipher";
        }
        if (m.contains("certificate") || m.contains("cert")) {
            return "bad_certificate";
        }
        return "other";
    }

    // ---- device -> proxy -------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED || !(msg instanceof MqttMessage)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        MqttMessage m = (MqttMessage) msg;
        if (m instanceof MqttConnectMessage) {
            onConnect((MqttConnectMessage) m);
        } else if (state == State.CONNECTED) {
            fromDevice(m);
        } else {
            pendingBytes += estimate(m);
            if (pendingBytes > rt.limits().maxPendingBytes()) {
                ReferenceCountUtil.release(m);
                rt.metrics().overflow("pending_bytes");
                closeAll();
                return;
            }
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(m);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (answeredLocally) {
            answeredLocally = false;
            ctx.flush();
        }
        if (upstream != null && state == State.CONNECTED) {
            upstream.flush();
            if (!upstream.isWritable()) {
                ReadGate.of(ctx.channel()).pause(ReadGate.BACKPRESSURE);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void onConnect(MqttConnectMessage msg) {
        ReadGate.of(ctx.channel()).pause(ReadGate.HANDSHAKE);
        connect = msg;
        MqttConnectPayload p = msg.payload();
        clientId = p.clientIdentifier();
        username = msg.variableHeader().hasUserName() ? p.userName() : null;
        if (clientId.equals(username)) {
            username = clientId; // many fleets use the client id as user name: one string per device, not two
        }
        Verdict judged = rt.connections().inspectConnection(peer.getAddress().getHostAddress());
        for (Finding f : judged.findings()) {
            rt.event(clientId, "", f.category().label(), f.ruleId(), f.severity(), f.action(), f.excerpt());
        }
        if (!judged.action().delivers()) {
            rt.metrics().connectionRejected("anomaly");
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        RateLimitDecision rl = rt.rateLimiter().tryAcquire(PacketKind.CONNECT, peer.getAddress(), clientId);
        if (!rl.isAllowed()) {
            RateLimitTier tier = rl.rejectedBy().orElseThrow();
            rt.metrics().rateLimited(tier);
            rt.event(clientId, "", "rate", "rate_limit_" + tier.label(), Severity.MEDIUM, "CONNECT from " + address());
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        if (clientId == null || clientId.isEmpty()) {
            // the proxy keys limits and ACLs on the client id: it does not let the broker assign one (3.1.3-9)
            rt.metrics().violation(ProtocolViolation.IDENTIFIER_REJECTED);
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
            return;
        }
        if (!certIdentities.isEmpty() && !certIdentities.contains(clientId)) {
            rt.metrics().authRefused("identity_mismatch");
            rt.event(clientId, "", "auth", "certificate_identity_mismatch", Severity.HIGH,
                    "client id does not match the certificate " + tlsSubject);
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        state = State.AUTHENTICATING;
        authStart = rt.ticker().nanoTime();
        byte[] password = msg.variableHeader().hasPassword() ? p.passwordInBytes() : null;
        ConnectRequest request = ConnectRequest.of(clientId, username, password, peer, tlsSubject);
        if (password != null) {
            java.util.Arrays.fill(password, (byte) 0); // the request holds its own copy; this one lives as long as the connection
        }
        // the callout's own queue wait is added: waiting for a call slot behind a healthy endpoint is not an outage
        timer = ctx.executor().schedule(() -> {
            CompletionStage<AuthDecision> late = authStage;
            onAuth(null, new java.util.concurrent.TimeoutException("auth timeout"));
            cancel(late);
        }, rt.authDeadlineNanos(), TimeUnit.NANOSECONDS);
        CompletionStage<AuthDecision> stage;
        try {
            stage = rt.authCallout().authenticate(request);
        } catch (RuntimeException e) {
            onAuth(null, e);
            return;
        }
        authStage = stage;
        stage.whenComplete((d, e) -> {
            if (ctx.executor().inEventLoop()) {
                onAuth(d, e);
            } else {
                ctx.executor().execute(() -> onAuth(d, e));
            }
        });
    }

    private void onAuth(AuthDecision d, Throwable error) {
        if (state != State.AUTHENTICATING) {
            return;
        }
        cancelTimer();
        authStage = null;
        long nanos = rt.ticker().nanoTime() - authStart;
        if (error != null || d == null) {
            String result = noVerdictResult(error);
            rt.metrics().auth(result, nanos);
            switch (result) {
                case "busy", "queue_timeout" -> {
                    // the proxy's own overload, not the authority's outage: "try again", not "not authorized"
                    rt.event(clientId, "", "auth", "auth_" + result, Severity.LOW,
                            "no auth call slot: " + unwrap(error).getMessage());
                    refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                }
                default -> {
                    rt.event(clientId, "", "auth", result.equals("timeout") ? "auth_timeout" : "auth_unavailable",
                            Severity.MEDIUM, "auth callout failed: " + unwrap(error).getClass().getSimpleName());
                    refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                }
            }
            return;
        }
        switch (d.outcome()) {
            case BAD_CREDENTIALS:
                rt.metrics().auth("bad_credentials", nanos);
                rt.event(clientId, "", "auth", "bad_credentials", Severity.MEDIUM, d.reason());
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
                return;
            case NOT_AUTHORIZED:
                rt.metrics().auth("not_authorized", nanos);
                rt.event(clientId, "", "auth", "not_authorized", Severity.MEDIUM, d.reason());
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                return;
            default:
                break;
        }
        rt.metrics().auth("allow", nanos);
        acl = TopicAcl.resolve(d.permissions().orElse(rt.defaultPermissions()), clientId, username);
        MqttConnectVariableHeader vh = connect.variableHeader();
        if (vh.isWillFlag() && !acl.canPublish(connect.payload().willTopic())) {
            rt.metrics().aclDenied("will");
            rt.event(clientId, connect.payload().willTopic(), "acl", "will_topic_denied", Severity.MEDIUM, "");
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        connectUpstream();
    }

    /**
     * @param error why a stage gave no verdict
     * @return the {@code result} label: {@code busy} or {@code queue_timeout} when the callout's own queue could
     *         not take or serve the CONNECT in time (no call was made), else the outage's {@code timeout} or
     *         {@code error}
     */
    static String noVerdictResult(Throwable error) {
        if (unwrap(error) instanceof AuthUnavailableException u) {
            switch (u.reason()) {
                case BUSY -> {
                    return "busy";
                }
                case QUEUE_TIMEOUT -> {
                    return "queue_timeout";
                }
                default -> { } // the authority's outage: timeout or error below
            }
        }
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c.getClass().getSimpleName().contains("Timeout")) {
                return "timeout";
            }
        }
        return "error";
    }

    /** Tells the callout that nobody waits for this CONNECT's verdict any more (the device has gone). */
    private void abandonAuth() {
        CompletionStage<AuthDecision> stage = authStage;
        authStage = null;
        cancel(stage);
    }

    /** @param stage a callout's stage whose verdict nobody waits for any more, or null */
    private static void cancel(CompletionStage<AuthDecision> stage) {
        if (stage != null) {
            try {
                stage.toCompletableFuture().cancel(false);
            } catch (UnsupportedOperationException e) {
                // a minimal stage cannot be cancelled: its callout keeps working, the verdict is ignored
            }
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c == null ? new IllegalStateException("no verdict") : c;
    }

    private void connectUpstream() {
        state = State.CONNECTING_UPSTREAM;
        candidates = rt.upstreams().candidates(clientId);
        attempts = 0;
        tryNextNode();
    }

    /** Connects to the next candidate node; each attempt has the whole upstream connect timeout. */
    private void tryNextNode() {
        node = candidates.get(attempts++);
        InetSocketAddress target = node;
        DeviceHandler device = this;
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                MqttPipelines.addClientCodec(ch.pipeline(), rt.mqttLimits(), rt.metrics().upstreamViolations());
                ch.pipeline().addLast("upstream", new UpstreamHandler(device));
            }
        };
        cancelTimer();
        timer = ctx.executor().schedule(() -> upstreamFailed("connack_timeout"),
                rt.limits().upstreamConnectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        io.netty.channel.ChannelFuture cf = connector.connect(ctx.channel(), target, init);
        upstream = cf.channel();
        cf.addListener((ChannelFutureListener) f -> {
            if (f.channel() != upstream) {
                f.channel().close(); // an attempt given up already
            } else if (!f.isSuccess() && f.cause() instanceof LinkHandler.NotALinkPeer) {
                retryNode(); // the node speaks only MQTT: the connector connects this device on its own next
            } else if (!f.isSuccess()) {
                upstreamFailed("connect");
            } else if (state != State.CONNECTING_UPSTREAM && state != State.CONNECTED) {
                f.channel().close();
            }
        });
    }

    private void retryNode() {
        if (state == State.CONNECTING_UPSTREAM) {
            upstream = null;
            attempts--;
            tryNextNode();
        }
    }

    /** Called by the upstream handler when its channel is active: the CONNECT to send upstream. */
    MqttConnectMessage upstreamConnect() {
        MqttConnectVariableHeader vh = connect.variableHeader();
        MqttConnectPayload p = connect.payload();
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId(clientId)
                .cleanSession(vh.isCleanSession())
                .keepAlive(vh.keepAliveTimeSeconds());
        if (vh.isWillFlag()) {
            b.willFlag(true).willQoS(MqttQoS.valueOf(vh.willQos())).willRetain(vh.isWillRetain())
                    .willTopic(p.willTopic()).willMessage(p.willMessageInBytes());
        }
        if (rt.forwardUsername() && username != null) {
            b.hasUser(true).username(username);
        }
        return b.build();
    }

    /**
     * @param channel an upstream channel, active now
     * @return whether it is the current attempt (the caller sends the CONNECT) or one given up (closed)
     */
    boolean upstreamActive(Channel channel) {
        if (state != State.CONNECTING_UPSTREAM) {
            return false;
        }
        if (upstream == null) {
            upstream = channel; // a connector that activates the channel before connect() returns
        }
        return channel == upstream;
    }

    /** The current node failed: marks it down and tries the next candidate, or refuses with 0x03. */
    void upstreamFailed(String reason) {
        if (state != State.CONNECTING_UPSTREAM) {
            return;
        }
        cancelTimer();
        rt.metrics().upstreamFailure(reason);
        rt.upstreams().failed(node);
        Channel abandoned = upstream;
        upstream = null;
        if (abandoned != null) {
            abandoned.close();
        }
        if (attempts < candidates.size()) {
            LOG.info("upstream {} unavailable for {} ({}), trying the next node", hostPort(node), clientId, reason);
            tryNextNode();
            return;
        }
        LOG.warn("upstream {} unavailable for {}: {}", rt.upstreams(), clientId, reason);
        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    // ---- upstream -> device ----------------------------------------------------------------------------

    /**
     * @param channel the upstream channel it came from
     * @param msg     a validated message from the broker
     */
    void fromUpstream(Channel channel, MqttMessage msg) {
        if (channel != upstream) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == State.CONNECTING_UPSTREAM && msg instanceof MqttConnAckMessage) {
            cancelTimer();
            rt.upstreams().succeeded(node); // alive, whatever its verdict
            connect = null; // not needed any more: do not keep the device's CONNECT for the life of the connection
            MqttConnAckMessage ack = (MqttConnAckMessage) msg;
            if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                rt.metrics().upstreamFailure("connack_" + ack.variableHeader().connectReturnCode().byteValue());
                state = State.CLOSED;
                ctx.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
                closeUpstream();
                return;
            }
            state = State.CONNECTED;
            candidates = List.of(); // the nodes it could have gone to: not needed for the connection's life
            ctx.write(ack);
            while (pending != null && !pending.isEmpty() && state == State.CONNECTED) {
                fromDevice(pending.poll());
            }
            if (state == State.CONNECTED) {
                pending = null;
            }
            pendingBytes = 0;
            ctx.flush();
            if (state == State.CONNECTED) {
                upstream.flush();
                ReadGate.of(ctx.channel()).resume(ReadGate.HANDSHAKE);
            }
            return;
        }
        if (state != State.CONNECTED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof MqttSubAckMessage && subackMerges != null) {
            MqttSubAckMessage ack = (MqttSubAckMessage) msg;
            int[] codes = subackMerges.remove(ack.variableHeader().messageId());
            if (subackMerges.isEmpty()) {
                subackMerges = null;
            }
            if (codes != null) {
                List<Integer> granted = ack.payload().grantedQoSLevels();
                int g = 0;
                for (int i = 0; i < codes.length; i++) {
                    if (codes[i] < 0) {
                        codes[i] = g < granted.size() ? granted.get(g++) : SUBACK_FAILURE;
                    }
                }
                ctx.write(subAck(ack.variableHeader().messageId(), codes));
                return;
            }
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if ((type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC) && awaitingCore > 0) {
            awaitingCore--;
            rt.drain().awaitingCore(-1);
        }
        ctx.write(msg);
    }

    /** Called at the end of a batch of upstream reads. */
    void upstreamReadComplete() {
        ctx.flush();
        if (upstream != null && !ctx.channel().isWritable()) {
            ReadGate.of(upstream).pause(ReadGate.BACKPRESSURE);
        }
    }

    /** Called when the upstream channel can take writes again. */
    void upstreamWritable() {
        ReadGate.of(ctx.channel()).resume(ReadGate.BACKPRESSURE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && upstream != null) {
            ReadGate.of(upstream).resume(ReadGate.BACKPRESSURE);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Called when an upstream channel closed. When the broker dropped a relayed connection, the device is
     * disconnected (its client reconnects, through this proxy to a healthy node, where its persistent session
     * continues) and the node is probed: a node that refuses connections is skipped by new devices.
     *
     * @param channel the channel that closed
     */
    void upstreamClosed(Channel channel) {
        if (channel != upstream) {
            return;
        }
        if (state == State.CONNECTING_UPSTREAM) {
            upstreamFailed("closed");
            return;
        }
        if (state != State.CLOSED) {
            state = State.CLOSED;
            rt.metrics().upstreamFailure("dropped");
            LOG.debug("upstream {} dropped {}: disconnecting the device", hostPort(node), clientId);
            ctx.close();
            probe(node);
        }
    }

    private void probe(InetSocketAddress target) {
        if (!rt.upstreams().beginProbe(target)) {
            return;
        }
        try {
            connector.probe(ctx.channel(), target)
                    .addListener((ChannelFutureListener) f -> {
                        rt.upstreams().probed(target, f.isSuccess());
                        f.channel().close();
                    });
        } catch (RuntimeException e) {
            rt.upstreams().probed(target, false);
        }
    }

    // ---- relaying device packets -----------------------------------------------------------------------

    private void fromDevice(MqttMessage msg) {
        MqttMessageType type = msg.fixedHeader().messageType();
        if (type == MqttMessageType.DISCONNECT) {
            // ends the session cleanly (no will): not rate limited
            state = State.CLOSED;
            upstream.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
            ctx.close();
            return;
        }
        if (isControl(type)) {
            // keep-alives and acks of an authenticated device are never rate limited: dropping a PINGREQ
            // disconnects a healthy idle device, dropping a PUBACK stalls its inbound window
            upstream.write(msg);
            return;
        }
        PacketKind kind = type == MqttMessageType.PUBLISH ? PacketKind.PUBLISH
                : type == MqttMessageType.SUBSCRIBE ? PacketKind.SUBSCRIBE : PacketKind.OTHER;
        RateLimitDecision rl = rt.rateLimiter().tryAcquire(kind, peer.getAddress(), clientId);
        if (!rl.isAllowed()) {
            rt.metrics().rateLimited(rl.rejectedBy().orElseThrow());
            if (type == MqttMessageType.SUBSCRIBE) {
                MqttSubscribeMessage sub = (MqttSubscribeMessage) msg;
                int[] codes = new int[sub.payload().topicSubscriptions().size()];
                java.util.Arrays.fill(codes, SUBACK_FAILURE);
                ctx.write(subAck(sub.variableHeader().messageId(), codes));
                answeredLocally = true;
            }
            // PUBLISH QoS 0: dropped silently; QoS 1/2: no PUBACK, the device retries; others: dropped
            ReferenceCountUtil.release(msg);
            return;
        }
        if (type == MqttMessageType.PUBLISH) {
            MqttPublishMessage pub = (MqttPublishMessage) msg;
            String topic = pub.variableHeader().topicName();
            if (!acl.canPublish(topic)) {
                rt.metrics().aclDenied("publish");
                rt.event(clientId, topic, "acl", "publish_denied", Severity.MEDIUM, "");
                MqttQoS qos = pub.fixedHeader().qosLevel();
                ReferenceCountUtil.release(pub);
                if (qos != MqttQoS.AT_MOST_ONCE) {
                    // MQTT 3.1.1 has no negative PUBACK: acking would claim delivery, silence would loop retries
                    closeAll();
                }
                return;
            }
            if (pub.fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE) {
                awaitingCore++;
                rt.drain().awaitingCore(1);
            }
        } else if (type == MqttMessageType.SUBSCRIBE) {
            msg = filterSubscribe((MqttSubscribeMessage) msg);
            if (msg == null) {
                return;
            }
        }
        upstream.write(msg);
    }

    /**
     * @param type a packet type from an authenticated device
     * @return whether it is a control packet that no rate tier sees: PINGREQ and the QoS acknowledgements
     *         (DISCONNECT is handled before)
     */
    static boolean isControl(MqttMessageType type) {
        switch (type) {
            case PINGREQ:
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP:
                return true;
            default:
                return false;
        }
    }

    private MqttMessage filterSubscribe(MqttSubscribeMessage sub) {
        List<MqttTopicSubscription> requested = sub.payload().topicSubscriptions();
        int id = sub.variableHeader().messageId();
        int[] codes = new int[requested.size()];
        List<MqttTopicSubscription> allowed = new ArrayList<>(requested.size());
        for (int i = 0; i < requested.size(); i++) {
            MqttTopicSubscription s = requested.get(i);
            if (acl.canSubscribe(s.topicFilter())) {
                allowed.add(s);
                codes[i] = -1;
            } else {
                codes[i] = SUBACK_FAILURE;
                rt.metrics().aclDenied("subscribe");
                rt.event(clientId, s.topicFilter(), "acl", "subscribe_denied", Severity.MEDIUM, "");
            }
        }
        if (allowed.size() == requested.size()) {
            return sub;
        }
        if (allowed.isEmpty()) {
            ctx.write(subAck(id, codes));
            answeredLocally = true;
            return null;
        }
        if (subackMerges == null) {
            subackMerges = new HashMap<>(4);
        } else if (subackMerges.size() >= MAX_PENDING_SUBACKS) {
            rt.metrics().overflow("pending_subacks");
            closeAll();
            return null;
        }
        subackMerges.put(id, codes);
        return new MqttSubscribeMessage(sub.fixedHeader(), sub.variableHeader(), new MqttSubscribePayload(allowed));
    }

    private static MqttSubAckMessage subAck(int id, int[] codes) {
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id), new MqttSubAckPayload(codes));
    }

    private static int estimate(MqttMessage m) {
        if (m instanceof MqttPublishMessage) {
            MqttPublishMessage p = (MqttPublishMessage) m;
            return 16 + p.content().readableBytes() + p.variableHeader().topicName().length() * 2;
        }
        if (m instanceof MqttSubscribeMessage) {
            int n = 16;
            for (MqttTopicSubscription s : ((MqttSubscribeMessage) m).payload().topicSubscriptions()) {
                n += 16 + s.topicFilter().length() * 2;
            }
            return n;
        }
        return 16;
    }

    // ---- closing ---------------------------------------------------------------------------------------

    private void refuse(MqttConnectReturnCode code) {
        cancelTimer();
        state = State.CLOSED;
        releasePending();
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
        closeUpstream();
    }

    private void closeAll() {
        state = State.CLOSED;
        cancelTimer();
        releasePending();
        ctx.close();
        closeUpstream();
    }

    private void closeUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void releasePending() {
        MqttMessage m;
        while (pending != null && (m = pending.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        pending = null;
        pendingBytes = 0;
    }

    private String address() {
        InetAddress a = peer.getAddress();
        return a == null ? peer.toString() : a.getHostAddress();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (awaitingCore > 0) {
            // the device is gone: what it sent stays the core's (acknowledged or not, the device resends it)
            rt.drain().awaitingCore(-awaitingCore);
            awaitingCore = 0;
        }
        state = State.CLOSED;
        cancelTimer();
        abandonAuth();
        releasePending();
        closeUpstream();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof DecoderException) || !(cause.getCause() instanceof javax.net.ssl.SSLException)) {
            LOG.debug("closing {} after {}", peer, cause.toString());
        }
        closeAll();
    }
}
