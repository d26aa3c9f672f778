package io.mqttsentinel.bridge;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.mqttsentinel.config.Values;

/**
 * A core broker in the bridge's own process ({@code sentinel all}, the demo, an application that embeds both), which
 * the bridge's settings default to: unless {@value BridgeConfig#CORE} names a core, the bridge connects to this one
 * on the loopback; unless {@value BridgeConfig#CORE_TLS_CERT} is set, it presents the client certificate that the
 * process generated for the core link ({@link #withTls}), with its key and the core's CA
 * ({@value BridgeConfig#CORE_TLS_KEY} and {@value BridgeConfig#CORE_CA} too).
 *
 * <pre>{@code
 * BridgeConfig config = InProcessCore.at(broker.port()).withTls(bridgeCert, bridgeKey, coreCa)
 *         .bridgeConfig(System.getenv());
 * }</pre>
 *
 * <p>Immutable.
 */
public final class InProcessCore {
    private final int port;
    private final Path cert; // the TLS files: all three, or none
    private final Path key;
    private final Path ca;

    private InProcessCore(int port, Path cert, Path key, Path ca) {
        this.port = port;
        this.cert = cert;
        this.key = key;
        this.ca = ca;
    }

    /**
     * @param port the core's port on the loopback, 1 to 65535
     * @return the core, with no generated TLS files
     * @throws IllegalArgumentException naming the port when it is out of range
     */
    public static InProcessCore at(int port) {
        return new InProcessCore(Values.checkRange("port", port, 1, 65_535), null, null, null);
    }

    /**
     * @param bridgeCert the bridge's client certificate for the core, PEM
     * @param bridgeKey  its private key, PKCS#8 PEM
     * @param coreCa     the core's CA, PEM
     * @return a copy whose files the bridge presents unless its settings name its own
     */
    public InProcessCore withTls(Path bridgeCert, Path bridgeKey, Path coreCa) {
        return new InProcessCore(port, Objects.requireNonNull(bridgeCert, "bridgeCert"),
                Objects.requireNonNull(bridgeKey, "bridgeKey"), Objects.requireNonNull(coreCa, "coreCa"));
    }

    /**
     * @param env the bridge's settings, e.g. {@code System.getenv()}
     * @return the settings, with this core's where they name none (see the class comment); the other keys unchanged
     */
    public Map<String, String> under(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(Objects.requireNonNull(env, "env"));
        if (cert != null && !out.containsKey(BridgeConfig.CORE_TLS_CERT)) {
            out.put(BridgeConfig.CORE_TLS_CERT, cert.toString());
            out.put(BridgeConfig.CORE_TLS_KEY, key.toString());
            out.put(BridgeConfig.CORE_CA, ca.toString());
        }
        out.putIfAbsent(BridgeConfig.CORE, "127.0.0.1:" + port);
        return out;
    }

    /**
     * @param env the bridge's settings, e.g. {@code System.getenv()}
     * @return {@link BridgeConfig#fromEnvironment(Map)} of the settings {@link #under under} this core's
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public BridgeConfig bridgeConfig(Map<String, String> env) {
        return BridgeConfig.fromEnvironment(under(env));
    }

    @Override
    public String toString() {
        return "InProcessCore[127.0.0.1:" + port + (cert == null ? "" : ", tls " + cert) + "]";
    }
}
