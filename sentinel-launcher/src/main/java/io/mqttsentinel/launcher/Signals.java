package io.mqttsentinel.launcher;

import java.util.List;

/**
 * SIGTERM and SIGINT as a request to stop: the JVM's default ends the process with 128 + the signal (143, 130)
 * even after a clean stop, which tells an orchestrator that the process failed. With a handler the stop runs
 * on its own thread and the command returns 0 when it is done.
 */
@SuppressWarnings("removal")
final class Signals {
    private Signals() {
    }

    /**
     * @param stop run once per signal on a new thread (it must be idempotent)
     * @return {@code false} when this JVM does not let the process handle the signals (the default then applies)
     */
    static boolean onTermination(Runnable stop) {
        try {
            for (String name : List.of("TERM", "INT")) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    Thread t = new Thread(stop, "sentinel-signal-" + name);
                    t.start();
                });
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return false; // e.g. the signal is reserved by the JVM (-Xrs)
        }
    }
}
