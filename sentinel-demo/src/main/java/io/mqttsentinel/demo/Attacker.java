package io.mqttsentinel.demo;

import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * One kind of attacker, running from its own source address until {@link #stop()}. It counts its attempts and
 * what it saw get through (a CONNACK 0x00, a granted subscription, a message that reached the origin); whether
 * it was stopped, and by which layer, the report reads from the node's meters ({@link AttackKind}).
 *
 * <p>{@link #start} runs the attacker on the demo's scheduler or on threads of its own; {@link #stop()} ends it,
 * and {@link #awaitStopped} waits (bounded) for what it has under way, so that the counts are final when the
 * report reads them.
 */
abstract class Attacker {
    private final AttackKind kind;
    private final String clientId;
    private final InetAddress source;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder gotThrough = new LongAdder();
    private volatile boolean stopping;

    /**
     * @param kind     the kind
     * @param clientId the client id (and user name) it uses, or a prefix of the ones it makes up
     * @param source   its source address
     */
    Attacker(AttackKind kind, String clientId, InetAddress source) {
        this.kind = kind;
        this.clientId = clientId;
        this.source = source;
    }

    /** @return the kind */
    final AttackKind kind() {
        return kind;
    }

    /** @return the client id it connects with: the origin credits messages from it to this attacker */
    final String clientId() {
        return clientId;
    }

    /** @return its source address */
    final InetAddress source() {
        return source;
    }

    /** @return one line: what it sends */
    abstract String describe();

    /**
     * Starts attacking.
     *
     * @param scheduler the demo's scheduler, for attackers that need no thread of their own
     */
    abstract void start(ScheduledExecutorService scheduler);

    /** Stops attacking: nothing new is sent from now on; idempotent. */
    void stop() {
        stopping = true;
    }

    /**
     * Waits for what was under way at {@link #stop()} (acknowledgements, connections) and closes the attacker's
     * connections.
     *
     * @param deadline the latest {@link System#nanoTime()} to wait until
     */
    void awaitStopped(long deadline) {
    }

    /** @return whether {@link #stop()} was called */
    final boolean stopping() {
        return stopping;
    }

    /** Counts an attempt: a message, a connection or a subscription sent. */
    final void attempted() {
        attempts.increment();
    }

    /** Counts an attempt that got through. */
    final void gotThrough() {
        gotThrough.increment();
    }

    /** @return attempts so far */
    final long attempts() {
        return attempts.sum();
    }

    /** @return attempts that got through so far */
    final long gotThroughCount() {
        return gotThrough.sum();
    }
}
