package io.mqttsentinel.broker;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.broker.internal.ConnectionHandler;
import io.mqttsentinel.broker.internal.Ingress;
import io.mqttsentinel.broker.internal.Session;
import io.mqttsentinel.broker.internal.SessionRegistry;

/**
 * What an operator may do with a running broker ({@link SentinelBroker#admin()}): look at its sessions and
 * disconnect a client, and decide on quarantined messages. Every action is logged and raises a
 * {@link SecurityEvent} of category {@value #EVENT_CATEGORY} on the broker's event sink (rule ids
 * {@code quarantine-release}, {@code quarantine-delete}, {@code session-disconnect}; the excerpt names the actor), so
 * that the security team sees operators' decisions beside the attacks.
 *
 * <p>Sessions are this node's (with several broker nodes, each answers for the devices it serves). Thread-safe.
 */
public final class BrokerAdmin {
    /** The category of the security events that record operators' actions. */
    public static final String EVENT_CATEGORY = "operator";

    private static final Logger LOG = LoggerFactory.getLogger(BrokerAdmin.class);
    private static final Comparator<Session> BY_ID = Comparator.comparing(Session::clientId);

    private final SessionRegistry registry;
    private final Ingress ingress;
    private final QuarantineStore quarantine;
    private final SecurityEventSink events;
    private final Clock clock;
    private final BooleanSupplier running;

    BrokerAdmin(SessionRegistry registry, Ingress ingress, QuarantineStore quarantine, SecurityEventSink events,
                Clock clock, BooleanSupplier running) {
        this.registry = registry;
        this.ingress = ingress;
        this.quarantine = quarantine;
        this.events = events;
        this.clock = clock;
        this.running = running;
    }

    /** @return how many sessions this node holds, online or stored */
    public int sessionCount() {
        return registry.size();
    }

    /**
     * One page of sessions, by client id.
     *
     * @param after         the client id the page starts after (exclusive), or {@code null} for the first page
     * @param limit         the most sessions returned, at least 1
     * @param connectedOnly {@code true} to leave out offline persistent sessions
     * @return the sessions, ordered by client id
     */
    public List<SessionInfo> sessions(String after, int limit, boolean connectedOnly) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        PriorityQueue<Session> firsts = new PriorityQueue<>(BY_ID.reversed());
        for (Session s : registry.all()) {
            if ((after != null && s.clientId().compareTo(after) <= 0) || (connectedOnly && s.owner() == null)) {
                continue;
            }
            firsts.add(s);
            if (firsts.size() > limit) {
                firsts.poll();
            }
        }
        List<Session> page = new ArrayList<>(firsts);
        page.sort(BY_ID);
        List<SessionInfo> out = new ArrayList<>(page.size());
        for (Session s : page) {
            out.add(info(s));
        }
        return out;
    }

    /**
     * @param clientId a client id
     * @return its session on this node, if any
     */
    public Optional<SessionInfo> session(String clientId) {
        Session s = registry.get(Objects.requireNonNull(clientId, "clientId"));
        return s == null ? Optional.empty() : Optional.of(info(s));
    }

    private static SessionInfo info(Session s) {
        return new SessionInfo(s.clientId(), s.owner() != null, s.persistent(), s.remoteAddress(),
                new java.util.TreeMap<>(s.subscriptions()), s.inflight(), s.queued(), s.behind());
    }

    /**
     * Closes the client's connection as if it had dropped it: its will is published, a persistent session stays
     * (the client may connect again; to keep a device out, remove its credentials first).
     *
     * @param clientId the client id
     * @param actor    who asks (recorded in the event)
     * @return {@code true} when a connection was closed, {@code false} when the client is not connected here
     */
    public boolean disconnect(String clientId, String actor) {
        Objects.requireNonNull(actor, "actor");
        Session s = registry.get(Objects.requireNonNull(clientId, "clientId"));
        Object owner = s == null ? null : s.owner();
        if (!(owner instanceof ConnectionHandler handler)) {
            return false;
        }
        handler.disconnectByOperator();
        record(clientId, "", "session-disconnect", Severity.LOW, Action.BLOCK, "disconnected by " + actor);
        return true;
    }

    /** @return the quarantine store, when the broker has one */
    public Optional<QuarantineStore> quarantine() {
        return Optional.ofNullable(quarantine);
    }

    /**
     * Releases a quarantined message: delivered as if it had passed inspection (stored in the message log and routed
     * under its topic and client id, without inspection; the retain flag is not kept), once.
     *
     * @param id    the message's id
     * @param actor who releases it
     * @return completes with the released message; exceptionally as {@link QuarantineStore#release} says, or with
     *         {@link IllegalStateException} when the broker has no quarantine store or is not running
     */
    public CompletionStage<QuarantinedMessage> release(String id, String actor) {
        if (quarantine == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker has no quarantine store"));
        }
        if (!running.getAsBoolean()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker is not running"));
        }
        return quarantine.release(id, actor, (m, payload) -> ingress
                .publishInternal(m.clientId(), m.topic(), payload, m.qos(), false, false)
                .thenAccept(outcome -> {
                    if (outcome != Ingress.Outcome.STORED) {
                        throw new MessageLogException("the released message was not stored (" + outcome + ")");
                    }
                })).thenApply(m -> {
                    LOG.info("quarantined message {} ({} from {}) released by {}", m.id(), m.topic(), m.clientId(), actor);
                    record(m.clientId(), m.topic(), "quarantine-release", Severity.MEDIUM, Action.ALLOW,
                            "quarantined message " + m.id() + " released by " + actor);
                    return m;
                });
    }

    /**
     * Deletes a quarantined message (see {@link QuarantineStore#delete}).
     *
     * @param id    the message's id
     * @param actor who deletes it
     * @return completes with {@code true} once deleted, {@code false} when there is no such message; exceptionally
     *         as {@link QuarantineStore#delete} says, or with {@link IllegalStateException} without a quarantine store
     */
    public CompletionStage<Boolean> delete(String id, String actor) {
        if (quarantine == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker has no quarantine store"));
        }
        Optional<QuarantinedMessage> before = quarantine.find(id);
        return quarantine.delete(id, actor).thenApply(deleted -> {
            if (deleted) {
                QuarantinedMessage m = before.orElse(null);
                LOG.info("quarantined message {} deleted by {}", id, actor);
                record(m == null ? "" : m.clientId(), m == null ? "" : m.topic(), "quarantine-delete", Severity.LOW,
                        Action.BLOCK, "quarantined message " + id + " deleted by " + actor);
            }
            return deleted;
        });
    }

    private void record(String clientId, String topic, String rule, Severity severity, Action action, String excerpt) {
        try {
            events.accept(new SecurityEvent(Instant.ofEpochMilli(clock.millis()), "broker", clientId, topic,
                    EVENT_CATEGORY, rule, severity, action, excerpt));
        } catch (RuntimeException e) {
            LOG.warn("security event sink threw; the record of an operator's action was dropped", e);
        }
    }
}
