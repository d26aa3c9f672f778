package io.mqttsentinel.broker.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.broker.internal.Ingress.Outcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * The broker's handler of one client connection, after the strict codec of {@code sentinel-mqtt}: it
 * receives only validated MQTT 3.1.1 messages. All methods run on the channel's event loop.
 *
 * <p>PUBLISH acknowledgements (PUBACK for QoS 1, PUBREC for QoS 2) are sent in the order the PUBLISHes
 * arrived (MQTT 3.1.1, 4.6) and only once the message's outcome is known: stored durably, or refused by
 * inspection. A message the log failed to store gets no acknowledgement. When too many appends are
 * outstanding the handler stops reading from the socket (backpressure to the publisher).
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final int MAX_OUTSTANDING_APPENDS = 1024;
    private static final int RESUME_OUTSTANDING_APPENDS = 256;

    private final BrokerServices services;
    // created on first use and let go when empty: an idle connection holds neither (memory per device)
    private ArrayDeque<PendingAck> pendingAcks; // QoS 1/2 PUBLISHes in arrival order, until acknowledged
    private Set<Integer> awaitingRelease; // QoS 2 packet ids between PUBREC and PUBREL
    private final List<Object> beforeConnack = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private Session session;
    private String clientId;
    private Will will;
    private boolean connecting;
    private boolean connected;
    private boolean graceful;
    private boolean readPaused;
    private int outstandingAppends;

    /** @param services the broker's shared parts */
    public ConnectionHandler(BrokerServices services) {
        this.services = services;
    }

    private record Will(String topic, byte[] payload, int qos, boolean retain) {
    }

    private static final class PendingAck {
        final int qos;
        final int packetId;
        Outcome outcome;

        PendingAck(int qos, int packetId) {
            this.qos = qos;
            this.packetId = packetId;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof MqttMessage)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        MqttMessage m = (MqttMessage) msg;
        if (m.fixedHeader().messageType() == MqttMessageType.CONNECT) {
            onConnect((MqttConnectMessage) m);
            return;
        }
        if (!connected) {
            if (connecting) {
                beforeConnack.add(m); // a client may send right after CONNECT; handled once the session is bound
            } else {
                ReferenceCountUtil.release(m);
            }
            return;
        }
        handle(m);
    }

    private void handle(MqttMessage m) {
        try {
            switch (m.fixedHeader().messageType()) {
                case PUBLISH -> onPublish((MqttPublishMessage) m);
                case PUBACK -> session.acknowledged(this, ((MqttPubAckMessage) m).variableHeader().messageId());
                case PUBREL -> onPubrel(((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
                case PINGREQ -> ctx.writeAndFlush(MqttMessage.PINGRESP);
                case DISCONNECT -> {
                    graceful = true;
                    will = null; // MQTT 3.1.1, 3.14.4: a DISCONNECT discards the will
                    ctx.close();
                }
                default -> {
                    // PUBREC and PUBCOMP: the broker never sends QoS 2, so there is nothing to continue
                }
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        connecting = true;
        boolean clean = connect.variableHeader().isCleanSession();
        String id = connect.payload().clientIdentifier();
        if (id == null || id.isEmpty()) {
            id = "sentinel-" + UUID.randomUUID(); // the validator lets an empty id through only with clean session
        }
        clientId = id;
        if (connect.variableHeader().isWillFlag()) {
            String topic = connect.payload().willTopic();
            if (ReservedTopics.isReserved(topic)) {
                services.metrics().refused("reserved_topic");
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                return;
            }
            will = new Will(topic, connect.payload().willMessageInBytes(), connect.variableHeader().willQos(),
                    connect.variableHeader().isWillRetain());
        }
        SessionRegistry.Connected result = services.registry().connect(id, clean, this);
        if (result.previousOwner() instanceof ConnectionHandler) {
            ((ConnectionHandler) result.previousOwner()).takenOver();
        }
        session = result.session();
        result.ready().whenComplete((present, err) -> ctx.executor().execute(() -> {
            if (err != null) {
                LOG.warn("session state of {} could not be stored; CONNACK 0x03", clientId, err);
                services.registry().disconnected(session, this);
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                return;
            }
            if (!ctx.channel().isActive()) {
                return;
            }
            MqttConnAckMessage connack = MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                    .sessionPresent(present).build();
            ctx.writeAndFlush(connack);
            connected = true;
            services.metrics().connected();
            session.attach(this, ctx.channel());
            for (Object early : beforeConnack) {
                handle((MqttMessage) early);
            }
            beforeConnack.clear();
        }));
    }

    private void refuseConnect(MqttConnectReturnCode code) {
        will = null;
        graceful = true;
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Another connection took this one's client id: close this one (its will is published). */
    void takenOver() {
        ctx.channel().close();
    }

    /**
     * An operator disconnects the client (admin API): the connection closes as one the client dropped, so its will is
     * published; a persistent session stays.
     */
    public void disconnectByOperator() {
        ctx.channel().close();
    }

    /** Another broker node took this connection's session over: close this connection (its will is published). */
    public void takenOverElsewhere() {
        ctx.channel().close();
    }

    private void onPublish(MqttPublishMessage publish) {
        int qos = publish.fixedHeader().qosLevel().value();
        int packetId = publish.variableHeader().packetId();
        services.metrics().received(qos);
        if (qos == 2 && awaitingRelease != null && awaitingRelease.contains(packetId)) {
            ctx.writeAndFlush(ack(MqttMessageType.PUBREC, packetId)); // a resent QoS 2 PUBLISH: deliver once
            return;
        }
        ByteBuf content = publish.content();
        byte[] payload = ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes(), false);
        PendingAck pending = qos > 0 ? new PendingAck(qos, packetId) : null;
        if (pending != null) {
            if (pendingAcks == null) {
                pendingAcks = new ArrayDeque<>(4);
            }
            pendingAcks.addLast(pending);
        }
        outstandingAppends++;
        if (outstandingAppends >= MAX_OUTSTANDING_APPENDS && !readPaused) {
            readPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
        CompletionStage<Outcome> outcome = services.ingress().publish(clientId, "", publish.variableHeader().topicName(),
                payload, qos, publish.fixedHeader().isRetain());
        outcome.whenComplete((o, err) -> ctx.executor().execute(() -> completed(pending, err == null ? o : Outcome.FAILED)));
    }

    private void completed(PendingAck pending, Outcome outcome) {
        outstandingAppends--;
        if (pending != null) {
            pending.outcome = outcome;
            boolean wrote = false;
            while (!pendingAcks.isEmpty() && pendingAcks.peekFirst().outcome != null) {
                PendingAck head = pendingAcks.pollFirst();
                if (!head.outcome.acknowledge()) {
                    continue; // not stored: no acknowledgement, the client sends it again after reconnecting
                }
                if (head.qos == 1) {
                    ctx.write(ack(MqttMessageType.PUBACK, head.packetId));
                } else {
                    if (awaitingRelease == null) {
                        awaitingRelease = new HashSet<>(4);
                    }
                    awaitingRelease.add(head.packetId);
                    ctx.write(ack(MqttMessageType.PUBREC, head.packetId));
                }
                wrote = true;
            }
            if (pendingAcks.isEmpty()) {
                pendingAcks = null;
            }
            if (wrote) {
                ctx.flush();
            }
        }
        if (readPaused && outstandingAppends <= RESUME_OUTSTANDING_APPENDS) {
            readPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void onPubrel(int packetId) {
        if (awaitingRelease != null && awaitingRelease.remove(packetId) && awaitingRelease.isEmpty()) {
            awaitingRelease = null;
        }
        ctx.writeAndFlush(ack(MqttMessageType.PUBCOMP, packetId));
    }

    private static MqttMessage ack(MqttMessageType type, int packetId) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        MqttFixedHeader header = new MqttFixedHeader(type, false, qos, false, 2);
        MqttMessageIdVariableHeader id = MqttMessageIdVariableHeader.from(packetId);
        return type == MqttMessageType.PUBACK ? new MqttPubAckMessage(header, id) : new MqttMessage(header, id);
    }

    private void onSubscribe(MqttSubscribeMessage subscribe) {
        int packetId = subscribe.variableHeader().messageId();
        List<MqttTopicSubscription> requested = subscribe.payload().topicSubscriptions();
        int[] codes = new int[requested.size()];
        List<String> added = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription s = requested.get(i);
            String filter = s.topicFilter();
            int granted = Math.min(1, s.option().qos().value()); // outbound QoS 2 is granted as QoS 1
            if (!session.subscriptions().containsKey(filter)) {
                added.add(filter);
            }
            services.registry().subscribe(session, filter, granted);
            codes[i] = granted;
        }
        CompletionStage<?> durable = session.persistent() ? services.stateWriter().write(session)
                : CompletableFuture.completedFuture(null);
        Session s = session;
        durable.whenComplete((ok, err) -> ctx.executor().execute(() -> {
            if (err != null) {
                LOG.warn("subscriptions of {} could not be stored; SUBACK 0x80", clientId, err);
                for (String filter : added) {
                    services.registry().unsubscribe(s, filter);
                }
                Arrays.fill(codes, 0x80);
            }
            MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
            ctx.writeAndFlush(new MqttSubAckMessage(header, MqttMessageIdVariableHeader.from(packetId),
                    new MqttSubAckPayload(codes)));
            if (err == null) {
                for (int i = 0; i < codes.length; i++) {
                    int granted = codes[i];
                    for (BrokerMessage retained : services.retained().matching(requested.get(i).topicFilter())) {
                        s.deliver(retained, Math.min(granted, Math.min(1, retained.qos())), true, false);
                    }
                }
            }
        }));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
        boolean changed = false;
        for (String filter : unsubscribe.payload().topics()) {
            changed |= services.registry().unsubscribe(session, filter);
        }
        if (changed) {
            services.context().markDirty(session); // written at the next checkpoint
        }
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        ctx.writeAndFlush(new MqttUnsubAckMessage(header,
                MqttMessageIdVariableHeader.from(unsubscribe.variableHeader().messageId())));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) throws Exception {
        if (connected && context.channel().isWritable()) {
            session.writable(this);
        }
        super.channelWritabilityChanged(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        for (Object early : beforeConnack) {
            ReferenceCountUtil.release(early);
        }
        beforeConnack.clear();
        if (session != null) {
            services.registry().disconnected(session, this);
        }
        if (connected) {
            services.metrics().disconnected();
        }
        if (connected && !graceful && will != null && !services.closing()) {
            Will w = will;
            will = null;
            services.metrics().willPublished();
            services.ingress().publish(clientId, "", w.topic(), w.payload(), w.qos(), w.retain());
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("connection of {} failed: {}", clientId, cause.toString());
        Channel ch = context.channel();
        ch.close();
    }
}
