package io.mqttsentinel.demo;

import io.mqttsentinel.launcher.LauncherConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Where the simulated clients connect from. The proxy's per-address defences (the IP and CONNECT tiers, the
 * TLS handshake rate, the connection-rate anomaly) key on the source address, as in the field, where a fleet
 * comes from many addresses and an attacker from a few. Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so the demo gives the fleet {@value #DEVICES_PER_ADDRESS} devices per address in 127.1.0.0/16 and
 * every attacker an address of its own in 127.2.0.0/24: the real tiers, at their defaults, then stop the
 * attackers and leave the fleet alone.
 *
 * <p>Where only 127.0.0.1 can be bound (macOS without aliases), everyone shares it: {@link #tune} then raises
 * the per-address limits (unless the operator set them) so that the fleet fits; the per-client tiers and every
 * other check still stop the attackers, and the auth callout, not the CONNECT tier, refuses the CONNECT flood.
 */
final class SourceAddresses {
    /** Devices that share one source address. */
    static final int DEVICES_PER_ADDRESS = 10;

    private final boolean spread;

    private SourceAddresses(boolean spread) {
        this.spread = spread;
    }

    /**
     * @return spread addresses when this system lets a socket bind 127.1.0.1 and 127.2.0.1, else everyone on
     *         127.0.0.1
     */
    static SourceAddresses probe() {
        for (String from : new String[] {"127.1.0.1", "127.2.0.1"}) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            } catch (IOException e) {
                return new SourceAddresses(false);
            }
        }
        return new SourceAddresses(true);
    }

    /** @return everyone on 127.0.0.1 */
    static SourceAddresses single() {
        return new SourceAddresses(false);
    }

    /** @return whether the fleet and each attacker have addresses of their own */
    boolean spread() {
        return spread;
    }

    /**
     * @param device the device's index, from 0
     * @return its source address
     */
    InetAddress device(int device) {
        if (!spread) {
            return loopback();
        }
        int n = device / DEVICES_PER_ADDRESS;
        return address(1, n / 250, 1 + n % 250);
    }

    /**
     * @param kind an attacker
     * @return its source address
     */
    InetAddress attacker(AttackKind kind) {
        return spread ? address(2, 0, 1 + kind.ordinal()) : loopback();
    }

    /**
     * @param devices the fleet's size
     * @return a line saying where the clients come from
     */
    String describe(int devices) {
        if (!spread) {
            return "every client connects from 127.0.0.1 (this system binds no other loopback address); the "
                    + "per-address limits are raised so that the fleet fits";
        }
        int addresses = (devices + DEVICES_PER_ADDRESS - 1) / DEVICES_PER_ADDRESS;
        return "devices connect from " + addresses + " addresses (" + DEVICES_PER_ADDRESS + " each, 127.1.x.y), "
                + "each attacker from its own (127.2.0.x)";
    }

    /**
     * @param config  the demo's configuration
     * @param devices the fleet's size
     * @return {@code config}, or with the per-address limits raised for a fleet that shares one address
     */
    LauncherConfig tune(LauncherConfig config, int devices) {
        if (spread) {
            return config;
        }
        // the whole fleet connects (and publishes) from one address, beside the attackers: per-address limits sized
        // for the fleet and the CONNECT flood together, so that the flood cannot lock the fleet out (the auth
        // callout, which admits no anonymous CONNECT, refuses the flood instead)
        String burst = Integer.toString(devices * 3 + 500);
        return config
                .withDefault("SENTINEL_RL_IP_RATE", Integer.toString(devices * 2 + 1_000))
                .withDefault("SENTINEL_RL_IP_BURST", Integer.toString(devices * 4 + 2_000))
                .withDefault("SENTINEL_RL_CONNECT_BURST", burst)
                .withDefault("SENTINEL_PROXY_HANDSHAKE_BURST_PER_IP", burst)
                .withDefault("SENTINEL_PROXY_HANDSHAKES_PER_IP", "1000")
                .withDefault("SENTINEL_PROXY_MAX_CONNECTIONS_PER_IP", Integer.toString(devices + 1_000))
                .withDefault("SENTINEL_INSPECT_CONNECTION_RATE_LIMIT", "1000");
    }

    private static InetAddress address(int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
