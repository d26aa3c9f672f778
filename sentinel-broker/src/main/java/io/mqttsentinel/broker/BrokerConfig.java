package io.mqttsentinel.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.mqttsentinel.config.InvalidSettingException;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import io.mqttsentinel.mqtt.MqttLimits;

/**
 * Immutable network, queueing, durability and listener-trust settings of a {@link SentinelBroker}. Every
 * value is validated when it is set (a message names the parameter, the allowed range and the value);
 * {@link #settings()} lists the {@code SENTINEL_BROKER_*} environment keys with their defaults and ranges and is
 * the only place they are written.
 *
 * <pre>{@code
 * BrokerConfig config = BrokerConfig.fromEnvironment(System.getenv());
 * BrokerConfig wider = config.toBuilder().maxInflightPerSession(64).build();
 * }</pre>
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
 * @param tlsCert               the broker's certificate chain (PEM) for mutual TLS, or {@code null} for a plain
 *                              listener; set together with {@code tlsKey} and {@code clientCa}
 * @param tlsKey                the private key (PKCS#8 PEM) of {@code tlsCert}, or {@code null}
 * @param clientCa              the CA whose certificates clients (proxies, bridges) must present, or {@code null}
 * @param insecurePlain         {@code true} when a plain, unauthenticated listener is intended (the launcher
 *                              refuses a broker without TLS otherwise); contradicts {@code tlsCert}
 */
