package io.mqttsentinel.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.mqtt.Topics;

/**
 * The last retained message per topic. An exact filter finds its message with one lookup; a wildcard
 * filter scans all retained messages (retained messages are few compared with per-device topics).
 *
 * <p>Each message remembers when its {@code $sentinel/retained/} record was last written, so that the
 * daily refresh can write it again before retention removes it. A refresh must never write an older
 * value after a newer one: writers of a topic's record hold {@link #lock(String)} while they call the
 * log, and a refresh skips a topic whose live write is still {@linkplain #beginWrite pending}.
 */
public final class RetainedStore {
    private static final int STRIPES = 64;

    /**
     * A retained message and when its record was written.
     *
     * @param message         the message
     * @param writtenAtMillis when its retained record was appended (epoch ms)
     */
    public record Entry(BrokerMessage message, long writtenAtMillis) {
    }

    private final ConcurrentHashMap<String, Entry> messages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> pending = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];

    /** Creates an empty store. */
    public RetainedStore() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * @param topic a topic
     * @return the lock held while a record of the topic's retained state is handed to the log
     */
    public Object lock(String topic) {
        return stripes[(topic.hashCode() & 0x7fffffff) % STRIPES];
    }

    /** @param topic a topic whose retained record is being appended by a live PUBLISH (hold its lock) */
    public void beginWrite(String topic) {
        pending.merge(topic, 1, Integer::sum);
    }

    /** @param topic a topic whose live retained write completed or failed */
    public void endWrite(String topic) {
        pending.computeIfPresent(topic, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * @param topic a topic
     * @return {@code true} while a live retained write of the topic is outstanding
     */
    public boolean writePending(String topic) {
        return pending.containsKey(topic);
    }

    /**
     * Keeps {@code message} as the retained message of its topic, or clears the topic when its payload is
     * empty (MQTT 3.1.1, 3.3.1.3).
     *
     * @param message         a message published with RETAIN set
     * @param writtenAtMillis when its retained record was written
     */
    public void update(BrokerMessage message, long writtenAtMillis) {
        if (message.payload().length == 0) {
            messages.remove(message.topic());
        } else {
            messages.put(message.topic(), new Entry(message, writtenAtMillis));
        }
    }

    /**
     * Records that the retained record of {@code entry} was written again, if it is still current.
     *
     * @param entry           the entry that was refreshed
     * @param writtenAtMillis when
     */
    public void refreshed(Entry entry, long writtenAtMillis) {
        messages.replace(entry.message().topic(), entry, new Entry(entry.message(), writtenAtMillis));
    }

    /**
     * @param topic a topic
     * @return its current entry, or {@code null}
     */
    public Entry get(String topic) {
        return messages.get(topic);
    }

    /**
     * @param cutoffMillis a time
     * @return the entries whose record was written before it
     */
    public List<Entry> writtenBefore(long cutoffMillis) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : messages.values()) {
            if (e.writtenAtMillis() < cutoffMillis) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * @param filter a valid filter
     * @return the retained messages whose topics match it
     */
    public List<BrokerMessage> matching(String filter) {
        if (!Topics.hasWildcard(filter)) {
            Entry e = messages.get(filter);
            return e == null ? List.of() : List.of(e.message());
        }
        List<BrokerMessage> out = new ArrayList<>();
        for (Entry e : messages.values()) {
            if (Topics.matches(filter, e.message().topic())) {
                out.add(e.message());
            }
        }
        return out;
    }

    /** @return the number of retained messages */
    public int size() {
        return messages.size();
    }
}
