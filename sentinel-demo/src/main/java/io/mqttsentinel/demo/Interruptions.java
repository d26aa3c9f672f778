package io.mqttsentinel.demo;

import io.mqttsentinel.api.Ticker;

/**
 * What the cluster demo's devices saw of a failover: per device, when its connection was lost and when it was
 * connected again (CONNACK through its proxy to another node, its session resumed), and the longest such gap any
 * device saw. A device lost again before it resumed keeps its first loss. Thread-safe.
 */
final class Interruptions {
    private final Ticker ticker;
    private final long[] lostAt;
    private int interrupted;
    private int resumed;
    private long longestNanos;

    /**
     * @param devices the fleet's size
     * @param ticker  the time source
     */
    Interruptions(int devices, Ticker ticker) {
        this.ticker = ticker;
        this.lostAt = new long[devices];
    }

    /** @param device a device whose connection closed while it was up */
    synchronized void lost(int device) {
        if (lostAt[device] == 0) {
            lostAt[device] = Math.max(1, ticker.nanoTime());
            interrupted++;
        }
    }

    /** @param device a device connected again after {@link #lost} */
    synchronized void resumed(int device) {
        long at = lostAt[device];
        if (at != 0) {
            lostAt[device] = 0;
            resumed++;
            longestNanos = Math.max(longestNanos, ticker.nanoTime() - at);
        }
    }

    /** @return interruptions so far (a device lost twice counts twice) */
    synchronized int interrupted() {
        return interrupted;
    }

    /** @return interruptions that ended with the device connected again */
    synchronized int resumed() {
        return resumed;
    }

    /** @return devices lost and not connected again now */
    synchronized int down() {
        return interrupted - resumed;
    }

    /**
     * @return the longest interruption a device saw, in nanoseconds: of those that ended, and of those still under
     *         way (counted up to now)
     */
    synchronized long longestNanos() {
        long now = ticker.nanoTime();
        long longest = longestNanos;
        for (long at : lostAt) {
            if (at != 0) {
                longest = Math.max(longest, now - at);
            }
        }
        return longest;
    }
}