public record BrokerConfig(int port, String bindAddress, MqttLimits limits, int maxQueuedPerSession,
                           int maxInflightPerSession, int ioThreads, Duration checkpointInterval,
                           Map<String, Integer> maxInflightByClient, int catchUpThreads, Duration snapshotInterval,
                           long snapshotRecords, String nodeId, Path tlsCert, Path tlsKey, Path clientCa,
                           boolean insecurePlain) {

    /** Environment key of {@link #port()}. */
    public static final String ENV_PORT = "SENTINEL_BROKER_PORT";
    /** Environment key of {@link #bindAddress()}. */
    public static final String ENV_BIND = "SENTINEL_BROKER_BIND";
    /** Environment key of the largest packet ({@link MqttLimits#maxPacketSize()}). */
    public static final String ENV_MAX_PACKET = "SENTINEL_BROKER_MAX_PACKET";
    /** Environment key of the longest client id ({@link MqttLimits#maxClientIdLength()}). */
    public static final String ENV_MAX_CLIENT_ID = "SENTINEL_BROKER_MAX_CLIENT_ID";
    /** Environment key of the CONNECT timeout ({@link MqttLimits#connectTimeout()}); a bare number is milliseconds. */
    public static final String ENV_CONNECT_TIMEOUT_MS = "SENTINEL_BROKER_CONNECT_TIMEOUT_MS";
    /** Environment key of {@link #maxQueuedPerSession()}. */
    public static final String ENV_MAX_QUEUED = "SENTINEL_BROKER_MAX_QUEUED";
    /** Environment key of {@link #maxInflightPerSession()}. */
    public static final String ENV_MAX_INFLIGHT = "SENTINEL_BROKER_MAX_INFLIGHT";
    /** Environment key of {@link #ioThreads()}. */
    public static final String ENV_IO_THREADS = "SENTINEL_BROKER_IO_THREADS";
    /** Environment key of {@link #checkpointInterval()}; a bare number is milliseconds. */
    public static final String ENV_CHECKPOINT_MS = "SENTINEL_BROKER_CHECKPOINT_MS";
    /** Environment key of {@link #maxInflightByClient()}: {@code id=n[,id=n...]}. */
    public static final String ENV_MAX_INFLIGHT_BY_CLIENT = "SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT";
    /** Environment key of {@link #catchUpThreads()}. */
    public static final String ENV_CATCHUP_THREADS = "SENTINEL_BROKER_CATCHUP_THREADS";
    /** Environment key of {@link #snapshotInterval()}; a bare number is milliseconds. */
    public static final String ENV_SNAPSHOT_MS = "SENTINEL_BROKER_SNAPSHOT_MS";
    /** Environment key of {@link #snapshotRecords()}. */
    public static final String ENV_SNAPSHOT_RECORDS = "SENTINEL_BROKER_SNAPSHOT_RECORDS";
    /** Environment key of {@link #nodeId()}. */
    public static final String ENV_NODE_ID = "SENTINEL_BROKER_NODE_ID";
    /** Environment key of {@link #tlsCert()}. */
    public static final String ENV_TLS_CERT = "SENTINEL_BROKER_TLS_CERT";
    /** Environment key of {@link #tlsKey()}. */
    public static final String ENV_TLS_KEY = "SENTINEL_BROKER_TLS_KEY";
    /** Environment key of {@link #clientCa()}. */
    public static final String ENV_CLIENT_CA = "SENTINEL_BROKER_CLIENT_CA";
    /** Environment key of {@link #insecurePlain()}. */
    public static final String ENV_INSECURE_PLAIN = "SENTINEL_BROKER_INSECURE_PLAIN";

    /** The default port of the core broker. */
    public static final int DEFAULT_PORT = 1884;

    private static final String DEFAULT_BIND = "127.0.0.1";
    private static final int MAX_PORT = 65_535;
    private static final int MIN_CLIENT_ID = 23;
    private static final int MAX_CLIENT_ID = 65_535;
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(1);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_QUEUED = 1_000_000;
    private static final int DEFAULT_MAX_QUEUED = 1000;
    private static final int MAX_INFLIGHT = 65_535;
    private static final int DEFAULT_MAX_INFLIGHT = 32;
    private static final int MAX_IO_THREADS = 1024;
    private static final Duration MIN_CHECKPOINT = Duration.ofMillis(10);
    private static final Duration MAX_CHECKPOINT = Duration.ofHours(1);
    private static final Duration DEFAULT_CHECKPOINT = Duration.ofSeconds(1);
    private static final int MAX_CATCHUP_THREADS = 64;
    private static final int DEFAULT_CATCHUP_THREADS = 2;
    private static final Duration MIN_SNAPSHOT = Duration.ofSeconds(1);
    private static final Duration MAX_SNAPSHOT = Duration.ofHours(24);
    private static final Duration DEFAULT_SNAPSHOT = Duration.ofHours(1);
    private static final long MIN_SNAPSHOT_RECORDS = 1000;
    private static final long MAX_SNAPSHOT_RECORDS = 1_000_000_000;
    private static final long DEFAULT_SNAPSHOT_RECORDS = 1_000_000;
    private static final String NODE_ID_PATTERN = "[A-Za-z0-9._-]{1,64}";
    private static final String NODE_ID_RANGE = "1 to 64 characters of [A-Za-z0-9._-]";
    private static final String WINDOWS_RANGE = "client-id=window pairs separated by commas, window 1 to " + MAX_INFLIGHT;
    private static final String PEM = "a readable PEM file";

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.integer(ENV_PORT, "port", 0, MAX_PORT, DEFAULT_PORT,
                    "MQTT listener of the core broker (0 = ephemeral)", Builder::port),
            Setting.text(ENV_BIND, "bindAddress", DEFAULT_BIND, "a host name or IP literal",
                    "Address the broker binds (0.0.0.0 when proxies and bridge run on other hosts)", Builder::bindAddress),
            Setting.size(ENV_MAX_PACKET, "maxPacketSize", 1, MqttLimits.MQTT_MAX_REMAINING_LENGTH,
                    MqttLimits.ofDefaults().maxPacketSize(), "Largest MQTT packet accepted (remaining length)",
                    (b, n) -> b.maxPacketSize((int) n)),
            Setting.integer(ENV_MAX_CLIENT_ID, "maxClientIdLength", MIN_CLIENT_ID, MAX_CLIENT_ID,
                    MqttLimits.ofDefaults().maxClientIdLength(), "Longest client id accepted, in UTF-8 bytes",
                    Builder::maxClientIdLength),
            Setting.duration(ENV_CONNECT_TIMEOUT_MS, "connectTimeout", MIN_CONNECT_TIMEOUT, MAX_CONNECT_TIMEOUT,
                    MqttLimits.ofDefaults().connectTimeout(), "Deadline for the first packet (CONNECT) of a connection",
                    Builder::connectTimeout),
            Setting.integer(ENV_MAX_QUEUED, "maxQueuedPerSession", 1, MAX_QUEUED, DEFAULT_MAX_QUEUED,
                    "Messages held in memory per session beyond its in-flight window; past it QoS 1 messages stay in "
                            + "the log and the session catches up from there", Builder::maxQueuedPerSession),
            Setting.integer(ENV_MAX_INFLIGHT, "maxInflightPerSession", 1, MAX_INFLIGHT, DEFAULT_MAX_INFLIGHT,
                    "Unacknowledged QoS 1 messages per subscriber", Builder::maxInflightPerSession),
            Setting.integer(ENV_IO_THREADS, "ioThreads", 0, MAX_IO_THREADS, 0,
                    "Broker I/O threads (0 = Netty's default, twice the cores)", Builder::ioThreads),
            Setting.duration(ENV_CHECKPOINT_MS, "checkpointInterval", MIN_CHECKPOINT, MAX_CHECKPOINT, DEFAULT_CHECKPOINT,
                    "How often persistent sessions' delivery progress is written to the log", Builder::checkpointInterval),
            Setting.text(ENV_MAX_INFLIGHT_BY_CLIENT, "maxInflightByClient", "", WINDOWS_RANGE,
                    "In-flight windows of particular client ids (the launcher gives the bridge's client id 1000 "
                            + "unless this is set)", (b, v) -> b.maxInflightByClient(windows(v))),
            Setting.integer(ENV_CATCHUP_THREADS, "catchUpThreads", 1, MAX_CATCHUP_THREADS, DEFAULT_CATCHUP_THREADS,
                    "Sessions reading their backlog from the log at once", Builder::catchUpThreads),
            Setting.duration(ENV_SNAPSHOT_MS, "snapshotInterval", MIN_SNAPSHOT, MAX_SNAPSHOT, DEFAULT_SNAPSHOT,
                    "Longest time between two snapshots of the broker's state (keep well below the log's retention)",
                    Builder::snapshotInterval),
            Setting.longInteger(ENV_SNAPSHOT_RECORDS, "snapshotRecords", MIN_SNAPSHOT_RECORDS, MAX_SNAPSHOT_RECORDS,
                    DEFAULT_SNAPSHOT_RECORDS, "A snapshot is also taken when the state partition grew by this many "
                            + "records (and by twice the state's size)", Builder::snapshotRecords),
            Setting.text(ENV_NODE_ID, "nodeId", "", NODE_ID_RANGE,
                    "This broker's name among several sharing one Kafka log (unique per process); unset for a "
                            + "single broker", Builder::nodeId),
            Setting.text(ENV_TLS_CERT, "tlsCert", "", PEM,
                    "The broker's certificate chain for mutual TLS, set with " + ENV_TLS_KEY + " and " + ENV_CLIENT_CA
                            + " (the launcher generates them when proxy or bridge run in the same process)",
                    (b, v) -> b.tlsCert(Path.of(v))),
            Setting.text(ENV_TLS_KEY, "tlsKey", "", PEM, "Private key (PKCS#8) of " + ENV_TLS_CERT,
                    (b, v) -> b.tlsKey(Path.of(v))),
            Setting.text(ENV_CLIENT_CA, "clientCa", "", PEM,
                    "CA whose certificates clients (proxies, bridges) must present", (b, v) -> b.clientCa(Path.of(v))),
            Setting.bool(ENV_INSECURE_PLAIN, "insecurePlain", false,
                    "Allow a plain, unauthenticated listener: anyone who reaches the port reads and publishes every "
                            + "device's messages", Builder::insecurePlain));

    private static final BrokerConfig DEFAULTS = new Builder().build();

    /**
     * Checks every value as the builder's setters do, and that the TLS files go together.
     *
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
     * @param tlsCert               the certificate chain, or {@code null}
     * @param tlsKey                its private key, or {@code null}
     * @param clientCa              the clients' CA, or {@code null}
     * @param insecurePlain         whether a plain listener is intended
     * @throws IllegalArgumentException naming the parameter (or, across fields, the keys) and what is allowed
     */
    public BrokerConfig {
        checkPort(port);
        checkBind(bindAddress);
        Objects.requireNonNull(limits, "limits");
        checkMaxQueued(maxQueuedPerSession);
        checkMaxInflight(maxInflightPerSession);
        checkIoThreads(ioThreads);
        checkCheckpoint(checkpointInterval);
        maxInflightByClient = checkWindows(maxInflightByClient);
        checkCatchUp(catchUpThreads);
        checkSnapshotInterval(snapshotInterval);
        checkSnapshotRecords(snapshotRecords);
        Objects.requireNonNull(nodeId, "nodeId");
        if (!nodeId.isEmpty()) {
            checkNodeId(nodeId);
        }
        checkTls(tlsCert, tlsKey, clientCa, insecurePlain);
    }

    /**
     * Every environment key of the broker, with its YAML path, builder parameter, type, default, range and
     * documentation. This list is the only place they are written; the launcher and the configuration
     * reference read it. Keys ending in {@code _MS} take a bare number as milliseconds, or a duration with a
     * unit ({@code 250ms}, {@code 30s}, {@code 1h}).
     *
     * @return the settings, in the order {@link #fromEnvironment} applies them
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /** @return a builder holding the defaults of {@link #ofDefaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.port = port;
        b.bindAddress = bindAddress;
        b.limits = limits;
        b.maxQueuedPerSession = maxQueuedPerSession;
        b.maxInflightPerSession = maxInflightPerSession;
        b.ioThreads = ioThreads;
        b.checkpointInterval = checkpointInterval;
        b.maxInflightByClient = maxInflightByClient;
        b.catchUpThreads = catchUpThreads;
        b.snapshotInterval = snapshotInterval;
        b.snapshotRecords = snapshotRecords;
        b.nodeId = nodeId;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.clientCa = clientCa;
        b.insecurePlain = insecurePlain;
        return b;
    }

    /** @return {@code true} when this broker is one node of several sharing one log */
    public boolean clustered() {
        return !nodeId.isEmpty();
    }

    /** @return {@code true} when the listener uses mutual TLS ({@link #tlsCert()}, {@link #tlsKey()}, {@link #clientCa()}) */
    public boolean mutualTls() {
        return tlsCert != null;
    }

    /** How a broker's listener is secured: see {@link #coreTrust(boolean)}. */
    public enum CoreTrust {
        /** Mutual TLS with the configured files. */
        CONFIGURED,
        /** Mutual TLS with a private CA that the process generates for its own proxy and bridge. */
        GENERATED,
        /** Plain MQTT, by the operator's explicit opt-in. */
        INSECURE_PLAIN
    }

    /**
     * Decides how the core listens: mutual TLS with the configured files; else, when a proxy or bridge runs in the
     * same process, mutual TLS with a private CA it generates; else plain, only with {@link #insecurePlain()}. A
     * broker alone without TLS files and without the opt-in is refused.
     *
     * @param clientsInProcess {@code true} when the proxy or the bridge runs in this broker's process
     * @return how the listener is secured
     * @throws IllegalArgumentException naming the keys to set
     */
    public CoreTrust coreTrust(boolean clientsInProcess) {
        if (mutualTls()) {
            return CoreTrust.CONFIGURED;
        }
        if (insecurePlain) {
            return CoreTrust.INSECURE_PLAIN;
        }
        if (clientsInProcess) {
            return CoreTrust.GENERATED;
        }
        throw new IllegalArgumentException("the broker accepts only proxies and bridges with a certificate of its CA "
                + "(mutual TLS): set " + ENV_TLS_CERT + ", " + ENV_TLS_KEY + " and " + ENV_CLIENT_CA
                + " (see docs/operations.md, \"Trust between layers\"), or " + ENV_INSECURE_PLAIN
                + "=true for a plain listener that anyone who reaches the port can use");
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
     *         two catch-up threads, a snapshot at least every hour or every million state-partition records, one
     *         broker, a plain listener (the launcher asks for TLS or {@link #insecurePlain()})
     */
    public static BrokerConfig ofDefaults() {
        return DEFAULTS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key keeps its default, other keys are ignored.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the config
     * @throws InvalidSettingException naming the key, the value, the parameter and the allowed range when a
     *                                 value is invalid
     * @throws IllegalArgumentException naming the keys when values contradict each other (the TLS files)
     */
    public static BrokerConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, Objects.requireNonNull(env, "env"), builder()).build();
    }

    /** {@code id=n[,id=n...]} to client id and window; the builder checks the windows. */
    private static Map<String, Integer> windows(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String item : Values.list(text)) {
            int eq = item.lastIndexOf('=');
            String id = eq < 0 ? "" : item.substring(0, eq).strip();
            if (id.isEmpty()) {
                throw new IllegalArgumentException("'" + item + "' is not client-id=window");
            }
            out.put(id, Values.integer(item.substring(eq + 1)));
        }
        return out;
    }

    private static int checkPort(int port) {
        return Values.checkRange("port", port, 0, MAX_PORT);
    }

    private static String checkBind(String bindAddress) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must be a host name or IP literal, was '" + bindAddress + "'");
        }
        return bindAddress;
    }

    private static int checkMaxQueued(int max) {
        return Values.checkRange("maxQueuedPerSession", max, 1, MAX_QUEUED);
    }

    private static int checkMaxInflight(int max) {
        return Values.checkRange("maxInflightPerSession", max, 1, MAX_INFLIGHT);
    }

    private static int checkIoThreads(int threads) {
        return Values.checkRange("ioThreads", threads, 0, MAX_IO_THREADS);
    }

    private static Duration checkCheckpoint(Duration interval) {
        return Values.checkRange("checkpointInterval", interval, MIN_CHECKPOINT, MAX_CHECKPOINT);
    }

    private static Map<String, Integer> checkWindows(Map<String, Integer> windows) {
        Objects.requireNonNull(windows, "maxInflightByClient");
        windows.forEach((id, n) -> {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("maxInflightByClient keys must be client ids, was '" + id + "'");
            }
            Objects.requireNonNull(n, "maxInflightByClient[" + id + "]");
            Values.checkRange("maxInflightByClient[" + id + "]", n, 1, MAX_INFLIGHT);
        });
        return Map.copyOf(windows);
    }

    private static int checkCatchUp(int threads) {
        return Values.checkRange("catchUpThreads", threads, 1, MAX_CATCHUP_THREADS);
    }

    private static Duration checkSnapshotInterval(Duration interval) {
        return Values.checkRange("snapshotInterval", interval, MIN_SNAPSHOT, MAX_SNAPSHOT);
    }

    private static long checkSnapshotRecords(long records) {
        return Values.checkRange("snapshotRecords", records, MIN_SNAPSHOT_RECORDS, MAX_SNAPSHOT_RECORDS);
    }

    private static String checkNodeId(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (!nodeId.matches(NODE_ID_PATTERN)) {
            throw new IllegalArgumentException("nodeId must be " + NODE_ID_RANGE + ", was '" + nodeId + "'");
        }
        return nodeId;
    }

    private static Path checkPem(String parameter, Path file) {
        Objects.requireNonNull(file, parameter);
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new IllegalArgumentException(parameter + " must be " + PEM + ", was '" + file + "'");
        }
        return file;
    }

    private static void checkTls(Path tlsCert, Path tlsKey, Path clientCa, boolean insecurePlain) {
        List<String> missing = new ArrayList<>();
        if (tlsCert == null) {
            missing.add(ENV_TLS_CERT);
        }
        if (tlsKey == null) {
            missing.add(ENV_TLS_KEY);
        }
        if (clientCa == null) {
            missing.add(ENV_CLIENT_CA);
        }
        if (!missing.isEmpty() && missing.size() < 3) {
            throw new IllegalArgumentException(ENV_TLS_CERT + ", " + ENV_TLS_KEY + " and " + ENV_CLIENT_CA
                    + " (tlsCert, tlsKey, clientCa) must be set together; missing " + String.join(", ", missing));
        }
        if (missing.isEmpty() && insecurePlain) {
            throw new IllegalArgumentException(ENV_INSECURE_PLAIN + "=true (insecurePlain) contradicts " + ENV_TLS_CERT
                    + " (tlsCert): unset one of them");
        }
    }

    /**
     * Builds a {@link BrokerConfig}. Every setter checks its argument at once and says
     * {@code "<parameter> must be <min> to <max>, was <value>"}; {@link #build()} checks that the TLS files go
     * together. Building twice gives two independent configurations.
     */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bindAddress = DEFAULT_BIND;
        private MqttLimits limits = MqttLimits.ofDefaults();
        private int maxQueuedPerSession = DEFAULT_MAX_QUEUED;
        private int maxInflightPerSession = DEFAULT_MAX_INFLIGHT;
        private int ioThreads;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT;
        private Map<String, Integer> maxInflightByClient = Map.of();
        private int catchUpThreads = DEFAULT_CATCHUP_THREADS;
        private Duration snapshotInterval = DEFAULT_SNAPSHOT;
        private long snapshotRecords = DEFAULT_SNAPSHOT_RECORDS;
        private String nodeId = "";
        private Path tlsCert;
        private Path tlsKey;
        private Path clientCa;
        private boolean insecurePlain;

        Builder() {
        }

        /**
         * @param port the TCP port, 0 to 65535 (0 picks a free one; see {@link SentinelBroker#port()}); default 1884
         * @return this builder
         */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /**
         * @param bindAddress the address to listen on, a host name or IP literal; default {@code 127.0.0.1}
         * @return this builder
         */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = checkBind(bindAddress);
            return this;
        }

        /**
         * @param limits the strict validator's limits; default {@link MqttLimits#ofDefaults()}
         * @return this builder
         */
        public Builder limits(MqttLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param bytes the largest packet accepted (remaining length), 1 to 268435455; default 262144
         * @return this builder
         */
        public Builder maxPacketSize(int bytes) {
            limits = limits.withMaxPacketSize(
                    Values.checkRange("maxPacketSize", bytes, 1, MqttLimits.MQTT_MAX_REMAINING_LENGTH));
            return this;
        }

        /**
         * @param bytes the longest client id accepted, in UTF-8 bytes, 23 to 65535; default 256
         * @return this builder
         */
        public Builder maxClientIdLength(int bytes) {
            Values.checkRange("maxClientIdLength", bytes, MIN_CLIENT_ID, MAX_CLIENT_ID);
            limits = new MqttLimits(limits.maxPacketSize(), bytes, limits.connectTimeout(), limits.keepAliveFactor());
            return this;
        }

        /**
         * @param timeout how long a new connection may take to send CONNECT, 1 ms to 10 min; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            limits = limits.withConnectTimeout(
                    Values.checkRange("connectTimeout", timeout, MIN_CONNECT_TIMEOUT, MAX_CONNECT_TIMEOUT));
            return this;
        }

        /**
         * @param max most messages queued per session beyond the in-flight window, 1 to 1000000; default 1000
         * @return this builder
         */
        public Builder maxQueuedPerSession(int max) {
            this.maxQueuedPerSession = checkMaxQueued(max);
            return this;
        }

        /**
         * @param max most unacknowledged QoS 1 messages in flight per subscriber, 1 to 65535; default 32
         * @return this builder
         */
        public Builder maxInflightPerSession(int max) {
            this.maxInflightPerSession = checkMaxInflight(max);
            return this;
        }

        /**
         * @param threads Netty worker threads, 0 to 1024 (0: Netty's default, twice the cores); default 0
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            this.ioThreads = checkIoThreads(threads);
            return this;
        }

        /**
         * @param interval how often persistent sessions' progress is written to the log, 10 ms to 1 h; default 1 s
         * @return this builder
         */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = checkCheckpoint(interval);
            return this;
        }

        /**
         * @param windows client id to its own in-flight window, 1 to 65535 each (e.g. a bridge, which needs a
         *                window sized for throughput); default none
         * @return this builder
         */
        public Builder maxInflightByClient(Map<String, Integer> windows) {
            this.maxInflightByClient = checkWindows(windows);
            return this;
        }

        /**
         * @param threads how many sessions read their backlog from the log at once, 1 to 64; default 2
         * @return this builder
         */
        public Builder catchUpThreads(int threads) {
            this.catchUpThreads = checkCatchUp(threads);
            return this;
        }

        /**
         * @param interval longest time between two snapshots of the broker's state, 1 s to 24 h; default 1 h
         * @return this builder
         */
        public Builder snapshotInterval(Duration interval) {
            this.snapshotInterval = checkSnapshotInterval(interval);
            return this;
        }

        /**
         * @param records a snapshot is also taken when the state partition grew by this many records (and by
         *                twice the state's size), 1000 to 1000000000; default 1000000
         * @return this builder
         */
        public Builder snapshotRecords(long records) {
            this.snapshotRecords = checkSnapshotRecords(records);
            return this;
        }

        /**
         * @param nodeId this broker's name among several broker nodes sharing one (Kafka) log, 1 to 64 of
         *               {@code [A-Za-z0-9._-]}; default none (a single broker). See {@code docs/cluster.md}.
         * @return this builder
         */
        public Builder nodeId(String nodeId) {
            this.nodeId = checkNodeId(nodeId);
            return this;
        }

        /**
         * @param file the broker's certificate chain (PEM), a readable file; set with {@link #tlsKey} and
         *             {@link #clientCa}
         * @return this builder
         */
        public Builder tlsCert(Path file) {
            this.tlsCert = checkPem("tlsCert", file);
            return this;
        }

        /**
         * @param file the private key (PKCS#8 PEM) of {@link #tlsCert}, a readable file
         * @return this builder
         */
        public Builder tlsKey(Path file) {
            this.tlsKey = checkPem("tlsKey", file);
            return this;
        }

        /**
         * @param file the CA (PEM) whose certificates clients must present, a readable file
         * @return this builder
         */
        public Builder clientCa(Path file) {
            this.clientCa = checkPem("clientCa", file);
            return this;
        }

        /**
         * Mutual TLS: only clients with a certificate issued by {@code clientCaPem} may connect.
         *
         * @param certChainPem the broker's certificate chain (PEM)
         * @param keyPem       its private key (PEM, PKCS#8)
         * @param clientCaPem  the CA whose certificates clients must present (PEM)
         * @return this builder
         */
        public Builder tls(Path certChainPem, Path keyPem, Path clientCaPem) {
            return tlsCert(certChainPem).tlsKey(keyPem).clientCa(clientCaPem);
        }

        /**
         * @param insecure {@code true} when a plain, unauthenticated listener is intended; default {@code false}
         * @return this builder
         */
        public Builder insecurePlain(boolean insecure) {
            this.insecurePlain = insecure;
            return this;
        }

        /**
         * @return the config, independent of this builder
         * @throws IllegalArgumentException naming the keys when only some of the TLS files are set, or when
         *                                  {@code insecurePlain} contradicts them
         */
        public BrokerConfig build() {
            return new BrokerConfig(port, bindAddress, limits, maxQueuedPerSession, maxInflightPerSession, ioThreads,
                    checkpointInterval, maxInflightByClient, catchUpThreads, snapshotInterval, snapshotRecords, nodeId,
                    tlsCert, tlsKey, clientCa, insecurePlain);
        }
    }
}
