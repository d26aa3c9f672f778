package io.mqttsentinel.demo;

import io.mqttsentinel.launcher.LauncherConfig;
import io.mqttsentinel.launcher.Role;
import io.mqttsentinel.launcher.SentinelNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The demo's topology in one JVM, with nothing outside it: the stand-in auth endpoint ({@link DemoAuthEndpoint}),
 * the stand-in origin ({@link DemoOrigin}), and the proxy, broker and bridge of one {@link SentinelNode} (as
 * {@code all}) between them. Never the operator's data directory, credentials, certificates, ports, auth
 * endpoint, Kafka or Redis; tuning settings (rate limits, inspection thresholds, log level, metrics port) apply.
 */
final class DemoStack implements AutoCloseable {
    private final Path dataDir;
    private final boolean deleteAfter;
    private final DemoAuthEndpoint auth;
    private final DemoOrigin origin;
    private final SentinelNode node;
    private final ProxyAccess proxy;
    private final List<String> tuning;

    private DemoStack(Path dataDir, boolean deleteAfter, DemoAuthEndpoint auth, DemoOrigin origin, SentinelNode node,
                      ProxyAccess proxy, List<String> tuning) {
        this.dataDir = dataDir;
        this.deleteAfter = deleteAfter;
        this.auth = auth;
        this.origin = origin;
        this.node = node;
        this.proxy = proxy;
        this.tuning = tuning;
    }

    /**
     * Starts everything and waits (up to 30 s) until the node is ready.
     *
     * @param base        the operator's configuration (only its tuning settings are used)
     * @param dataDir     the demo's data directory
     * @param deleteAfter whether {@link #close()} deletes it
     * @param sources     where the clients come from (it may raise per-address limits)
     * @param devices     the fleet's size
     * @return the running stack
     * @throws Exception when a part cannot start; nothing is left running
     */
    static DemoStack start(LauncherConfig base, Path dataDir, boolean deleteAfter, SourceAddresses sources, int devices)
            throws Exception {
        DemoAuthEndpoint auth = null;
        DemoOrigin origin = null;
        SentinelNode node = null;
        try {
            auth = DemoAuthEndpoint.start();
            origin = DemoOrigin.start(dataDir.resolve("origin-log"));
            LauncherConfig tuned = sources.tune(base, devices);
            List<String> tuning = tuned.values().entrySet().stream().filter(e -> base.get(e.getKey()).isEmpty())
                    .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
            LauncherConfig config = tuned
                    .with("SENTINEL_DATA_DIR", dataDir.toString())
                    .with("SENTINEL_AUTH_URL", auth.url())
                    .with("SENTINEL_AUTH_FILE", null)
                    .with("SENTINEL_AUTH_TOKEN", null)
                    .with("SENTINEL_AUTH_CA", null)
                    .with("SENTINEL_TLS_CERT", null)
                    .with("SENTINEL_TLS_KEY", null)
                    .with("SENTINEL_TLS_CLIENT_AUTH", null)
                    .with("SENTINEL_BROKER_PORT", "0")
                    .with("SENTINEL_BROKER_BIND", "127.0.0.1")
                    .with("SENTINEL_PROXY_TLS_PORT", "0")
                    .with("SENTINEL_PROXY_PLAIN_PORT", null)
                    .with("SENTINEL_PROXY_BIND", "127.0.0.1")
                    .with("SENTINEL_PROXY_UPSTREAM", null)
                    .with("SENTINEL_PROXY_PROXY_PROTOCOL", null)
                    .with("SENTINEL_BRIDGE_CORE", null)
                    .with("SENTINEL_BRIDGE_ORIGIN_URL", origin.webSocketUrl())
                    .with("SENTINEL_STORE_KAFKA_BOOTSTRAP", null)
                    .with("SENTINEL_RL_REDIS_URI", null)
                    .withDefault("SENTINEL_METRICS_BIND", "127.0.0.1")
                    .withDefault("SENTINEL_METRICS_PORT", Integer.toString(freePort()))
                    .withDefault("SENTINEL_BRIDGE_BACKOFF_INITIAL", "100ms")
                    .withDefault("SENTINEL_BRIDGE_BACKOFF_MAX", "2s");
            node = SentinelNode.start(EnumSet.allOf(Role.class), config);
            awaitReady(node);
            ProxyAccess proxy = ProxyAccess.of(node.proxyTlsPort(), node.proxyCertificate());
            return new DemoStack(dataDir, deleteAfter, auth, origin, node, proxy, tuning);
        } catch (Exception | Error e) {
            closeAll(node, origin, auth);
            if (deleteAfter) {
                deleteTree(dataDir);
            }
            throw e;
        }
    }

    /** @return the proxy, broker and bridge */
    SentinelNode node() {
        return node;
    }

    /** @return the stand-in origin */
    DemoOrigin origin() {
        return origin;
    }

    /** @return the stand-in auth endpoint */
    DemoAuthEndpoint auth() {
        return auth;
    }

    /** @return how clients reach the proxy */
    ProxyAccess proxy() {
        return proxy;
    }

    /** @return the tuning settings the demo chose because the operator did not, as {@code KEY=value} */
    List<String> tuning() {
        return tuning;
    }

    /** @return the data directory */
    Path dataDir() {
        return dataDir;
    }

    /** @return whether {@link #close()} deletes the data directory */
    boolean deletesDataDir() {
        return deleteAfter;
    }

    /** Stops the node (proxy, bridge, broker), the origin and the auth endpoint; deletes a temporary data directory. */
    @Override
    public void close() {
        closeAll(node, origin, auth);
        if (deleteAfter) {
            deleteTree(dataDir);
        }
    }

    private static void closeAll(SentinelNode node, DemoOrigin origin, DemoAuthEndpoint auth) {
        if (node != null) {
            node.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (auth != null) {
            auth.close();
        }
    }

    private static void awaitReady(SentinelNode node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!node.isReady()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not ready after 30 s: " + String.join(", ", node.notReady()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** @return a port free on the loopback address now */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Deletes a temporary directory, as far as it can. */
    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temporary directory
        }
    }
}
