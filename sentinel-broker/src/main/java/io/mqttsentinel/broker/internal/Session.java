package io.mqttsentinel.broker.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.Topics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * The broker side of one client id: its subscriptions and its outbound delivery state, which outlive the
 * connection when the session is persistent (clean session = false).
 *
 * <p><b>Delivery reads the log.</b> Memory holds only a <em>window</em>: the unacknowledged QoS 1
 * messages in flight (at most {@code maxInflight}) and a queue behind them (at most {@code maxQueued}).
 * A QoS 1 message routed to a session that is offline, or whose window is full, is not held anywhere: the
 * session's {@link Cursor} notes its log position as <em>backlog</em>, and the session is <em>behind</em>.
 * While it is behind every new QoS 1 message joins the backlog too (so nothing overtakes it), and a
 * catch-up worker ({@link CatchUp}) reads the backlog back from the log, filtered by the subscriptions, in
 * order, as fast as the window drains. When the backlog is empty the session is live again. QoS 0
 * messages are not kept for a session that is offline or behind (MQTT 3.1.1 allows it); they are counted
 * as dropped.
 *
 * <p>Thread-safety: {@link #deliver} is called from the router thread, the catch-up workers call
 * {@link #planCatchUp} and {@link #offer}, event loops the rest; all delivery state is guarded by the
 * session's monitor. Outbound packets go through an outbox that only the channel's event loop empties, in
 * the order they were put there: a write from the event loop itself would otherwise overtake writes that
 * other threads had handed to it earlier.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final long NONE = -1;
    /** Packets waiting in the outbox beyond which the session queues instead of writing (QoS 0 has no window). */
    private static final int MAX_OUTBOX = 256;
    /**
     * Packet identifiers come from one of four blocks of this size, chosen by the owner epoch. A client keeps the
     * identifiers of QoS 1 messages it received and has not acknowledged yet, and after a reconnect with
     * session present it treats a PUBLISH with one of them as that message again (and its late PUBACK as the
     * acknowledgement of whatever the server now sends under that identifier). A node that adopts a session from
     * another node (or recovers it after a crash) does not know which identifiers the client holds, so it must
     * not reuse the former owner's: each epoch takes the next block (a recovery, a random start in its block).
     */
    static final int PACKET_ID_BLOCK = 16_383;

    private final String clientId;
    private final boolean persistent;
    private final BrokerContext context;
    private final int maxInflight;
    private final int maxQueued;
    // sized small: a device typically has one subscription, and there may be millions of sessions
    private final Map<String, Integer> subscriptions = new ConcurrentHashMap<>(2);
    private final Object recordLock = new Object();
    private long stateSeq; // guarded by recordLock: the sequence of the newest state record applied or written
    private long ownerEpoch; // guarded by recordLock: this node's epoch as the session's owner (several nodes)

    // guarded by this
    private Channel channel;
    private Object owner;
    private ArrayDeque<Outbound> queue; // created on first use and let go when empty: most sessions are idle
    private final LinkedHashMap<Integer, Outbound> inflight = new LinkedHashMap<>(4);
    private ArrayDeque<MqttPublishMessage> outbox; // created on first use: most sessions are idle
    private boolean flushScheduled;
    private Cursor cursor; // persistent sessions always; clean ones once they first fall behind
    private int nextPacketId = 1;
    private int firstPacketId = 1;
    private int lastPacketId = 65_535;
    private boolean discarded;
    private boolean catchUpQueued;
    private boolean countedBehind;
    private int epoch; // changes with every owner change: a catch-up planned before it is stale

    /**
     * @param clientId   the client id
     * @param persistent {@code true} for clean session = false
     * @param context    shared broker state
     */
    public Session(String clientId, boolean persistent, BrokerContext context) {
        this.clientId = clientId;
        this.persistent = persistent;
        this.context = context;
        this.maxInflight = context.config().maxInflightFor(clientId);
        this.maxQueued = context.config().maxQueuedPerSession();
        this.cursor = persistent ? new Cursor() : null;
        usePacketIdBlock(0);
    }

    /** @return the lock that orders this session's state records in the log (see {@link SessionStateWriter}) */
    Object recordLock() {
        return recordLock;
    }

    /**
     * @param seq a state record's sequence (hold {@link #recordLock()})
     * @return {@code true} when it is newer than every record applied to or written for this session
     */
    boolean advanceSeq(long seq) {
        if (seq <= stateSeq) {
            return false;
        }
        stateSeq = seq;
        return true;
    }

    /** @param seq the sequence of a record of a newer owner epoch, from which this epoch's records count (hold {@link #recordLock()}) */
    void resetSeq(long seq) {
        stateSeq = seq;
    }

    /** @return the epoch under which this node owns the session (hold {@link #recordLock()}) */
    long ownerEpoch() {
        return ownerEpoch;
    }

    /** @param epoch the epoch under which this node owns the session (hold {@link #recordLock()}) */
    void ownerEpoch(long epoch) {
        this.ownerEpoch = epoch;
        if (epoch != Long.MAX_VALUE) {
            usePacketIdBlock(epoch);
        }
    }

    /** Takes the packet identifier block of an owner epoch (see {@link #PACKET_ID_BLOCK}). */
    private synchronized void usePacketIdBlock(long epoch) {
        if (maxInflight > PACKET_ID_BLOCK) {
            firstPacketId = 1; // a window wider than a block needs every identifier; moves then risk reuse
            lastPacketId = 65_535;
            return;
        }
        int first = 1 + (int) Math.floorMod(epoch, 4L) * PACKET_ID_BLOCK;
        if (first != firstPacketId || lastPacketId == 65_535) {
            firstPacketId = first;
            lastPacketId = first + PACKET_ID_BLOCK - 1;
            nextPacketId = first;
        }
    }

    /**
     * This node resumes the session without knowing the identifiers its last connection used (a recovery after
     * a crash, same epoch): start at a random place in the block, so a reuse of an identifier the client still
     * holds is unlikely.
     */
    synchronized void packetIdsUnknown() {
        nextPacketId = firstPacketId + java.util.concurrent.ThreadLocalRandom.current().nextInt(lastPacketId - firstPacketId + 1);
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
     * Queues or sends one message to this session, or notes it as backlog.
     *
     * @param message    the message
     * @param qos        the QoS to deliver with (already the minimum of publish and grant, at most 1)
     * @param retainFlag the RETAIN flag of the outbound PUBLISH (set only for retained messages sent on subscribe)
     * @param track      whether the message's log position is the session's to keep (routed messages are;
     *                   retained messages sent on subscribe are not)
     */
    public void deliver(BrokerMessage message, int qos, boolean retainFlag, boolean track) {
        LogPosition position = track && qos > 0 ? message.position() : null;
        synchronized (this) {
            if (discarded) {
                return;
            }
            if (position != null && persistent) {
                if (!cursor.routed(position.partition(), position.offset())) {
                    return; // recovery read again what the session's record already covers
                }
                context.markDirty(this);
            }
            boolean behind = cursor != null && cursor.behind();
            if (position != null && (channel == null || behind)) {
                toBacklog(position);
                return;
            }
            if (channel == null || (behind && qos == 0)) {
                dropped(message, qos);
                return;
            }
            Outbound o = new Outbound(message, qos, retainFlag, position);
            if (queueEmpty() && canSend(o)) {
                send(o);
            } else if (queued() < maxQueued) {
                queueForAdd().addLast(o);
            } else if (position != null) {
                toBacklog(position); // the window is full: the log holds it, the session catches up later
            } else {
                dropped(message, qos);
            }
        }
    }

    private void toBacklog(LogPosition position) {
        if (cursor == null) {
            cursor = new Cursor();
        }
        cursor.addBacklog(position.partition(), position.offset());
        syncBehind();
        requestCatchUp();
    }

    private void dropped(BrokerMessage message, int qos) {
        // MQTT 3.1.1 lets a server drop QoS 0 for offline sessions; a replay at start does not count again
        if (!message.replayed()) {
            context.metrics().queueDropped(qos);
        }
    }

    private boolean canSend(Outbound o) {
        if (!channel.isWritable() || outbox != null && outbox.size() >= MAX_OUTBOX) {
            return false;
        }
        return o.qos == 0 || inflight.size() < maxInflight;
    }

    private void send(Outbound o) {
        int packetId = 0;
        if (o.qos > 0) {
            packetId = nextFreePacketId();
            o.packetId = packetId;
            inflight.put(packetId, o);
        }
        write(publish(o, false));
        context.metrics().delivered(o.qos, o.message.receivedAtNanos());
    }

    /** Puts a packet in the outbox and makes sure the event loop empties it. Guarded by this. */
    private void write(MqttPublishMessage packet) {
        if (outbox == null) {
            outbox = new ArrayDeque<>(4);
        }
        outbox.addLast(packet);
        if (!flushScheduled) {
            flushScheduled = true;
            Channel ch = channel;
            ch.eventLoop().execute(() -> flushOutbox(ch));
        }
    }

    /** Runs on the channel's event loop: writes the outbox in order, flushes, then sends what the window allows. */
    private void flushOutbox(Channel ch) {
        ArrayDeque<MqttPublishMessage> batch;
        synchronized (this) {
            flushScheduled = false;
            if (outbox == null || outbox.isEmpty() || channel != ch) {
                return; // detached meanwhile: the outbox went with the old connection
            }
            batch = outbox;
            outbox = null;
        }
        for (MqttPublishMessage m : batch) {
            ch.write(m, ch.voidPromise());
        }
        ch.flush();
        synchronized (this) {
            if (channel == ch) {
                drain();
                requestCatchUp();
            }
        }
    }

    private int nextFreePacketId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = id >= lastPacketId ? firstPacketId : id + 1;
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

    private boolean queueEmpty() {
        return queue == null || queue.isEmpty();
    }

    private ArrayDeque<Outbound> queueForAdd() {
        if (queue == null) {
            queue = new ArrayDeque<>(2);
        }
        return queue;
    }

    /** Sends what the window and the channel's writability allow, in queue order. Guarded by this. */
    private void drain() {
        while (channel != null && !queueEmpty() && canSend(queue.peekFirst())) {
            send(queue.pollFirst());
        }
        if (queue != null && queue.isEmpty()) {
            queue = null;
        }
    }

    /** Hands the session to a catch-up worker when it is behind, online and its queue has room. Guarded by this. */
    private void requestCatchUp() {
        if (!catchUpQueued && channel != null && cursor != null && cursor.behind() && queued() <= maxQueued / 2) {
            catchUpQueued = true;
            context.catchUp().request(this);
        }
    }

    private void syncBehind() {
        boolean behind = !discarded && cursor != null && cursor.behind();
        if (behind != countedBehind) {
            countedBehind = behind;
            context.sessionsBehind(behind ? 1 : -1);
        }
    }

    /**
     * What a catch-up worker should read for this session, and how far its reader has read since.
     *
     * <p>The reader runs ahead of the router: it returns records that were not routed to the session yet, which
     * the session skips. When the router then adds such records to the backlog (the session is still behind
     * elsewhere), they lie behind the reader's position; {@link #offer} sees it and asks for a new plan, which
     * sets the reader back to the backlog's start.
     */
    static final class Plan {
        private final int epoch;
        private final Map<Integer, Long> starts;
        private final Map<Integer, Long> next;
        private final int room;

        /**
         * @param epoch  the session's epoch when planned; {@link #offer} refuses records of an older one
         * @param starts partition to the first backlog offset
         * @param room   how many messages the queue can take
         */
        Plan(int epoch, Map<Integer, Long> starts, int room) {
            this.epoch = epoch;
            this.starts = Map.copyOf(starts);
            this.next = new java.util.HashMap<>(starts);
            this.room = room;
        }

        /** @return the session's epoch when planned */
        int epoch() {
            return epoch;
        }

        /** @return partition to the offset the reader starts at */
        Map<Integer, Long> starts() {
            return starts;
        }

        /** @return how many messages the queue could take when planned */
        int room() {
            return room;
        }

        /** @return the offset the reader returns next in {@code partition}, or -1 when it does not read it */
        long next(int partition) {
            return next.getOrDefault(partition, NONE);
        }

        private void read(int partition, long offset) {
            next.put(partition, offset + 1);
        }
    }

    /**
     * Called by a catch-up worker.
     *
     * @return what to read, or {@code null} when there is nothing to do now (the worker lets go of the session)
     */
    synchronized Plan planCatchUp() {
        if (discarded || channel == null || cursor == null || !cursor.behind() || queued() >= maxQueued) {
            catchUpQueued = false;
            return null;
        }
        return new Plan(epoch, cursor.backlogStarts(), maxQueued - queued());
    }

    /** The outcome of {@link #offer}. */
    enum Offered {
        /** Keep reading: the session is behind and has room. */
        MORE,
        /** Stop for now: the queue is full, the session went offline, or the plan is stale. */
        STOP,
        /**
         * Plan again now: the backlog grew where the reader does not read (a partition it was not assigned, or
         * records behind its position).
         */
        REPLAN,
        /** The backlog is empty: the session is live again. */
        LIVE
    }

    /**
     * Delivers records a catch-up worker read from the log: the backlog records that match the session's
     * subscriptions with QoS 1, in order, as far as the queue has room. Records outside the backlog are
     * ignored (a later record is routed live, or joins the backlog when routed).
     *
     * @param plan    the plan the records were read for; it notes how far the reader read
     * @param records records in log order per partition, as the reader returned them
     * @return whether to keep reading
     */
    synchronized Offered offer(Plan plan, List<LogRecord> records) {
        if (plan.epoch() != epoch || discarded || channel == null || cursor == null) {
            return Offered.STOP;
        }
        for (int p = 0; p < cursor.partitions(); p++) {
            if (cursor.backlogFrom(p) != NONE && plan.next(p) == NONE) {
                return Offered.REPLAN; // a partition fell behind after the plan: the reader is not assigned to it
            }
        }
        for (LogRecord r : records) {
            int p = r.position().partition();
            long off = r.offset();
            long from = cursor.backlogFrom(p);
            if (from != NONE && from < plan.next(p)) {
                syncBehind();
                return Offered.REPLAN; // backlog behind the reader's position: read it again from its start
            }
            plan.read(p, off);
            if (from == NONE || off < from || off > cursor.backlogTo(p)) {
                continue;
            }
            int qos = Math.min(1, Math.min(r.entry().qos(), grantedFor(r.topic())));
            if (qos > 0) {
                if (queued() >= maxQueued) {
                    syncBehind();
                    return Offered.STOP;
                }
                BrokerMessage m = new BrokerMessage(r.topic(), r.payload(), r.entry().qos(), r.position(), 0);
                Outbound o = new Outbound(m, qos, false, r.position());
                if (queueEmpty() && canSend(o)) {
                    send(o);
                } else {
                    queueForAdd().addLast(o);
                }
                context.metrics().caughtUp();
            }
            cursor.consumedUpTo(p, off + 1);
        }
        syncBehind();
        if (!cursor.behind()) {
            return Offered.LIVE;
        }
        return queued() < maxQueued ? Offered.MORE : Offered.STOP;
    }

    private int grantedFor(String topic) {
        if (ReservedTopics.isReserved(topic)) {
            return -1;
        }
        int best = -1;
        for (Map.Entry<String, Integer> e : subscriptions.entrySet()) {
            if (e.getValue() > best && Topics.matches(e.getKey(), topic)) {
                best = e.getValue();
            }
        }
        return best;
    }

    /**
     * Retention deleted part of the backlog before the session read it: those messages are gone for this
     * session. Counted ({@code mqtt_broker_expired_undelivered_total}) and logged.
     *
     * @param planEpoch the epoch of the plan
     * @param requested the position the worker asked for
     * @param earliest  the earliest position still held in that partition
     */
    synchronized void truncated(int planEpoch, LogPosition requested, LogPosition earliest) {
        if (planEpoch != epoch || cursor == null) {
            return;
        }
        int p = requested.partition();
        long from = cursor.backlogFrom(p);
        if (from == NONE || from >= earliest.offset()) {
            return;
        }
        long lostTo = Math.min(cursor.backlogTo(p), earliest.offset() - 1);
        long lost = lostTo - from + 1;
        cursor.consumedUpTo(p, earliest.offset());
        syncBehind();
        context.metrics().expiredUndelivered(lost);
        context.markDirty(this);
        LOG.warn("session {} was behind retention: log records {} to {} of partition {} were deleted before it read "
                + "them (at most {} of its messages lost to retention)", clientId, from, lostTo, p, lost);
    }

    /**
     * Called by the worker when it lets go of the session: hands it back to the queue when it still wants
     * to catch up, else marks it free so that the next acknowledgement requests a worker again.
     */
    synchronized void catchUpDone() {
        catchUpQueued = false;
        requestCatchUp();
    }

    /**
     * Binds the session to the connection that {@linkplain #claim claimed} it, after its CONNACK was
     * written: sends the unacknowledged in-flight messages again with DUP set, in their order, then the
     * queue, then catches up with the backlog.
     *
     * @param newOwner the connection handler that owns the session from now on
     * @param ch       its channel
     */
    public synchronized void attach(Object newOwner, Channel ch) {
        if (owner != newOwner || discarded) {
            return; // taken over (or ended) between CONNECT and CONNACK
        }
        this.channel = ch;
        epoch++;
        if (!inflight.isEmpty()) {
            for (Outbound o : inflight.values()) {
                ch.write(publish(o, true));
            }
            ch.flush();
            context.metrics().redelivered(inflight.size());
        }
        drain();
        requestCatchUp();
    }

    /**
     * Makes {@code newOwner} the owner of the session while its CONNECT is being answered; QoS 1 messages
     * for the session become backlog until {@link #attach}.
     *
     * @param newOwner the connection handler that will own the session
     */
    synchronized void claim(Object newOwner) {
        this.owner = newOwner;
        this.channel = null;
        this.outbox = null;
        this.flushScheduled = false; // a flush scheduled for the old channel finds it gone and does nothing
        epoch++;
    }

    /**
     * Unbinds the session from its connection. A persistent session keeps its in-flight messages (sent
     * again on reconnect) and gives its queue back to the log: queued QoS 1 messages become backlog again,
     * so that an offline session holds at most its in-flight window in memory.
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
        outbox = null; // what it held is in flight (sent again on reconnect) or QoS 0
        flushScheduled = false;
        epoch++;
        if (persistent) {
            for (Iterator<Outbound> it = queue == null ? java.util.Collections.emptyIterator() : queue.iterator();
                    it.hasNext(); ) {
                Outbound o = it.next();
                if (o.position != null) {
                    cursor.addBacklog(o.position.partition(), o.position.offset());
                    it.remove();
                } else if (o.qos == 0) {
                    dropped(o.message, 0);
                    it.remove();
                }
            }
            syncBehind();
        }
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
            context.markDirty(this);
        }
        drain();
        requestCatchUp();
    }

    /** @param from the handler whose channel became writable again */
    public synchronized void writable(Object from) {
        if (owner == from) {
            drain();
            requestCatchUp();
        }
    }

    /** Drops all state; later deliveries are ignored. */
    public synchronized void discard() {
        discarded = true;
        queue = null;
        inflight.clear();
        outbox = null;
        channel = null;
        owner = null;
        epoch++;
        syncBehind();
    }

    /** @return {@code true} once {@link #discard()} was called */
    public synchronized boolean discarded() {
        return discarded;
    }

    /**
     * Restores delivery progress from a state record during recovery: the records each partition's
     * watermark does not cover become the backlog.
     *
     * @param progress the record's progress per partition
     */
    public synchronized void restoreProgress(List<StateRecords.Progress> progress) {
        if (!persistent) {
            return;
        }
        cursor = new Cursor();
        for (StateRecords.Progress p : progress) {
            cursor.restore(p.partition(), p.watermark(), p.routedTo());
        }
        syncBehind();
    }

    /**
     * The session's progress as its state record holds it: per partition, the watermark (everything routed
     * to it at or below is acknowledged) and the highest offset routed to it.
     *
     * @return per partition the session has seen
     */
    public synchronized List<StateRecords.Progress> progress() {
        if (cursor == null) {
            return List.of();
        }
        int n = cursor.partitions();
        long[] pending = new long[n];
        Arrays.fill(pending, Long.MAX_VALUE);
        for (Outbound o : inflight.values()) {
            pendingAt(pending, o);
        }
        if (queue != null) {
            for (Outbound o : queue) {
                pendingAt(pending, o);
            }
        }
        List<StateRecords.Progress> out = new ArrayList<>(1);
        for (int p = 0; p < n; p++) {
            long routed = cursor.routedTo(p);
            long backlog = cursor.backlogFrom(p);
            if (routed == NONE && backlog == NONE && pending[p] == Long.MAX_VALUE) {
                continue;
            }
            long first = Math.min(pending[p], backlog == NONE ? Long.MAX_VALUE : backlog);
            long watermark = first == Long.MAX_VALUE ? routed : first - 1;
            out.add(new StateRecords.Progress(p, watermark, Math.max(routed, cursor.backlogTo(p))));
        }
        return out;
    }

    private static void pendingAt(long[] pending, Outbound o) {
        if (o.position != null && o.position.partition() < pending.length) {
            int p = o.position.partition();
            pending[p] = Math.min(pending[p], o.position.offset());
        }
    }

    /**
     * Taken over from another node: the records from each partition's start onwards are its backlog, up to
     * (excluding) the end the taking node's router had reached. Called before the session is attached.
     *
     * @param starts partition to the first offset the session may not have acknowledged
     * @param ends   partition to the first offset the router will route to the session itself
     */
    synchronized void adoptBacklog(Map<Integer, Long> starts, Map<Integer, Long> ends) {
        if (cursor == null) {
            cursor = new Cursor();
        }
        for (Map.Entry<Integer, Long> e : starts.entrySet()) {
            long end = ends.getOrDefault(e.getKey(), 0L) - 1;
            if (e.getValue() <= end) {
                cursor.addBacklog(e.getKey(), e.getValue());
                cursor.addBacklog(e.getKey(), end);
                cursor.routed(e.getKey(), end);
            }
        }
        syncBehind();
    }

    /** @return {@code true} while the session has a backlog in the log */
    public synchronized boolean behind() {
        return cursor != null && cursor.behind();
    }

    /** @return messages waiting in the queue (not yet in flight) */
    public synchronized int queued() {
        return queue == null ? 0 : queue.size();
    }

    /** @return QoS 1 messages sent and not yet acknowledged */
    public synchronized int inflight() {
        return inflight.size();
    }

    /** @return the address of the connection's peer (a proxy or bridge), or {@code ""} while offline */
    public synchronized String remoteAddress() {
        return channel == null || channel.remoteAddress() == null ? "" : channel.remoteAddress().toString();
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
