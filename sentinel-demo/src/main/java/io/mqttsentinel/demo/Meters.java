package io.mqttsentinel.demo;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads counters and timers from the node's own registry, the one {@code /metrics} serves, by their Micrometer names
 * (dotted, as the proxy and the inspector register them, or already in Prometheus form, as the broker and the
 * bridge do). A meter that is not registered counts 0.
 */
final class Meters {
    private final MeterRegistry registry;

    /** @param registry the node's registry */
    Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param name a counter's Micrometer name
     * @param tags tag key and value pairs the counters must carry
     * @return the sum of the matching counters
     */
    long count(String name, String... tags) {
        Search search = registry.find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        double sum = 0;
        for (Meter m : search.meters()) {
            sum += valueOf(m);
        }
        return Math.round(sum);
    }

    /**
     * @param name a timer's Micrometer name
     * @return the timer, or {@code null} when none is registered
     */
    Timer timer(String name) {
        return registry.find(name).timer();
    }

    /**
     * @param name   a counter's Micrometer name
     * @param tagKey the tag to break the count down by
     * @return tag value to count, sorted by value, without zeros
     */
    Map<String, Long> byTag(String name, String tagKey) {
        Map<String, Long> out = new TreeMap<>();
        for (Meter m : registry.find(name).meters()) {
            String value = m.getId().getTag(tagKey);
            long n = Math.round(valueOf(m));
            if (value != null && n > 0) {
                out.merge(value, n, Long::sum);
            }
        }
        return out;
    }

    /**
     * @param name a counter's Micrometer name
     * @return the name {@code /metrics} shows for it, e.g. {@code mqtt_proxy_acl_denied_total}
     */
    static String prometheusName(String name) {
        String n = name.replace('.', '_');
        return n.endsWith("_total") ? n : n + "_total";
    }

    private static double valueOf(Meter m) {
        if (m instanceof Counter) {
            return ((Counter) m).count();
        }
        if (m instanceof FunctionCounter) {
            return ((FunctionCounter) m).count();
        }
        return 0;
    }
}
