package io.mqttsentinel.broker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.mqttsentinel.mqtt.MqttLimits;

/**
 * Immutable network and queueing settings of a {@link SentinelBroker}. Every value is validated when the
 * config is made; a message names the parameter, the value and the allowed range.
 *
 * <table>
 *   <caption>Settings, their environment keys, defaults and ranges</caption>
 *   <tr><th>parameter</th><th>environment key</th><th>default</th><th>range</th></tr>
 *   <tr><td>port</td><td>{@code SENTINEL_BROKER_PORT}</td><td>1884</td><td>0 (ephemeral) to 65535</td></tr>
 *   <tr><td>bindAddress</td><td>{@code SENTINEL_BROKER_BIND}</td><td>127.0.0.1</td><td>a host name or IP literal</td></tr>
 *   <tr><td>limits.maxPacketSize</td><td>{@code SENTINEL_BROKER_MAX_PACKET}</td><td>262144</td><td>1 to 268435455 bytes</td></tr>
 *   <tr><td>limits.maxClientIdLength</td><td>{@code SENTINEL_BROKER_MAX_CLIENT_ID}</td><td>256</td><td>23 to 65535 bytes</td></tr>
 *   <tr><td>limits.connectTimeout</td><td>{@code SENTINEL_BROKER_CONNECT_TIMEOUT_MS}</td><td>10000</td><td>1 to 600000 ms</td></tr>
 *   <tr><td>maxQueuedPerSession</td><td>{@code SENTINEL_BROKER_MAX_QUEUED}</td><td>1000</td><td>1 to 1000000 messages</td></tr>
 *   <tr><td>maxInflightPerSession</td><td>{@code SENTINEL_BROKER_MAX_INFLIGHT}</td><td>32</td><td>1 to 65535 messages</td></tr>
 *   <tr><td>ioThreads</td><td>{@code SENTINEL_BROKER_IO_THREADS}</td><td>0 (Netty's default, 2 x cores)</td><td>0 to 1024</td></tr>
 *   <tr><td>checkpointInterval</td><td>{@code SENTINEL_BROKER_CHECKPOINT_MS}</td><td>1000</td><td>10 to 3600000 ms</td></tr>
 *   <tr><td>maxInflightByClient</td><td>{@code SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT}</td><td>none</td><td>{@code id=n[,id=n...]}, n 1 to 65535</td></tr>
 *   <tr><td>catchUpThreads</td><td>{@code SENTINEL_BROKER_CATCHUP_THREADS}</td><td>2</td><td>1 to 64</td></tr>
 *   <tr><td>snapshotInterval</td><td>{@code SENTINEL_BROKER_SNAPSHOT_MS}</td><td>3600000</td><td>1000 to 86400000 ms</td></tr>
 *   <tr><td>snapshotRecords</td><td>{@code SENTINEL_BROKER_SNAPSHOT_RECORDS}</td><td>1000000</td><td>1000 to 1000000000</td></tr>
 *   <tr><td>nodeId</td><td>{@code SENTINEL_BROKER_NODE_ID}</td><td>none (one broker)</td><td>1 to 64 of {@code [A-Za-z0-9._-]}</td></tr>
 * </table>
 *
 * @param port                  the TCP port, 0 for an ephemeral one
 * @param bindAddress           the address to listen on
 * @param limits                the strict validator's limits (packet size, client id length, CONNECT timeout)
 * @param maxQueuedPerSession   most messages held in memory per session beyond its in-flight window; past it
 *                              QoS 1 messages stay in the log only and the session catches up from there
 *                              (QoS 0 messages are dropped and counted)
 * @param maxInflightPerSession most unacknowledged QoS 1 messages sent to one subscriber at a time
 * @param ioThreads             Netty worker threads, 0 for Netty's default
 * @param checkpointInterval    how often the delivery progress of persistent sessions is written to the log
 * @param maxInflightByClient   client id to its own in-flight window (e.g. a bridge, which needs a window
 *                              sized for throughput); others get {@code maxInflightPerSession}
 * @param catchUpThreads        how many sessions read their backlog from the log at once
 * @param snapshotInterval      longest time between two snapshots of the broker's state
 * @param snapshotRecords       a snapshot is also taken once the state partition grew by this many records
 * @param nodeId                this broker's name among several sharing one log (Kafka), or {@code ""} for a
 *                              single broker; see {@code docs/cluster.md}
 */
