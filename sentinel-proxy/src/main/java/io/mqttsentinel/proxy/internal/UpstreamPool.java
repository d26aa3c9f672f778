package io.mqttsentinel.proxy.internal;

import io.mqttsentinel.api.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The core broker nodes a proxy forwards to, and which of them are healthy. Thread-safe, lock-free.
 *
 * <p><b>Spreading: by client id (rendezvous hashing), with fallback.</b> Each client id ranks every node by a
 * hash of (client id, node); a device goes to the highest-ranked healthy node. A device that reconnects
 * therefore lands on the node that already owns its persistent session (a session that changes node costs a
 * claim in the log and a wait for the tail, see docs/cluster.md), and when a node is down only its own devices
 * move, each to its next-ranked node; they come back at their next reconnect after the node recovers. Round
 * robin would spread as evenly but would move every session at every reconnect.
 *
 * <p><b>Health.</b> A node is down after a failed connect or a CONNACK that never came, and after a dropped
 * upstream connection when a probe (a plain TCP connect) fails too: one closed connection alone is no proof,
 * the broker closes connections for takeovers. A down node is skipped for {@code retryAfter}, then tried again
 * by the next device that ranks it first (a failed try keeps it down and the device falls over to the next
 * node). When every node is down, all are tried in rank order: the proxy never refuses without trying.
 */
public final class UpstreamPool {
    private final List<InetSocketAddress> nodes;
    private final long[] seeds;
    private final long retryNanos;
    private final Ticker ticker;
    /** Per node: the ticker value until which it is down; {@code Long.MIN_VALUE} = healthy. */
    private final AtomicLongArray downUntil;
    private final AtomicIntegerArray probing;
    private final io.netty.handler.ssl.SslContext tls;

    /**
     * @param nodes      the core broker nodes (at least one; unresolved addresses are resolved at each connect)
     * @param retryAfter how long a failed node is skipped
     * @param ticker     the ticker of the retry delay (in production {@link Ticker#system()})
     */
    public UpstreamPool(List<InetSocketAddress> nodes, Duration retryAfter, Ticker ticker) {
        this(nodes, retryAfter, ticker, null);
    }

    /**
     * @param nodes      the core broker nodes (at least one; unresolved addresses are resolved at each connect)
     * @param retryAfter how long a failed node is skipped
     * @param ticker     the ticker of the retry delay (in production {@link Ticker#system()})
     * @param tls        the client TLS of connections to every node (mutual TLS with the core), or {@code null}
     *                   for plain MQTT
     */
    public UpstreamPool(List<InetSocketAddress> nodes, Duration retryAfter, Ticker ticker,
                        io.netty.handler.ssl.SslContext tls) {
        this.tls = tls;
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one upstream node is needed");
        }
        this.nodes = List.copyOf(nodes);
        this.retryNanos = retryAfter.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.seeds = new long[this.nodes.size()];
        for (int i = 0; i < seeds.length; i++) {
            InetSocketAddress n = this.nodes.get(i);
            seeds[i] = mix(n.getHostString().hashCode() * 65_537L + n.getPort());
        }
        this.downUntil = new AtomicLongArray(seeds.length);
        this.probing = new AtomicIntegerArray(seeds.length);
        for (int i = 0; i < seeds.length; i++) {
            downUntil.set(i, Long.MIN_VALUE);
        }
    }

    /** @return the client TLS of connections to the nodes, or {@code null} when they are plain MQTT */
    public io.netty.handler.ssl.SslContext tls() {
        return tls;
    }

    /** @return how long a failed node is skipped, in nanoseconds */
    public long retryNanos() {
        return retryNanos;
    }

    /** @return every node, in configuration order */
    public List<InetSocketAddress> nodes() {
        return nodes;
    }

    /**
     * @param clientId the device's client id
     * @return the nodes to try for it, best first: the healthy ones by rank, or every node by rank when none is
     *         healthy
     */
    public List<InetSocketAddress> candidates(String clientId) {
        long key = mix(clientId.hashCode());
        Integer[] order = new Integer[nodes.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        long[] score = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            score[i] = mix(key ^ seeds[i]);
        }
        java.util.Arrays.sort(order, Comparator.comparingLong((Integer i) -> score[i]).reversed());
        long now = ticker.nanoTime();
        List<InetSocketAddress> healthy = new ArrayList<>(order.length);
        List<InetSocketAddress> all = new ArrayList<>(order.length);
        for (int i : order) {
            all.add(nodes.get(i));
            if (isUp(i, now)) {
                healthy.add(nodes.get(i));
            }
        }
        return healthy.isEmpty() ? all : healthy;
    }

    /** @return how many nodes are healthy now */
    public int healthyCount() {
        long now = ticker.nanoTime();
        int n = 0;
        for (int i = 0; i < nodes.size(); i++) {
            n += isUp(i, now) ? 1 : 0;
        }
        return n;
    }

    /** @param node a node that could not be connected or did not answer the CONNECT in time */
    public void failed(InetSocketAddress node) {
        int i = nodes.indexOf(node);
        if (i >= 0) {
            downUntil.set(i, ticker.nanoTime() + retryNanos);
        }
    }

    /** @param node a node that accepted a CONNECT */
    public void succeeded(InetSocketAddress node) {
        int i = nodes.indexOf(node);
        if (i >= 0) {
            downUntil.set(i, Long.MIN_VALUE);
        }
    }

    /**
     * @param node a node whose upstream connection dropped
     * @return {@code true} when the caller should probe it now (no other probe of it is under way)
     */
    public boolean beginProbe(InetSocketAddress node) {
        int i = nodes.indexOf(node);
        return i >= 0 && probing.compareAndSet(i, 0, 1);
    }

    /**
     * @param node      the node probed after {@link #beginProbe}
     * @param reachable whether a TCP connection to it succeeded
     */
    public void probed(InetSocketAddress node, boolean reachable) {
        int i = nodes.indexOf(node);
        if (i >= 0) {
            if (!reachable) {
                failed(node);
            }
            probing.set(i, 0);
        }
    }

    private boolean isUp(int i, long now) {
        long until = downUntil.get(i);
        return until == Long.MIN_VALUE || now - until >= 0;
    }

    /** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53ec4d5L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (InetSocketAddress n : nodes) {
            s.append(s.length() == 0 ? "" : ",").append(n.getHostString()).append(':').append(n.getPort());
        }
        return s.toString();
    }
}
