package io.mqttsentinel.broker.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.broker.BrokerConfig;

/**
 * What every session and connection of one broker shares: the settings, the meters and the set of
 * persistent sessions whose state must be written to the log at the next checkpoint.
 */
public final class BrokerContext {
    private final BrokerConfig config;
    private final BrokerMetrics metrics;
    private final Set<Session> dirty = ConcurrentHashMap.newKeySet();

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

    /** @return the sessions marked dirty; the checkpointer removes what it writes */
    public Set<Session> dirty() {
        return dirty;
    }
}