public record BrokerConfig(int port, String bindAddress, MqttLimits limits, int maxQueuedPerSession,
                           int maxInflightPerSession, int ioThreads, Duration checkpointInterval,
                           Map<String, Integer> maxInflightByClient, int catchUpThreads, Duration snapshotInterval,
                           long snapshotRecords, String nodeId) {

    /** Environment key of {@link #port()}. */
    public static final String ENV_PORT = "SENTINEL_BROKER_PORT";
    /** Environment key of {@link #bindAddress()}. */
    public static final String ENV_BIND = "SENTINEL_BROKER_BIND";
    /** Environment key of the largest packet ({@link MqttLimits#maxPacketSize()}). */
    public static final String ENV_MAX_PACKET = "SENTINEL_BROKER_MAX_PACKET";
    /** Environment key of the longest client id ({@link MqttLimits#maxClientIdLength()}). */
    public static final String ENV_MAX_CLIENT_ID = "SENTINEL_BROKER_MAX_CLIENT_ID";
    /** Environment key of the CONNECT timeout in milliseconds ({@link MqttLimits#connectTimeout()}). */
    public static final String ENV_CONNECT_TIMEOUT_MS = "SENTINEL_BROKER_CONNECT_TIMEOUT_MS";
    /** Environment key of {@link #maxQueuedPerSession()}. */
    public static final String ENV_MAX_QUEUED = "SENTINEL_BROKER_MAX_QUEUED";
    /** Environment key of {@link #maxInflightPerSession()}. */
    public static final String ENV_MAX_INFLIGHT = "SENTINEL_BROKER_MAX_INFLIGHT";
    /** Environment key of {@link #ioThreads()}. */
    public static final String ENV_IO_THREADS = "SENTINEL_BROKER_IO_THREADS";
    /** Environment key of {@link #checkpointInterval()} in milliseconds. */
    public static final String ENV_CHECKPOINT_MS = "SENTINEL_BROKER_CHECKPOINT_MS";
    /** Environment key of {@link #maxInflightByClient()}: {@code id=n[,id=n...]}. */
    public static final String ENV_MAX_INFLIGHT_BY_CLIENT = "SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT";
    /** Environment key of {@link #catchUpThreads()}. */
    public static final String ENV_CATCHUP_THREADS = "SENTINEL_BROKER_CATCHUP_THREADS";
    /** Environment key of {@link #snapshotInterval()} in milliseconds. */
    public static final String ENV_SNAPSHOT_MS = "SENTINEL_BROKER_SNAPSHOT_MS";
    /** Environment key of {@link #snapshotRecords()}. */
    public static final String ENV_SNAPSHOT_RECORDS = "SENTINEL_BROKER_SNAPSHOT_RECORDS";
    /** Environment key of {@link #nodeId()}. */
    public static final String ENV_NODE_ID = "SENTINEL_BROKER_NODE_ID";
    /** Environment key (read by the launcher, see {@code SentinelBroker.Builder#tls}): the broker's certificate chain, PEM. */
    public static final String ENV_TLS_CERT = "SENTINEL_BROKER_TLS_CERT";
    /** Environment key (read by the launcher): the broker's private key, PKCS#8 PEM. */
    public static final String ENV_TLS_KEY = "SENTINEL_BROKER_TLS_KEY";
    /** Environment key (read by the launcher): the CA whose certificates clients (proxies, bridges) must present. */
    public static final String ENV_CLIENT_CA = "SENTINEL_BROKER_CLIENT_CA";
    /** Environment key (read by the launcher): {@code true} allows a plain, unauthenticated listener. */
    public static final String ENV_INSECURE_PLAIN = "SENTINEL_BROKER_INSECURE_PLAIN";

    /** The default port of the core broker. */
    public static final int DEFAULT_PORT = 1884;

    /**
     * @param port                  the port
     * @param bindAddress           the bind address
     * @param limits                the validator's limits
     * @param maxQueuedPerSession   the queue bound per session
     * @param maxInflightPerSession the in-flight window per subscriber
     * @param ioThreads             the worker threads
     * @param checkpointInterval    the progress checkpoint interval
     * @param maxInflightByClient   in-flight windows of particular client ids
     * @param catchUpThreads        concurrent catch-up readers
     * @param snapshotInterval      longest time between snapshots
     * @param snapshotRecords       state partition growth that triggers a snapshot
     * @param nodeId                the node's name in a cluster, or {@code ""}
     */
    public BrokerConfig {
        checkRange("port", port, 0, 65_535);
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must be a host name or IP literal, was '" + bindAddress + "'");
        }
        Objects.requireNonNull(limits, "limits");
        checkRange("maxQueuedPerSession", maxQueuedPerSession, 1, 1_000_000);
        checkRange("maxInflightPerSession", maxInflightPerSession, 1, 65_535);
        checkRange("ioThreads", ioThreads, 0, 1024);
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (checkpointInterval.toMillis() < 10 || checkpointInterval.toMillis() > 3_600_000) {
            throw new IllegalArgumentException("checkpointInterval must be between 10 ms and 3600000 ms, was "
                    + checkpointInterval.toMillis() + " ms");
        }
        Objects.requireNonNull(maxInflightByClient, "maxInflightByClient");
        maxInflightByClient.forEach((id, n) -> {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("maxInflightByClient keys must be client ids, was '" + id + "'");
            }
            checkRange("maxInflightByClient[" + id + "]", n, 1, 65_535);
        });
        maxInflightByClient = Map.copyOf(maxInflightByClient);
        checkRange("catchUpThreads", catchUpThreads, 1, 64);
        Objects.requireNonNull(snapshotInterval, "snapshotInterval");
        checkRange("snapshotInterval (ms)", snapshotInterval.toMillis(), 1000, 86_400_000);
        checkRange("snapshotRecords", snapshotRecords, 1000, 1_000_000_000);
        Objects.requireNonNull(nodeId, "nodeId");
        if (!nodeId.isEmpty() && !nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("nodeId must be 1 to 64 characters of [A-Za-z0-9._-], was '" + nodeId + "'");
        }
    }

    /** @return {@code true} when this broker is one node of several sharing one log */
    public boolean clustered() {
        return !nodeId.isEmpty();
    }

    /**
     * @param clientId a client id
     * @return its in-flight window: its own from {@link #maxInflightByClient()}, else {@link #maxInflightPerSession()}
     */
    public int maxInflightFor(String clientId) {
        return maxInflightByClient.getOrDefault(clientId, maxInflightPerSession);
    }

    /**
     * @return port 1884 on 127.0.0.1, the default validator limits, 1000 queued, 32 in flight, 1 s checkpoints,
     *         two catch-up threads, a snapshot at least every hour or every million state-partition records
     */
    public static BrokerConfig ofDefaults() {
        return new BrokerConfig(DEFAULT_PORT, "127.0.0.1", MqttLimits.ofDefaults(), 1000, 32, 0, Duration.ofSeconds(1),
                Map.of(), 2, Duration.ofHours(1), 1_000_000, "");
    }

    /**
     * Reads the settings from environment variables (keys in the class comment); a missing key keeps its
     * default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the config
     * @throws IllegalArgumentException naming the key, the value and the allowed range when a value is invalid
     */
    public static BrokerConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        BrokerConfig d = ofDefaults();
        MqttLimits l = d.limits();
        int port = intValue(env, ENV_PORT, d.port(), 0, 65_535);
        String bind = env.getOrDefault(ENV_BIND, d.bindAddress()).trim();
        if (bind.isEmpty()) {
            throw new IllegalArgumentException(ENV_BIND + " must be a host name or IP literal, was '" + env.get(ENV_BIND) + "'");
        }
        int maxPacket = intValue(env, ENV_MAX_PACKET, l.maxPacketSize(), 1, MqttLimits.MQTT_MAX_REMAINING_LENGTH);
        int maxClientId = intValue(env, ENV_MAX_CLIENT_ID, l.maxClientIdLength(), 23, 65_535);
        int connectMs = intValue(env, ENV_CONNECT_TIMEOUT_MS, (int) l.connectTimeout().toMillis(), 1, 600_000);
        int maxQueued = intValue(env, ENV_MAX_QUEUED, d.maxQueuedPerSession(), 1, 1_000_000);
        int maxInflight = intValue(env, ENV_MAX_INFLIGHT, d.maxInflightPerSession(), 1, 65_535);
        int ioThreads = intValue(env, ENV_IO_THREADS, d.ioThreads(), 0, 1024);
        int checkpointMs = intValue(env, ENV_CHECKPOINT_MS, (int) d.checkpointInterval().toMillis(), 10, 3_600_000);
        Map<String, Integer> byClient = inflightByClient(env.get(ENV_MAX_INFLIGHT_BY_CLIENT));
        int catchUp = intValue(env, ENV_CATCHUP_THREADS, d.catchUpThreads(), 1, 64);
        int snapshotMs = intValue(env, ENV_SNAPSHOT_MS, (int) d.snapshotInterval().toMillis(), 1000, 86_400_000);
        int snapshotRecords = intValue(env, ENV_SNAPSHOT_RECORDS, (int) d.snapshotRecords(), 1000, 1_000_000_000);
        String nodeId = env.getOrDefault(ENV_NODE_ID, "").trim();
        if (!nodeId.isEmpty() && !nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(ENV_NODE_ID + " must be 1 to 64 characters of [A-Za-z0-9._-], was '" + nodeId + "'");
        }
        MqttLimits limits = new MqttLimits(maxPacket, maxClientId, Duration.ofMillis(connectMs), l.keepAliveFactor());
        return new BrokerConfig(port, bind, limits, maxQueued, maxInflight, ioThreads, Duration.ofMillis(checkpointMs),
                byClient, catchUp, Duration.ofMillis(snapshotMs), snapshotRecords, nodeId);
    }

    /**
     * @param raw {@code id=n[,id=n...]}, or {@code null}/blank for none
     * @return client id to window
     * @throws IllegalArgumentException naming the key and the value when malformed or out of range
     */
    static Map<String, Integer> inflightByClient(String raw) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String part : raw.split(",")) {
            int eq = part.lastIndexOf('=');
            String id = eq < 0 ? "" : part.substring(0, eq).trim();
            String n = eq < 0 ? "" : part.substring(eq + 1).trim();
            long v;
            try {
                v = Long.parseLong(n);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (id.isEmpty() || v < 1 || v > 65_535) {
                throw new IllegalArgumentException(ENV_MAX_INFLIGHT_BY_CLIENT + " must be client-id=window pairs separated by "
                        + "commas, window between 1 and 65535, was '" + raw + "'");
            }
            out.put(id, (int) v);
        }
        return out;
    }

    private static int intValue(Map<String, String> env, String key, int dflt, int min, int max) {
        String raw = env.get(key);
        if (raw == null) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer between " + min + " and " + max
                    + ", was '" + raw + "'", e);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + raw.trim());
        }
        return (int) v;
    }

    static void checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
