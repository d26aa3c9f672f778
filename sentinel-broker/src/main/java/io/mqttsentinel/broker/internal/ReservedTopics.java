package io.mqttsentinel.broker.internal;

/**
 * Topic prefixes the broker keeps for itself in the message log. Devices may not publish to them and the
 * router never delivers them.
 */
public final class ReservedTopics {
    /** The client id recorded for the broker's own records and messages. */
    public static final String BROKER_CLIENT_ID = "$sentinel-broker";
    /** Prefix of the broker's own records (its state, see {@link StateRecords}). */
    public static final String STATE = "$sentinel/";
    /** Prefix of quarantined messages kept in the main log when no quarantine log is configured. */
    public static final String QUARANTINE = "$quarantine/";

    private ReservedTopics() {
    }

    /**
     * @param topic a topic name
     * @return {@code true} when the topic belongs to the broker and is never routed
     */
    public static boolean isReserved(String topic) {
        return topic.startsWith(STATE) || topic.startsWith(QUARANTINE);
    }
}
