package io.mqttsentinel.demo;

import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.Role;
import io.mqttsentinel.launcher.SentinelNode;
import io.mqttsentinel.proxy.tls.CoreCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The cluster demo's topology, with nothing outside this JVM but its own children: a three-broker Kafka
 * ({@link InProcessKafka}) in this JVM; {@value #NODES} broker nodes on one log and {@value #BRIDGES} bridges on
 * one lease, each a {@code sentinel broker} or {@code sentinel bridge} child JVM ({@link NodeProcess}) that the
 * demo can kill; {@value #PROXIES} proxies in this JVM, each spreading its devices over every node; the stand-in
 * auth endpoint and origin of the plain demo. Mutual TLS between the layers, from one private CA
 * ({@link CoreCertificates}).
 *
 * <p>The operator's tuning settings apply to the proxies (as in the plain demo); the children get only the
 * demo's settings.
 */
final class DemoCluster implements AutoCloseable {
    static final int NODES = 3;
    static final int BRIDGES = 2;
    static final int PROXIES = 2;
    /** How long a bridge's lease lasts without renewal: the standby takes over at most this long after a crash. */
    static final Duration LEASE = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "sentinel-demo";

    private final Path dataDir;
    private final boolean deleteAfter;
    private final List<AutoCloseable> open;
    private final DemoAuthEndpoint auth;
    private final DemoOrigin origin;
    private final InProcessKafka kafka;
    private final List<NodeProcess> nodes;
    private final List<NodeProcess> bridges;
    private final List<SentinelNode> proxies;
    private final List<ProxyAccess> proxyAccess;

    private DemoCluster(Path dataDir, boolean deleteAfter, List<AutoCloseable> open, DemoAuthEndpoint auth,
                        DemoOrigin origin, InProcessKafka kafka, List<NodeProcess> nodes, List<NodeProcess> bridges,
                        List<SentinelNode> proxies, List<ProxyAccess> proxyAccess) {
        this.dataDir = dataDir;
        this.deleteAfter = deleteAfter;
        this.open = open;
        this.auth = auth;
        this.origin = origin;
        this.kafka = kafka;
        this.nodes = nodes;
        this.bridges = bridges;
        this.proxies = proxies;
        this.proxyAccess = proxyAccess;
    }

    /**
     * Starts everything and waits (up to 120 s) until every node is ready, a bridge holds the lease and is
     * connected to the origin, and the proxies are ready.
     *
     * @param base        the operator's configuration (its tuning settings apply to the proxies)
     * @param dataDir     the demo's data directory
     * @param deleteAfter whether {@link #close()} deletes it
     * @param progress    where to say what has started
     * @return the running cluster
     * @throws Exception when a part does not start in time; nothing is left running
     */
    static DemoCluster start(LauncherConfig base, Path dataDir, boolean deleteAfter, java.io.PrintWriter progress)
            throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            DemoAuthEndpoint auth = add(open, DemoAuthEndpoint.start());
            DemoOrigin origin = add(open, DemoOrigin.start(dataDir.resolve("origin-log")));
            long t0 = System.nanoTime();
            InProcessKafka kafka = add(open, InProcessKafka.start());
            say(progress, String.format("demo: Kafka started in this JVM (KRaft, %d brokers, %s) in %.1f s",
                    InProcessKafka.BROKERS, kafka.bootstrapServers(), (System.nanoTime() - t0) / 1e9));
            CoreCertificates.Bundle tls = CoreCertificates.ensure(dataDir.resolve("tls"));

            List<Integer> ports = new ArrayList<>();
            List<NodeProcess> nodes = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
                int port = DemoStack.freePort();
                ports.add(port);
                nodes.add(add(open, NodeProcess.start(dataDir, "node-" + n, "broker", Map.ofEntries(
                        Map.entry("SENTINEL_DATA_DIR", Files.createDirectories(dataDir.resolve("node-" + n)).toString()),
                        Map.entry("SENTINEL_BROKER_NODE_ID", "node-" + n),
                        Map.entry("SENTINEL_BROKER_PORT", Integer.toString(port)),
                        Map.entry("SENTINEL_BROKER_BIND", "127.0.0.1"),
                        Map.entry("SENTINEL_METRICS_PORT", Integer.toString(DemoStack.freePort())),
                        Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                        Map.entry("SENTINEL_STORE_KAFKA_BOOTSTRAP", kafka.bootstrapServers()),
                        Map.entry("SENTINEL_STORE_KAFKA_TOPIC", TOPIC),
                        Map.entry("SENTINEL_STORE_KAFKA_PARTITIONS", "6"),
                        Map.entry("SENTINEL_BROKER_TLS_CERT", tls.brokerCert().toString()),
                        Map.entry("SENTINEL_BROKER_TLS_KEY", tls.brokerKey().toString()),
                        Map.entry("SENTINEL_BROKER_CLIENT_CA", tls.caCert().toString())))));
            }
            String cores = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
            List<NodeProcess> bridges = new ArrayList<>();
            for (int b = 0; b < BRIDGES; b++) {
                if (b == 1) {
                    // the standby starts once the first holds the lease: two bridges that start together both find
                    // the lease free, and the loser's origin connection takes the shared session from the holder
                    await("bridge-0 holding the lease, connected to the origin (bridge-0.err in " + dataDir + ")",
                            () -> nodes.stream().allMatch(NodeProcess::isReady) && leaseHeld(bridges.get(0)));
                    say(progress, String.format("demo: %d broker nodes ready (child JVMs, one Kafka log), bridge-0 holds "
                            + "the lease, %.1f s after the start", NODES, (System.nanoTime() - t0) / 1e9));
                }
                // started with the nodes: a bridge tries the nodes again until one answers
                bridges.add(add(open, NodeProcess.start(dataDir, "bridge-" + b, "bridge", Map.ofEntries(
                        Map.entry("SENTINEL_DATA_DIR", Files.createDirectories(dataDir.resolve("bridge-" + b)).toString()),
                        Map.entry("SENTINEL_METRICS_PORT", Integer.toString(DemoStack.freePort())),
                        Map.entry("SENTINEL_METRICS_BIND", "127.0.0.1"),
                        Map.entry("SENTINEL_BRIDGE_CORE", cores),
                        Map.entry("SENTINEL_BRIDGE_CORE_TLS_CERT", tls.bridgeCert().toString()),
                        Map.entry("SENTINEL_BRIDGE_CORE_TLS_KEY", tls.bridgeKey().toString()),
                        Map.entry("SENTINEL_CORE_CA", tls.caCert().toString()),
                        Map.entry("SENTINEL_BRIDGE_ORIGIN_URL", origin.webSocketUrl()),
                        Map.entry("SENTINEL_BRIDGE_LEASE", LEASE.toSeconds() + "s"),
                        Map.entry("SENTINEL_BRIDGE_BACKOFF_INITIAL", "100ms"),
                        Map.entry("SENTINEL_BRIDGE_BACKOFF_MAX", "1s")))));
            }
            List<SentinelNode> proxies = new ArrayList<>();
            List<ProxyAccess> access = new ArrayList<>();
            for (int p = 0; p < PROXIES; p++) {
                LauncherConfig config = base
                        .with("SENTINEL_DATA_DIR", Files.createDirectories(dataDir.resolve("proxy-" + p)).toString())
                        .with("SENTINEL_AUTH_URL", auth.url())
                        .with("SENTINEL_AUTH_FILE", null)
                        .with("SENTINEL_AUTH_TOKEN", null)
                        .with("SENTINEL_AUTH_CA", null)
                        .with("SENTINEL_TLS_CERT", null)
                        .with("SENTINEL_TLS_KEY", null)
                        .with("SENTINEL_TLS_CLIENT_AUTH", null)
                        .with("SENTINEL_PROXY_TLS_PORT", "0")
                        .with("SENTINEL_PROXY_PLAIN_PORT", null)
                        .with("SENTINEL_PROXY_BIND", "127.0.0.1")
                        .with("SENTINEL_PROXY_PROXY_PROTOCOL", null)
                        .with("SENTINEL_PROXY_UPSTREAM", cores)
                        .with("SENTINEL_PROXY_UPSTREAM_TLS_CERT", tls.proxyCert().toString())
                        .with("SENTINEL_PROXY_UPSTREAM_TLS_KEY", tls.proxyKey().toString())
                        .with("SENTINEL_CORE_CA", tls.caCert().toString())
                        .with("SENTINEL_RL_REDIS_URI", null)
                        .with("SENTINEL_METRICS_BIND", "127.0.0.1")
                        .with("SENTINEL_METRICS_PORT", Integer.toString(DemoStack.freePort()));
                SentinelNode proxy = add(open, SentinelNode.start(EnumSet.of(Role.PROXY), config));
                proxies.add(proxy);
                access.add(ProxyAccess.of(proxy.proxyTlsPort(), proxy.proxyCertificate()));
            }
            await("the standby bridge-1 ready (bridge-1.err in " + dataDir + ")", () -> bridges.get(1).isReady());
            await("the proxies ready", () -> proxies.stream().allMatch(SentinelNode::isReady));
            return new DemoCluster(dataDir, deleteAfter, open, auth, origin, kafka, List.copyOf(nodes),
                    List.copyOf(bridges), List.copyOf(proxies), List.copyOf(access));
        } catch (Exception | Error e) {
            closeAll(open);
            if (deleteAfter) {
                DemoStack.deleteTree(dataDir);
            }
            throw e;
        }
    }

    /** @return one line: what runs where */
    String describe() {
        return String.format("demo: cluster: %d broker nodes (%s) on one Kafka log, %d bridges (%s) on one lease of %d s,"
                        + " %d proxies (mqtts %s), each spreading its devices over every node; origin %s, auth %s",
                NODES, nodes.stream().map(n -> n.name() + " pid " + n.pid()).collect(Collectors.joining(", ")),
                BRIDGES, bridges.stream().map(n -> n.name() + " pid " + n.pid()).collect(Collectors.joining(", ")),
                LEASE.toSeconds(), PROXIES, proxyAccess.stream().map(a -> "127.0.0.1:" + a.address().getPort())
                        .collect(Collectors.joining(", ")), origin.webSocketUrl(), auth.url());
    }

    /** @return the stand-in auth endpoint */
    DemoAuthEndpoint auth() {
        return auth;
    }

    /** @return the stand-in origin */
    DemoOrigin origin() {
        return origin;
    }

    /** @return how clients reach each proxy */
    List<ProxyAccess> proxies() {
        return proxyAccess;
    }

    /** @return the broker nodes */
    List<NodeProcess> nodes() {
        return nodes;
    }

    /** @return the bridges */
    List<NodeProcess> bridges() {
        return bridges;
    }

    /** @return whether {@code bridge} holds the lease and is connected to the core and to the origin */
    private static boolean leaseHeld(NodeProcess bridge) {
        return bridge.metric("bridge_lease_held") == 1.0 && bridge.metric("bridge_connected") == 2.0;
    }

    /** @return the bridge holding the lease now, or {@code null} */
    NodeProcess leaseHolder() {
        for (NodeProcess b : bridges) {
            if (b.metric("bridge_lease_held") == 1.0) {
                return b;
            }
        }
        return null;
    }

    /**
     * @return the running node that holds the most sessions (the one whose loss moves the most devices); it may be
     *         the first of the list, where both bridges' lease watchers and the holder's bridge are connected
     */
    NodeProcess busiestNode() {
        return nodes.stream().filter(NodeProcess::isAlive)
                .max(Comparator.comparingDouble(n -> sessions(n)))
                .orElseThrow(() -> new IllegalStateException("no broker node runs"));
    }

    /**
     * @param node a broker node
     * @return the sessions it owns now, or 0 when it does not answer
     */
    static double sessions(NodeProcess node) {
        double s = node.metric("mqtt_broker_sessions");
        return Double.isNaN(s) ? 0 : s;
    }

    /** @return e.g. {@code nodes 2/3 up (node-1 killed) | bridge-1 holds the lease} */
    String status() {
        List<String> down = nodes.stream().filter(n -> !n.isAlive()).map(n -> n.name() + " killed").toList();
        long up = nodes.size() - down.size();
        NodeProcess holder = leaseHolder();
        List<String> bridgesDown = bridges.stream().filter(n -> !n.isAlive()).map(n -> n.name() + " killed").toList();
        return "nodes " + up + "/" + nodes.size() + " up" + (down.isEmpty() ? "" : " (" + String.join(", ", down) + ")")
                + " | " + (holder == null ? "no bridge holds the lease" : holder.name() + " holds the lease")
                + (bridgesDown.isEmpty() ? "" : " (" + String.join(", ", bridgesDown) + ")");
    }

    /** Stops the proxies, kills the children, stops Kafka, the origin and the auth endpoint; deletes a temporary data directory. */
    @Override
    public void close() {
        closeAll(open);
        if (deleteAfter) {
            DemoStack.deleteTree(dataDir);
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> open) {
        // proxies first (their devices go), then the children, then Kafka under them, then the stand-ins
        List<AutoCloseable> order = new ArrayList<>(open);
        order.sort(Comparator.comparingInt(DemoCluster::closeRank));
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the demo is ending
            }
        }
    }

    private static int closeRank(AutoCloseable c) {
        if (c instanceof SentinelNode) {
            return 0;
        }
        if (c instanceof NodeProcess) {
            return 1;
        }
        if (c instanceof InProcessKafka) {
            return 2;
        }
        return 3;
    }

    private static void say(java.io.PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not within " + START_TIMEOUT.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }
}
