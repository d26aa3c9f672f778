package io.mqttsentinel.broker.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.api.Topics;

/**
 * The last retained message per topic. An exact filter finds its message with one lookup; a wildcard
 * filter scans all retained messages (retained messages are few compared with per-device topics).
 *
 * <p>A retained PUBLISH changes the store when its state record is handed to the log, under the topic's
 * {@linkplain #lock(String) lock}, with the record's sequence: so a snapshot, which reads the store under
 * the same locks, always holds at least what the log's records before it hold, and the sequences tell
 * recovery which of two records of a topic is newer whatever their order in the log.
 */
public final class RetainedStore {
    private static final int STRIPES = 64;

    /**
     * A retained message and the sequence of its state record.
     *
     * @param message the message
     * @param seq     the sequence of its state record
     */
    public record Entry(BrokerMessage message, long seq) {
    }

    private final ConcurrentHashMap<String, Entry> messages = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];
    private final Map<String, Long> recovered = new HashMap<>(); // recovery only: newest sequence applied per topic

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

    /**
     * Keeps {@code message} as the retained message of its topic, or clears the topic when its payload is
     * empty (MQTT 3.1.1, 3.3.1.3). Call with the topic's lock held, right after handing its record to the log.
     *
     * @param message a message published with RETAIN set
     * @param seq     the sequence of its state record
     * @return the entry it replaced, or {@code null}
     */
    public Entry put(BrokerMessage message, long seq) {
        if (message.payload().length == 0) {
            return messages.remove(message.topic());
        }
        return messages.put(message.topic(), new Entry(message, seq));
    }

    /**
     * Undoes a {@link #put} whose record the log refused, unless a newer value came since.
     *
     * @param topic    the topic
     * @param seq      the sequence of the refused record
     * @param previous what the put replaced, or {@code null}
     */
    public void revert(String topic, long seq, Entry previous) {
        synchronized (lock(topic)) {
            Entry now = messages.get(topic);
            if (now != null && now.seq() == seq) {
                if (previous == null) {
                    messages.remove(topic);
                } else {
                    messages.put(topic, previous);
                }
            }
        }
    }

    /**
     * Applies a retained record read back by recovery, unless a newer record of the topic was applied.
     *
     * @param state the decoded record
     */
    void recover(StateRecords.RetainedState state) {
        Long seen = recovered.get(state.topic());
        if (seen != null && seen >= state.seq()) {
            return;
        }
        recovered.put(state.topic(), state.seq());
        put(new BrokerMessage(state.topic(), state.payload(), state.qos(), null, 0), state.seq());
    }

    /** Ends recovery: forgets the sequences it needed. */
    void recovered() {
        recovered.clear();
    }

    /**
     * @param topic a topic
     * @return its current entry, or {@code null}
     */
    public Entry get(String topic) {
        return messages.get(topic);
    }

    /** @return a copy of every entry */
    public List<Entry> all() {
        return new ArrayList<>(messages.values());
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
