package io.mqttsentinel.broker.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.api.LogPosition;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * The broker side of one client id: its subscriptions and its outbound delivery state (a bounded queue,
 * an in-flight window of unacknowledged QoS 1 messages, packet ids), which outlive the connection when
 * the session is persistent (clean session = false).
 *
 * <p>Thread-safety: {@link #deliver} is called from any thread (log completion threads, event loops); all
 * delivery state is guarded by the session's monitor. Writes go to the channel with
 * {@link Channel#writeAndFlush}, which Netty hands to the channel's event loop in call order.
 */
public final class Session {
    private final String clientId;
    private final boolean persistent;
    private final BrokerContext context;
    // sized small: a device typically has one subscription, and there may be millions of sessions
    private final Map<String, Integer> subscriptions = new ConcurrentHashMap<>(2);
    private final Object recordLock = new Object();

    // guarded by this
    private Channel channel;
    private Object owner;
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>(2); // grows on demand
    private final LinkedHashMap<Integer, Outbound> inflight = new LinkedHashMap<>(4);
    private final DeliveryProgress progress; // only persistent sessions track log progress
    private int nextPacketId = 1;
    private boolean discarded;

    /**
     * @param clientId   the client id
     * @param persistent {@code true} for clean session = false
     * @param context    shared broker state
     */
    public Session(String clientId, boolean persistent, BrokerContext context) {
        this.clientId = clientId;
        this.persistent = persistent;
        this.context = context;
        this.progress = persistent ? new DeliveryProgress() : null;
    }

    /** @return the lock that orders this session's state records in the log (see {@link SessionStateWriter}) */
    Object recordLock() {
        return recordLock;
    }

    /** @return the client id */
    public String clientId() {
        return clientId;
    }

    /** @return {@code true} when the session survives disconnects (clean session = false) */
    public boolean persistent() {
        return persistent;
    }

    /** @return the live map of filter to granted QoS; changed only by the owning connection or recovery */
    public Map<String, Integer> subscriptions() {
        return subscriptions;
    }

    /**
     * Queues or sends one message to this session.
     *
     * @param message    the message
     * @param qos        the QoS to deliver with (already the minimum of publish and grant, at most 1)
     * @param retainFlag the RETAIN flag of the outbound PUBLISH (set only for retained messages sent on subscribe)
     * @param track      whether the message's log position counts toward the session's progress (routed
     *                   messages do; retained messages sent on subscribe do not)
     */
    public void deliver(BrokerMessage message, int qos, boolean retainFlag, boolean track) {
        LogPosition position = track && persistent && qos > 0 ? message.position() : null;
        synchronized (this) {
            if (discarded) {
                return;
            }
            if (position != null && progress.isSettled(position)) {
                return; // already acknowledged before a restart
            }
            Outbound o = new Outbound(message, qos, retainFlag, position);
            if (channel == null) {
                if (!persistent || qos == 0) {
                    // MQTT 3.1.1 lets a server drop QoS 0 for offline sessions; a clean session has no offline state
                    if (!message.replayed()) {
                        context.metrics().queueDropped(qos); // a replay at start drops again what was counted once
                    }
                    return;
                }
                enqueue(o);
                return;
            }
            if (queue.isEmpty() && canSend(o)) {
                send(o);
                if (position != null) {
                    progress.routed(position, true);
                }
            } else {
                enqueue(o);
            }
        }
    }

    private void enqueue(Outbound o) {
        if (queue.size() >= context.config().maxQueuedPerSession()) {
            if (!o.message.replayed()) {
                context.metrics().queueDropped(o.qos);
            }
            if (o.position != null) {
                progress.routed(o.position, false);
                context.markDirty(this);
            }
            return;
        }
        queue.addLast(o);
        if (o.position != null) {
            progress.routed(o.position, true);
        }
    }

    private boolean canSend(Outbound o) {
        if (!channel.isWritable()) {
            return false;
        }
        return o.qos == 0 || inflight.size() < context.config().maxInflightPerSession();
    }

    private void send(Outbound o) {
        int packetId = 0;
        if (o.qos > 0) {
            packetId = nextFreePacketId();
            o.packetId = packetId;
            inflight.put(packetId, o);
        }
        channel.writeAndFlush(publish(o, false));
        context.metrics().delivered(o.qos, o.message.receivedAtNanos());
    }

    private int nextFreePacketId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 65_535 ? 1 : id + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
    }

    private static MqttPublishMessage publish(Outbound o, boolean dup) {
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(o.qos),
                o.retainFlag, 0);
        MqttPublishVariableHeader variable = new MqttPublishVariableHeader(o.message.topic(), o.packetId);
        return new MqttPublishMessage(header, variable, Unpooled.wrappedBuffer(o.message.payload()));
    }

    /** Sends what the window and the channel's writability allow, in queue order. Guarded by this. */
    private void drain() {
        while (channel != null && !queue.isEmpty() && canSend(queue.peekFirst())) {
            send(queue.pollFirst());
        }
    }

    /**
     * Binds the session to the connection that {@linkplain #claim claimed} it, after its CONNACK was
     * written: sends the unacknowledged in-flight messages again with DUP set, in their order, then the
     * queue.
     *
     * @param newOwner the connection handler that owns the session from now on
     * @param ch       its channel
     */
    public synchronized void attach(Object newOwner, Channel ch) {
        if (owner != newOwner || discarded) {
            return; // taken over (or ended) between CONNECT and CONNACK
        }
        this.channel = ch;
        if (!inflight.isEmpty()) {
            for (Outbound o : inflight.values()) {
                ch.write(publish(o, true));
            }
            ch.flush();
            context.metrics().redelivered(inflight.size());
        }
        drain();
    }

    /**
     * Makes {@code newOwner} the owner of the session while its CONNECT is being answered; messages for
     * the session are queued (persistent) or dropped (clean) until {@link #attach}.
     *
     * @param newOwner the connection handler that will own the session
     */
    synchronized void claim(Object newOwner) {
        this.owner = newOwner;
        this.channel = null;
    }

    /**
     * Unbinds the session from its connection, keeping the queue and the in-flight messages.
     *
     * @param formerOwner the handler whose connection closed
     * @return {@code true} when {@code formerOwner} still owned the session (it was not taken over)
     */
    public synchronized boolean detach(Object formerOwner) {
        if (owner != formerOwner) {
            return false;
        }
        owner = null;
        channel = null;
        return true;
    }

    /**
     * @param candidate a connection handler
     * @return {@code true} when it owns the session
     */
    public synchronized boolean isOwnedBy(Object candidate) {
        return owner == candidate;
    }

    /** @return the handler that owns the session, {@code null} when offline */
    public synchronized Object owner() {
        return owner;
    }

    /**
     * @param from     the handler that received the PUBACK
     * @param packetId its packet id
     */
    public synchronized void acknowledged(Object from, int packetId) {
        if (owner != from) {
            return;
        }
        Outbound o = inflight.remove(packetId);
        if (o == null) {
            return; // an unknown or repeated PUBACK: nothing to settle
        }
        if (o.position != null) {
            progress.settled(o.position);
            context.markDirty(this);
        }
        drain();
    }

    /** @param from the handler whose channel became writable again */
    public synchronized void writable(Object from) {
        if (owner == from) {
            drain();
        }
    }

    /** Drops all state; later deliveries are ignored. */
    public synchronized void discard() {
        discarded = true;
        queue.clear();
        inflight.clear();
        channel = null;
        owner = null;
    }

    /** @return {@code true} once {@link #discard()} was called */
    public synchronized boolean discarded() {
        return discarded;
    }

    /**
     * Restores progress from a state record during recovery and forgets queued messages at or below it.
     *
     * @param watermarks the watermarks of the record
     */
    public synchronized void restoreProgress(Map<Integer, Long> watermarks) {
        if (progress == null) {
            return;
        }
        progress.restore(watermarks);
        for (Iterator<Outbound> it = queue.iterator(); it.hasNext(); ) {
            Outbound o = it.next();
            if (o.position != null && progress.isSettled(o.position)) {
                it.remove();
            } else if (o.position != null) {
                progress.routed(o.position, true);
            }
        }
    }

    /** @return the current watermark per partition */
    public synchronized Map<Integer, Long> watermarks() {
        return progress == null ? Map.of() : progress.watermarks();
    }

    /** @return messages waiting in the queue (not yet in flight) */
    public synchronized int queued() {
        return queue.size();
    }

    /** @return QoS 1 messages sent and not yet acknowledged */
    public synchronized int inflight() {
        return inflight.size();
    }

    private static final class Outbound {
        final BrokerMessage message;
        final int qos;
        final boolean retainFlag;
        final LogPosition position;
        int packetId;

        Outbound(BrokerMessage message, int qos, boolean retainFlag, LogPosition position) {
            this.message = message;
            this.qos = qos;
            this.retainFlag = retainFlag;
            this.position = position;
        }
    }
}
