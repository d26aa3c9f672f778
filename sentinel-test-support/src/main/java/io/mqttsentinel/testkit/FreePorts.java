package io.mqttsentinel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free TCP ports on 127.0.0.1 for processes that cannot bind port 0 themselves (Mosquitto).
 *
 * <p>The port comes from below the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range},
 * 32768 and up by default): a port from inside it can be taken, between this check and the process's bind, as
 * the local port of any outgoing connection on the machine (Kafka clients, test clients), which made a bind fail
 * now and then on a busy build machine. Ports below the range are taken only by listeners that ask for them.
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final int TRIES = 200;
    /** The lowest port of the kernel's ephemeral range, read once. */
    private static final int EPHEMERAL_LOW = ephemeralLow();

    private FreePorts() {
    }

    /** @return a port that was free on 127.0.0.1 a moment ago */
    public static int next() {
        int below = EPHEMERAL_LOW;
        if (below - LOWEST >= 1000) {
            for (int i = 0; i < TRIES; i++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
                if (bindable(port)) {
                    return port;
                }
            }
        }
        // no room below the ephemeral range (or all tried were taken): any free port
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the lowest port of the kernel's ephemeral range, or 32768 when it cannot be read */
    static int ephemeralLow() {
        try {
            // one read to the end: Files.readString trusts the size /proc reports, and on some kernels that is one byte
            String text;
            try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            }
            String[] range = text.trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
