package io.mqttsentinel.broker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;

import io.mqttsentinel.api.Topics;

/**
 * Finds the sessions subscribed to a topic. Filters without wildcards (the common case: one
 * {@code clients/{client_id}/alerts} per device, millions of them) live in one concurrent hash map, so a
 * lookup costs one hash of the topic whatever the number of devices. Filters with {@code +} or {@code #}
 * live in a trie of topic levels, walked once per published topic.
 *
 * <p>Thread-safety: lookups are lock-free and may run concurrently with changes; a change to the
 * wildcard trie takes a lock. Subscriber lists are copy-on-write arrays.
 */
public final class SubscriptionIndex {
    private static final Subscriber[] NONE = new Subscriber[0];

    private final ConcurrentHashMap<String, Subscriber[]> exact = new ConcurrentHashMap<>();
    private final Node root = new Node();
    private final Object trieLock = new Object();
    private final AtomicInteger wildcardFilters = new AtomicInteger();

    /**
     * A session's subscription to one filter.
     *
     * @param session the subscriber
     * @param qos     the granted QoS
     */
    record Subscriber(Session session, int qos) {
    }

    /**
     * Adds or replaces {@code session}'s subscription to {@code filter}.
     *
     * @param filter  a valid filter
     * @param session the subscriber
     * @param qos     the granted QoS
     */
    public void subscribe(String filter, Session session, int qos) {
        Subscriber sub = new Subscriber(session, qos);
        if (!Topics.hasWildcard(filter)) {
            exact.compute(filter, (k, subs) -> with(subs == null ? NONE : subs, sub));
            return;
        }
        synchronized (trieLock) {
            Node n = root;
            for (String level : filter.split("/", -1)) {
                n = n.children.computeIfAbsent(level, l -> new Node());
            }
            int before = n.subs.length;
            n.subs = with(n.subs, sub);
            if (n.subs.length > before) {
                wildcardFilters.incrementAndGet();
            }
        }
    }

    /**
     * Removes {@code session}'s subscription to {@code filter}, if any.
     *
     * @param filter  the filter
     * @param session the subscriber
     */
    public void unsubscribe(String filter, Session session) {
        if (!Topics.hasWildcard(filter)) {
            exact.computeIfPresent(filter, (k, subs) -> {
                Subscriber[] left = without(subs, session);
                return left.length == 0 ? null : left;
            });
            return;
        }
        synchronized (trieLock) {
            String[] levels = filter.split("/", -1);
            Node[] path = new Node[levels.length + 1];
            path[0] = root;
            for (int i = 0; i < levels.length; i++) {
                path[i + 1] = path[i].children.get(levels[i]);
                if (path[i + 1] == null) {
                    return;
                }
            }
            Node n = path[levels.length];
            int before = n.subs.length;
            n.subs = without(n.subs, session);
            if (n.subs.length < before) {
                wildcardFilters.decrementAndGet();
            }
            for (int i = levels.length; i > 0 && path[i].subs.length == 0 && path[i].children.isEmpty(); i--) {
                path[i - 1].children.remove(levels[i - 1]); // prune empty branches
            }
        }
    }

    /**
     * Calls {@code action} once per session subscribed to {@code topic}, with the highest QoS it was
     * granted among its matching filters.
     *
     * @param topic  a topic name
     * @param action receives each session and its granted QoS
     */
    public void forEachMatch(String topic, ObjIntConsumer<Session> action) {
        Subscriber[] direct = exact.get(topic);
        if (wildcardFilters.get() == 0) {
            if (direct != null) {
                for (Subscriber s : direct) {
                    action.accept(s.session(), s.qos());
                }
            }
            return;
        }
        List<Subscriber[]> wild = new ArrayList<>(2);
        String[] levels = topic.split("/", -1);
        match(root, levels, 0, topic.startsWith("$"), wild);
        if (wild.isEmpty()) {
            if (direct != null) {
                for (Subscriber s : direct) {
                    action.accept(s.session(), s.qos());
                }
            }
            return;
        }
        Map<Session, Integer> merged = new HashMap<>();
        if (direct != null) {
            for (Subscriber s : direct) {
                merged.merge(s.session(), s.qos(), Math::max);
            }
        }
        for (Subscriber[] subs : wild) {
            for (Subscriber s : subs) {
                merged.merge(s.session(), s.qos(), Math::max);
            }
        }
        merged.forEach(action::accept);
    }

    private static void match(Node node, String[] levels, int i, boolean dollar, List<Subscriber[]> out) {
        boolean wildAllowed = !(i == 0 && dollar); // wildcards at the first level never match $ topics
        if (wildAllowed) {
            Node hash = node.children.get("#");
            if (hash != null && hash.subs.length > 0) {
                out.add(hash.subs);
            }
        }
        if (i == levels.length) {
            if (node.subs.length > 0) {
                out.add(node.subs);
            }
            return;
        }
        if (wildAllowed) {
            Node plus = node.children.get("+");
            if (plus != null) {
                match(plus, levels, i + 1, dollar, out);
            }
        }
        Node child = node.children.get(levels[i]);
        if (child != null) {
            match(child, levels, i + 1, dollar, out);
        }
    }

    /** @return the number of distinct topics with exact subscriptions */
    public int exactTopics() {
        return exact.size();
    }

    /** @return the number of wildcard subscriptions */
    public int wildcardSubscriptions() {
        return wildcardFilters.get();
    }

    private static Subscriber[] with(Subscriber[] subs, Subscriber sub) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i].session() == sub.session()) {
                Subscriber[] copy = subs.clone();
                copy[i] = sub;
                return copy;
            }
        }
        Subscriber[] copy = Arrays.copyOf(subs, subs.length + 1);
        copy[subs.length] = sub;
        return copy;
    }

    private static Subscriber[] without(Subscriber[] subs, Session session) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i].session() == session) {
                Subscriber[] copy = new Subscriber[subs.length - 1];
                System.arraycopy(subs, 0, copy, 0, i);
                System.arraycopy(subs, i + 1, copy, i, subs.length - i - 1);
                return copy;
            }
        }
        return subs;
    }

    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        volatile Subscriber[] subs = NONE;
    }
}
