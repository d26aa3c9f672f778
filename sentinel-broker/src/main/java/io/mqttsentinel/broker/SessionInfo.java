package io.mqttsentinel.broker;

import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of one session of the broker, for operators ({@link BrokerAdmin#sessions}).
 *
 * @param clientId      the client id
 * @param connected     {@code true} while a connection owns the session
 * @param persistent    {@code true} for clean session = 0 (kept while offline)
 * @param remoteAddress the connection's peer (behind the proxy: the proxy), or {@code ""} while offline
 * @param subscriptions topic filter to granted QoS
 * @param inflight      QoS 1 messages sent and not yet acknowledged
 * @param queued        messages waiting in memory behind the in-flight window
 * @param behind        {@code true} while the session has a backlog in the log to catch up with
 */
public record SessionInfo(String clientId, boolean connected, boolean persistent, String remoteAddress,
                          Map<String, Integer> subscriptions, int inflight, int queued, boolean behind) {

    /**
     * @param clientId      the client id
     * @param connected     whether connected
     * @param persistent    whether persistent
     * @param remoteAddress the peer or {@code ""}
     * @param subscriptions the subscriptions (copied)
     * @param inflight      in-flight messages
     * @param queued        queued messages
     * @param behind        whether behind
     */
    public SessionInfo {
        Objects.requireNonNull(clientId, "clientId");
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
        subscriptions = Map.copyOf(Objects.requireNonNull(subscriptions, "subscriptions"));
    }
}
