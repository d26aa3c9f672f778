package io.mqttsentinel.demo;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An attacker that writes raw bytes over blocking sockets, paced to a rate on threads of its own (a blocking TLS
 * handshake must not hold the demo's scheduler): each thread makes every {@code threads / rate} seconds one
 * {@link #attempt()}, skipping what it fell behind by rather than catching up in a burst.
 */
abstract class SocketAttacker extends Attacker {
    private final int perSecond;
    private final int threads;
    private final List<Thread> running = new ArrayList<>();

    /**
     * @param kind      the kind
     * @param clientId  a name for its threads and client ids
     * @param source    its source address
     * @param perSecond attempts per second, all threads together
     * @param threads   threads
     */
    SocketAttacker(AttackKind kind, String clientId, InetAddress source, int perSecond, int threads) {
        super(kind, clientId, source);
        this.perSecond = perSecond;
        this.threads = threads;
    }

    /** One connection: count it with {@link #attempted()}, and {@link #gotThrough()} when the proxy let it in. */
    abstract void attempt();

    @Override
    final void start(ScheduledExecutorService scheduler) {
        long period = TimeUnit.SECONDS.toNanos(1) * threads / perSecond;
        for (int i = 0; i < threads; i++) {
            long offset = period * i / threads;
            Thread t = new Thread(() -> run(period, offset), "demo-" + clientId() + "-" + i);
            t.setDaemon(true);
            running.add(t);
            t.start();
        }
    }

    private void run(long period, long offset) {
        long next = System.nanoTime() + offset;
        while (!stopping()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            attempt();
            next = Math.max(next + period, System.nanoTime() - period);
        }
    }

    @Override
    final void awaitStopped(long deadline) {
        for (Thread t : running) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                t.join(Math.max(1, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
