package io.mqttsentinel.bridge;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a core broker grants the bridge's session, which carries every device's messages under one client id: an
 * in-flight window sized for throughput rather than a device's ({@link #inflightWindows()}), and an exemption from the
 * per-client message-rate anomaly, which at fleet rates would block the alerts the bridge publishes
 * ({@link #rateExemptClients()}; size, entropy and signatures still apply). The core's process reads the bridge's
 * client id from the same settings, whether or not the bridge runs there; the operator's own windows and exemptions,
 * when set, replace these grants.
 *
 * <pre>{@code
 * CoreGrants bridge = CoreGrants.fromEnvironment(System.getenv());
 * broker.maxInflightByClient(bridge.inflightWindows());    // unless SENTINEL_BROKER_MAX_INFLIGHT_BY_CLIENT is set
 * inspector.rateExemptClients(bridge.rateExemptClients()); // unless SENTINEL_INSPECT_RATE_EXEMPT is set
 * }</pre>
 *
 * <p>Immutable.
 */
public final class CoreGrants {
    /** The core's in-flight window for the bridge's session. */
    public static final int INFLIGHT_WINDOW = 1000;

    private final String clientId;

    private CoreGrants(String clientId) {
        this.clientId = clientId;
    }

    /**
     * @param env the settings, e.g. {@code System.getenv()}
     * @return the grants of the bridge whose client id is {@value BridgeConfig#CLIENT_ID} (default
     *         {@value BridgeConfig#DEFAULT_CLIENT_ID}), taken as it is written: the bridge checks it, the core only
     *         matches it
     */
    public static CoreGrants fromEnvironment(Map<String, String> env) {
        return new CoreGrants(Objects.requireNonNull(env, "env").getOrDefault(BridgeConfig.CLIENT_ID,
                BridgeConfig.DEFAULT_CLIENT_ID));
    }

    /** @return the bridge's client id on the core */
    public String clientId() {
        return clientId;
    }

    /** @return the bridge's client id with its window, {@value #INFLIGHT_WINDOW} */
    public Map<String, Integer> inflightWindows() {
        return Map.of(clientId, INFLIGHT_WINDOW);
    }

    /** @return the bridge's client id, exempt from the message-rate anomaly */
    public List<String> rateExemptClients() {
        return List.of(clientId);
    }

    @Override
    public String toString() {
        return "CoreGrants[" + clientId + ": window " + INFLIGHT_WINDOW + ", rate exempt]";
    }
}
