package io.mqttsentinel.broker.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All sessions by client id, and the changes that must stay consistent with the subscription index:
 * CONNECT (new, resumed or taken over), disconnect, subscribe, unsubscribe, recovery.
 *
 * <p>Thread-safety: changes to one client id are serialised by a lock stripe; lock order is stripe, then
 * session.
 */
public final class SessionRegistry {
    private static final int STRIPES = 64;

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];
    private final SubscriptionIndex index;
    private final BrokerContext context;
    private final SessionStateWriter stateWriter;
    private final Map<String, StateRecords.SessionState> endedDuringRecovery = new ConcurrentHashMap<>();
    private final String nodeId;
    // several nodes on one log: the newest record of every session another node owns (or ended), and the
    // newest checkpoint of every other node
    private final ConcurrentHashMap<String, StateRecords.SessionState> remote = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<Integer, Long>> nodeCheckpoints = new ConcurrentHashMap<>();
    private volatile LogTail tail;
    private volatile java.util.function.Consumer<Object> fence = owner -> { };

    /**
     * The result of a CONNECT.
     *
     * @param session       the session the connection now uses
     * @param previousOwner the handler of the connection that held the client id before, or {@code null};
     *                      the caller closes it (session takeover)
     * @param ready         completes with the CONNACK's session-present flag when the session's existence (or
     *                      end) is durable in the log (and, with several nodes, when this node has taken it over)
     */
    public record Connected(Session session, Object previousOwner, CompletionStage<Boolean> ready) {
    }

    /**
     * @param index       the subscription index
     * @param context     shared broker state
     * @param stateWriter writes session records
     */
    public SessionRegistry(SubscriptionIndex index, BrokerContext context, SessionStateWriter stateWriter) {
        this.index = index;
        this.context = context;
        this.stateWriter = stateWriter;
        this.nodeId = context.config().nodeId();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    private Object stripe(String clientId) {
        return stripes[(clientId.hashCode() & 0x7fffffff) % STRIPES];
    }

    /**
     * Finds or creates the session of a CONNECT. A clean CONNECT discards any stored session; a persistent
     * one resumes it. The connection holding the client id, if any, loses it (the caller closes it).
     *
     * @param clientId the client id
     * @param clean    the CONNECT's clean-session flag
     * @param owner    the handler of the new connection, which owns the session from now on
     * @return the session, the session-present flag and the previous owner
     */
    public Connected connect(String clientId, boolean clean, Object owner) {
        synchronized (stripe(clientId)) {
            if (tail != null && !sessions.containsKey(clientId)) {
                return claimLocked(clientId, clean, owner);
            }
            Connected c = connectLocked(clientId, clean);
            c.session().claim(owner);
            return c;
        }
    }

    /**
     * Several nodes: this node takes over a client id it does not hold. It appends a record with the next
     * owner epoch (which fences every record of the former owner, and makes it close its connection), waits
     * until its own tail has read past that record (so it applied everything the former owner wrote before),
     * then adopts the former owner's subscriptions and reads the session's backlog from the log: every record
     * above the former owner's watermark, up to where this node's router took over.
     */
    private Connected claimLocked(String clientId, boolean clean, Object owner) {
        Session s = new Session(clientId, !clean, context);
        synchronized (s.recordLock()) {
            s.ownerEpoch(Long.MAX_VALUE); // a claim in progress is not fenced by the records it is waiting for
        }
        sessions.put(clientId, s);
        s.claim(owner);
        // first catch up with everything written before this CONNECT (a probe record, then the tail past it),
        // so that the claim's epoch and state follow the former owner's newest record
        CompletionStage<Boolean> ready = stateWriter.append(StateRecords.marker())
                .thenCompose(tail::awaitPast)
                .thenCompose(caughtUp -> writeClaim(s, clean))
                .thenCompose(claim -> tail.whenPast(claim, positions -> adopt(s, positions)));
        return new Connected(s, null, ready);
    }

    private CompletionStage<io.mqttsentinel.api.LogPosition> writeClaim(Session s, boolean clean) {
        synchronized (stripe(s.clientId())) {
            StateRecords.SessionState former = remote.get(s.clientId());
            long epoch = (former == null ? 0 : former.ownerEpoch()) + 1;
            synchronized (s.recordLock()) {
                s.ownerEpoch(epoch);
            }
            return stateWriter.writeClaim(s, clean || former == null || former.deleted() ? null : selfContained(former));
        }
    }

    /**
     * The former owner's record with a position for every partition: where it holds no progress, nothing up to
     * that owner's newest checkpoint was routed to the session (its records are durable before its checkpoints).
     * A claim must say so itself: a later claimant reads this claim as the newest record, and the claimant's own
     * checkpoint (far ahead of a dead former owner) would skip what the former owner never delivered.
     */
    private StateRecords.SessionState selfContained(StateRecords.SessionState former) {
        Map<Integer, Long> checkpoint = nodeCheckpoints.getOrDefault(former.owner(), Map.of());
        List<StateRecords.Progress> progress = new ArrayList<>(former.progress());
        java.util.Set<Integer> covered = new java.util.HashSet<>();
        for (StateRecords.Progress p : former.progress()) {
            covered.add(p.partition());
        }
        for (Map.Entry<Integer, Long> e : checkpoint.entrySet()) {
            if (!covered.contains(e.getKey())) {
                progress.add(new StateRecords.Progress(e.getKey(), e.getValue(), e.getValue()));
            }
        }
        return new StateRecords.SessionState(former.clientId(), former.seq(), false, former.subscriptions(),
                List.copyOf(progress), former.owner(), former.ownerEpoch());
    }

    private boolean adopt(Session s, Map<Integer, Long> positions) {
        synchronized (stripe(s.clientId())) {
            StateRecords.SessionState latest = remote.remove(s.clientId());
            if (s.discarded() || !s.persistent() || latest == null || latest.deleted()) {
                return false;
            }
            for (Map.Entry<String, Integer> e : latest.subscriptions().entrySet()) {
                s.subscriptions().put(e.getKey(), e.getValue());
                index.subscribe(e.getKey(), s, e.getValue());
            }
            Map<Integer, Long> starts = new java.util.HashMap<>();
            Map<Integer, Long> ownerCheckpoint = nodeCheckpoints.getOrDefault(latest.owner(), Map.of());
            for (Map.Entry<Integer, Long> e : positions.entrySet()) {
                Long g = ownerCheckpoint.get(e.getKey());
                // nothing was routed to it there up to the former owner's checkpoint; without one, read it all
                starts.put(e.getKey(), g == null ? 0L : g + 1);
            }
            for (StateRecords.Progress p : latest.progress()) {
                starts.put(p.partition(), p.watermark() + 1);
            }
            s.adoptBacklog(starts, positions);
            context.markDirty(s);
            return true;
        }
    }

    /**
     * Several nodes: applies a session record another node wrote. A record with a higher owner epoch than
     * this node's own session of that client id fences it: the session is dropped here and its connection
     * closed (another node took it over). Records of an older owner are ignored.
     *
     * @param state the record
     */
    public void applyRemote(StateRecords.SessionState state) {
        String clientId = state.clientId();
        synchronized (stripe(clientId)) {
            Session local = sessions.get(clientId);
            if (local != null) {
                long mine;
                synchronized (local.recordLock()) {
                    mine = local.ownerEpoch();
                }
                boolean theirs = state.ownerEpoch() > mine
                        || state.ownerEpoch() == mine && state.owner().compareTo(nodeId) > 0;
                if (!theirs) {
                    remember(state); // an older owner's record: what a claim in progress takes over from
                    return;
                }
                Object owner = local.owner();
                discardLocked(local);
                context.metrics().takeover();
                if (owner != null) {
                    fence.accept(owner);
                }
            }
            remember(state);
        }
    }

    private void remember(StateRecords.SessionState state) {
        remote.merge(state.clientId(), state, (current, next) -> next.newerThan(current) ? next : current);
    }

    /**
     * @param node      another node
     * @param positions its newest checkpoint
     */
    public void nodeCheckpoint(String node, Map<Integer, Long> positions) {
        nodeCheckpoints.put(node, Map.copyOf(positions));
    }

    /** @return the newest checkpoint of every other node */
    public Map<String, Map<Integer, Long>> nodeCheckpoints() {
        return new java.util.HashMap<>(nodeCheckpoints);
    }

    /** @return how many client ids another node owns or ended (several nodes) */
    public int remoteCount() {
        return remote.size();
    }

    /** @return the newest record of every session another node owns or ended */
    public Collection<StateRecords.SessionState> remoteSessions() {
        return new ArrayList<>(remote.values());
    }

    /**
     * Several nodes: routing and takeovers from now on follow {@code tail}.
     *
     * @param tail  this node's log tail
     * @param fence closes the connection of a session another node took over (receives its owner)
     */
    public void cluster(LogTail tail, java.util.function.Consumer<Object> fence) {
        this.fence = fence;
        this.tail = tail;
    }

    private Connected connectLocked(String clientId, boolean clean) {
        Session old = sessions.get(clientId);
        Object previousOwner = old == null ? null : old.owner();
        if (previousOwner != null) {
            old.detach(previousOwner);
            context.metrics().takeover();
        }
        if (!clean && old != null && old.persistent()) {
            return new Connected(old, previousOwner, CompletableFuture.completedFuture(true));
        }
        CompletionStage<?> durable = CompletableFuture.completedFuture(null);
        long epoch = 0;
        if (old != null) {
            synchronized (old.recordLock()) {
                epoch = old.ownerEpoch();
            }
            discardLocked(old);
            if (old.persistent()) {
                durable = stateWriter.writeDeleted(old);
            }
        }
        Session s = new Session(clientId, !clean, context);
        synchronized (s.recordLock()) {
            s.ownerEpoch(epoch); // still this node's: the epoch stays
        }
        sessions.put(clientId, s);
        if (!clean) {
            durable = stateWriter.write(s);
        }
        return new Connected(s, previousOwner, durable.thenApply(ok -> false));
    }

    /**
     * The connection of {@code owner} closed: a clean session ends, a persistent one goes offline.
     *
     * @param session the session the connection used
     * @param owner   the connection's handler
     */
    public void disconnected(Session session, Object owner) {
        synchronized (stripe(session.clientId())) {
            if (!session.detach(owner)) {
                return; // taken over: the session belongs to a newer connection
            }
            if (!session.persistent()) {
                discardLocked(session);
            } else {
                context.markDirty(session);
            }
        }
    }

    private void discardLocked(Session s) {
        for (String filter : s.subscriptions().keySet()) {
            index.unsubscribe(filter, s);
        }
        s.subscriptions().clear();
        s.discard();
        sessions.remove(s.clientId(), s);
    }

    /**
     * @param session a session
     * @param filter  a valid filter
     * @param qos     the granted QoS
     */
    public void subscribe(Session session, String filter, int qos) {
        synchronized (stripe(session.clientId())) {
            if (session.discarded()) {
                return;
            }
            session.subscriptions().put(filter, qos);
            index.subscribe(filter, session, qos);
        }
    }

    /**
     * @param session a session
     * @param filter  a filter
     * @return {@code true} when the session was subscribed to it
     */
    public boolean unsubscribe(Session session, String filter) {
        synchronized (stripe(session.clientId())) {
            if (session.subscriptions().remove(filter) == null) {
                return false;
            }
            index.unsubscribe(filter, session);
            return true;
        }
    }

    /**
     * Applies a session record read back from the log during recovery, unless a record of the same
     * client id with a higher sequence was applied already (a snapshot chunk may follow a newer record).
     *
     * @param state the decoded record
     */
    public void restore(StateRecords.SessionState state) {
        String clientId = state.clientId();
        synchronized (stripe(clientId)) {
            StateRecords.SessionState ended = endedDuringRecovery.get(clientId);
            if (ended != null && !state.newerThan(ended)) {
                return;
            }
            StateRecords.SessionState other = remote.get(clientId);
            if (other != null && other.ownerEpoch() >= state.ownerEpoch()) {
                return; // another node took it over later
            }
            Session s = sessions.get(clientId);
            if (s != null) {
                synchronized (s.recordLock()) {
                    if (state.ownerEpoch() < s.ownerEpoch()) {
                        return;
                    }
                    if (state.ownerEpoch() > s.ownerEpoch()) {
                        s.ownerEpoch(state.ownerEpoch());
                        s.resetSeq(state.seq());
                    } else if (!s.advanceSeq(state.seq())) {
                        return;
                    }
                }
            }
            if (state.deleted()) {
                endedDuringRecovery.put(clientId, state);
                if (s != null) {
                    discardLocked(s);
                }
                return;
            }
            if (s == null) {
                s = new Session(clientId, true, context);
                synchronized (s.recordLock()) {
                    s.advanceSeq(state.seq());
                    s.ownerEpoch(state.ownerEpoch());
                }
                s.packetIdsUnknown();
                sessions.put(clientId, s);
            }
            List<String> gone = new ArrayList<>();
            for (String filter : s.subscriptions().keySet()) {
                if (!state.subscriptions().containsKey(filter)) {
                    gone.add(filter);
                }
            }
            for (String filter : gone) {
                s.subscriptions().remove(filter);
                index.unsubscribe(filter, s);
            }
            for (Map.Entry<String, Integer> e : state.subscriptions().entrySet()) {
                s.subscriptions().put(e.getKey(), e.getValue());
                index.subscribe(e.getKey(), s, e.getValue());
            }
            s.restoreProgress(state.progress());
        }
    }

    /** Ends recovery: forgets the ended sessions' sequences it needed. */
    void recovered() {
        endedDuringRecovery.clear();
    }

    /**
     * @param clientId a client id
     * @return its session, or {@code null}
     */
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    /** @return the number of sessions, online or stored */
    public int size() {
        return sessions.size();
    }

    /** @return a snapshot of all sessions */
    public Collection<Session> all() {
        return new ArrayList<>(sessions.values());
    }
}
