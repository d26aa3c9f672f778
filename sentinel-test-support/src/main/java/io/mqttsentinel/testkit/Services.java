package io.mqttsentinel.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides what a test does when an outside service (MariaDB, Redis, a {@code mosquitto} binary) is
 * missing: on a developer's laptop it is skipped with a visible reason; when the environment variable
 * {@value #REQUIRE_ENV} is {@code true} (as {@code .ci/run} sets it) the test fails instead, so that CI
 * always runs it for real.
 */
public final class Services {
    /** Environment variable (or system property {@code sentinel.requireServices}) that turns skips into failures. */
    public static final String REQUIRE_ENV = "SENTINEL_REQUIRE_SERVICES";

    private Services() {
    }

    /** @return {@code true} when missing services must fail tests rather than skip them */
    public static boolean required() {
        String v = System.getenv(REQUIRE_ENV);
        if (v == null) {
            v = System.getProperty("sentinel.requireServices");
        }
        return "true".equalsIgnoreCase(v) || "1".equals(v);
    }

    /**
     * Skips (or, in CI, fails) the calling test unless {@code host:port} accepts a TCP connection.
     *
     * @param name a human name for the service, e.g. "Redis"
     * @param host the host
     * @param port the port
     */
    public static void assumeReachable(String name, String host, int port) {
        boolean ok;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            ok = true;
        } catch (IOException e) {
            ok = false;
        }
        require(ok, name + " is not reachable at " + host + ":" + port);
    }

    /**
     * Skips (or, in CI, fails) the calling test unless {@code binary} is on the PATH.
     *
     * @param binary an executable's name, e.g. "mosquitto"
     * @return the executable's absolute path
     */
    public static String assumeBinary(String binary) {
        String found = which(binary);
        require(found != null, "'" + binary + "' is not on the PATH (or in /usr/sbin)");
        return found;
    }

    /**
     * @param binary an executable's name
     * @return its absolute path, or {@code null}
     */
    public static String which(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, binary);
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private static void require(boolean ok, String reason) {
        if (ok) {
            return;
        }
        if (required()) {
            Assertions.fail(reason + " and " + REQUIRE_ENV + "=true: this test must run");
        }
        Assumptions.assumeTrue(false, "skipped: " + reason + " (set " + REQUIRE_ENV + "=true to fail instead)");
    }
}
