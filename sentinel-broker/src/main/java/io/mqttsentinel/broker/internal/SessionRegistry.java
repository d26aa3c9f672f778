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
    private final Map<String, Long> endedDuringRecovery = new ConcurrentHashMap<>();

    /**
     * The result of a CONNECT.
     *
     * @param session        the session the connection now uses
     * @param sessionPresent whether a stored session was resumed (CONNACK flag)
     * @param previousOwner  the handler of the connection that held the client id before, or {@code null};
     *                       the caller closes it (session takeover)
     * @param durable        completes when the session's existence (or end) is durable in the log
     */
    public record Connected(Session session, boolean sessionPresent, Object previousOwner,
                            CompletionStage<?> durable) {
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
            Connected c = connectLocked(clientId, clean);
            c.session().claim(owner);
            return c;
        }
    }

    private Connected connectLocked(String clientId, boolean clean) {
        Session old = sessions.get(clientId);
        Object previousOwner = old == null ? null : old.owner();
        if (previousOwner != null) {
            old.detach(previousOwner);
            context.metrics().takeover();
        }
        if (!clean && old != null && old.persistent()) {
            return new Connected(old, true, previousOwner, CompletableFuture.completedFuture(null));
        }
        CompletionStage<?> durable = CompletableFuture.completedFuture(null);
        if (old != null) {
            discardLocked(old);
            if (old.persistent()) {
                durable = stateWriter.writeDeleted(old);
            }
        }
        Session s = new Session(clientId, !clean, context);
        sessions.put(clientId, s);
        if (!clean) {
            durable = stateWriter.write(s);
        }
        return new Connected(s, false, previousOwner, durable);
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
            Long ended = endedDuringRecovery.get(clientId);
            if (ended != null && ended >= state.seq()) {
                return;
            }
            Session s = sessions.get(clientId);
            if (s != null) {
                synchronized (s.recordLock()) {
                    if (!s.advanceSeq(state.seq())) {
                        return;
                    }
                }
            }
            if (state.deleted()) {
                endedDuringRecovery.put(clientId, state.seq());
                if (s != null) {
                    discardLocked(s);
                }
                return;
            }
            if (s == null) {
                s = new Session(clientId, true, context);
                synchronized (s.recordLock()) {
                    s.advanceSeq(state.seq());
                }
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
