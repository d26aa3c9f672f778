package io.mqttsentinel.broker.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.mqttsentinel.broker.BrokerConfig;

/**
 * What every session and connection of one broker shares: the settings, the meters, the set of
 * persistent sessions whose state must be written to the log at the next checkpoint, the catch-up
 * workers and the sequence of state records.
 */
public final class BrokerContext {
    private final BrokerConfig config;
    private final BrokerMetrics metrics;
    private final Set<Session> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicLong behind = new AtomicLong();
    private final AtomicLong stateSeq = new AtomicLong();
    private volatile CatchUpRequests catchUp = session -> { };

    /** Where a session that fell behind asks for a catch-up worker. */
    @FunctionalInterface
    public interface CatchUpRequests {
        /** @param session a session that is behind, online and has room */
        void request(Session session);
    }

    /**
     * @param config  the settings
     * @param metrics the meters
     */
    public BrokerContext(BrokerConfig config, BrokerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** @return the settings */
    public BrokerConfig config() {
        return config;
    }

    /** @return the meters */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** @param session a persistent session whose progress or subscriptions changed */
    public void markDirty(Session session) {
        if (session.persistent()) {
            dirty.add(session);
        }
    }

    /** @param requests where sessions ask for a catch-up worker (set once the workers exist) */
    public void catchUp(CatchUpRequests requests) {
        this.catchUp = requests;
    }

    /** @return where sessions ask for a catch-up worker */
    public CatchUpRequests catchUp() {
        return catchUp;
    }

    /** @param delta +1 when a session fell behind, -1 when it caught up or ended */
    void sessionsBehind(int delta) {
        behind.addAndGet(delta);
    }

    /** @return sessions with a backlog in the log */
    public long sessionsBehind() {
        return behind.get();
    }

    /** @return the next sequence for a state record (session or retained) */
    public long nextStateSeq() {
        return stateSeq.incrementAndGet();
    }

    /** @param seen a sequence read back from the log; later records get higher ones */
    public void sawStateSeq(long seen) {
        stateSeq.accumulateAndGet(seen, Math::max);
    }

    /** @return the sessions marked dirty; the checkpointer removes what it writes */
    public Set<Session> dirty() {
        return dirty;
    }
}
