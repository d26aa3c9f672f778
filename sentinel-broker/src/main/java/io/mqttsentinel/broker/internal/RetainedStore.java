package io.mqttsentinel.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.mqtt.Topics;

/**
 * The last retained message per topic. An exact filter finds its message with one lookup; a wildcard
 * filter scans all retained messages (retained messages are few compared with per-device topics).
 */
public final class RetainedStore {
    private final ConcurrentHashMap<String, BrokerMessage> messages = new ConcurrentHashMap<>();

    /**
     * Keeps {@code message} as the retained message of its topic, or clears the topic when its payload is
     * empty (MQTT 3.1.1, 3.3.1.3).
     *
     * @param message a message published with RETAIN set
     */
    public void update(BrokerMessage message) {
        if (message.payload().length == 0) {
            messages.remove(message.topic());
        } else {
            messages.put(message.topic(), message);
        }
    }

    /**
     * @param filter a valid filter
     * @return the retained messages whose topics match it
     */
    public List<BrokerMessage> matching(String filter) {
        if (!Topics.hasWildcard(filter)) {
            BrokerMessage m = messages.get(filter);
            return m == null ? List.of() : List.of(m);
        }
        List<BrokerMessage> out = new ArrayList<>();
        for (BrokerMessage m : messages.values()) {
            if (Topics.matches(filter, m.topic())) {
                out.add(m);
            }
        }
        return out;
    }

    /** @return the number of retained messages */
    public int size() {
        return messages.size();
    }
}
