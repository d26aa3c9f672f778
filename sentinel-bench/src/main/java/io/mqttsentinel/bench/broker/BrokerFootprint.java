package io.mqttsentinel.bench.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.internal.BrokerContext;
import io.mqttsentinel.broker.internal.BrokerMetrics;
import io.mqttsentinel.broker.internal.Session;
import io.mqttsentinel.broker.internal.SubscriptionIndex;

/**
 * Heap the broker holds per device for its routing state: a session (clean or persistent) subscribed to
 * its own {@code clients/{id}/alerts} topic in the subscription index. Connection buffers (Netty, about
 * the socket's) are not included. Measured as the used heap after a full GC, before and after.
 *
 * <pre>java -Xmx8g -cp ... io.mqttsentinel.bench.broker.BrokerFootprint devices=1000000</pre>
 */
public final class BrokerFootprint {
    private BrokerFootprint() {
    }

    /**
     * @param args {@code devices=} (1000000)
     * @throws InterruptedException when interrupted while waiting for GC
     */
    public static void main(String[] args) throws InterruptedException {
        int devices = 1_000_000;
        for (String a : args) {
            if (a.startsWith("devices=")) {
                devices = Integer.parseInt(a.substring(8));
            }
        }
        if (devices < 1 || devices > 10_000_000) {
            throw new IllegalArgumentException("devices 1..10000000");
        }
        BrokerContext context = new BrokerContext(BrokerConfig.ofDefaults(), new BrokerMetrics(new SimpleMeterRegistry()));
        for (boolean persistent : new boolean[] {false, true}) {
            long before = usedAfterGc();
            SubscriptionIndex index = new SubscriptionIndex();
            List<Session> sessions = new ArrayList<>(devices);
            for (int i = 0; i < devices; i++) {
                Session s = new Session("device-" + i, persistent, context);
                String topic = "clients/device-" + i + "/alerts";
                s.subscriptions().put(topic, 1);
                index.subscribe(topic, s, 1);
                sessions.add(s);
            }
            long after = usedAfterGc();
            System.out.printf(Locale.ROOT, "%s sessions: %d devices, %.0f bytes per device (%.1f MiB in all), index topics %d%n",
                    persistent ? "persistent" : "clean", devices, (after - before) / (double) devices,
                    (after - before) / 1048576.0, index.exactTopics());
            if (sessions.size() != devices) {
                throw new IllegalStateException();
            }
            sessions = null; // unreachable before the next measurement
            index = null;
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // let the collector settle; this is a measurement tool, not a test
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
