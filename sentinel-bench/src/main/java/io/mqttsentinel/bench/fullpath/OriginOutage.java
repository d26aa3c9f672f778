package io.mqttsentinel.bench.fullpath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.mqttsentinel.testkit.MosquittoProcess;

/**
 * Takes the origin away during a run: at a given time it stops the origin Mosquitto (SIGTERM, so that it saves what
 * it acknowledged and has not delivered yet), checks that its WebSocket port refuses connections, waits, starts it
 * again on the same ports with that state, notes the backlog in the {@link DeliveryTracker} and then waits for the
 * bridge to be connected to the origin again. Runs on its own thread; every wait is bounded.
 */
final class OriginOutage implements AutoCloseable {
    private static final long BRIDGE_RECONNECT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final MosquittoProcess origin;
    private final DeliveryTracker tracker;
    private final BooleanSupplier bridgeConnected;
    private final long atNanos;
    private final long forNanos;
    private final Thread thread;
    private volatile long downNanos;
    private volatile long backNanos;
    private volatile long bridgeBackNanos;
    private volatile long backlogAtBack;
    private volatile boolean saved;
    private volatile boolean refused;
    private volatile Throwable failure;

    private OriginOutage(MosquittoProcess origin, DeliveryTracker tracker, BooleanSupplier bridgeConnected, long atNanos,
                         long forNanos) {
        this.origin = origin;
        this.tracker = tracker;
        this.bridgeConnected = bridgeConnected;
        this.atNanos = atNanos;
        this.forNanos = forNanos;
        this.thread = new Thread(this::run, "origin-outage");
        thread.setDaemon(true);
    }

    /**
     * @param origin          the origin to stop and start
     * @param tracker         told when the outage begins and ends, and of the backlog when the origin is back
     * @param bridgeConnected whether the bridge is connected to the origin
     * @param atNanos         when to stop it ({@link System#nanoTime()})
     * @param forSeconds      how long it stays down
     * @return the running schedule
     */
    static OriginOutage schedule(MosquittoProcess origin, DeliveryTracker tracker, BooleanSupplier bridgeConnected,
                                 long atNanos, int forSeconds) {
        OriginOutage o = new OriginOutage(origin, tracker, bridgeConnected, atNanos, TimeUnit.SECONDS.toNanos(forSeconds));
        o.thread.start();
        return o;
    }

    private void run() {
        try {
            if (!parkUntil(atNanos)) {
                return;
            }
            tracker.outageBegins();
            saved = origin.stop();
            downNanos = System.nanoTime();
            refused = !accepts(origin.webSocketPort());
            if (!parkUntil(downNanos + forNanos)) {
                return;
            }
            origin.restart();
            backNanos = System.nanoTime();
            tracker.outageEnds();
            backlogAtBack = tracker.markBacklog();
            long limit = backNanos + BRIDGE_RECONNECT_LIMIT_NANOS;
            while (!bridgeConnected.getAsBoolean() && System.nanoTime() < limit && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            if (bridgeConnected.getAsBoolean()) {
                bridgeBackNanos = System.nanoTime();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private static boolean parkUntil(long nanos) {
        for (long wait = nanos - System.nanoTime(); wait > 0; wait = nanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return true;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return {@code true} once the origin listens again, or the restart failed */
    boolean over() {
        return backNanos != 0 || failure != null;
    }

    /** @return why the origin could not be started again, or {@code null} */
    Throwable failure() {
        return failure;
    }

    /** @return when the origin was down ({@link System#nanoTime()}), 0 before */
    long downNanos() {
        return downNanos;
    }

    /** @return when the origin listened again ({@link System#nanoTime()}), 0 before */
    long backNanos() {
        return backNanos;
    }

    /** @return when the bridge was connected to the origin again ({@link System#nanoTime()}), 0 before */
    long bridgeBackNanos() {
        return bridgeBackNanos;
    }

    /** @return acknowledged messages not delivered when the origin came back */
    long backlogAtBack() {
        return backlogAtBack;
    }

    /** @return {@code true} when Mosquitto exited on SIGTERM (it saved its state), not killed */
    boolean saved() {
        return saved;
    }

    /** @return {@code true} when the origin's WebSocket port refused a connection while it was down */
    boolean refused() {
        return refused;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
