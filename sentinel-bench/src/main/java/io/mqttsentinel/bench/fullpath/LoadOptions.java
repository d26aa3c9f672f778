package io.mqttsentinel.bench.fullpath;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The full-path scenario's parameters, parsed from {@code --name value} arguments.
 *
 * @param devices       device connections, each publishing {@code rate / devices} messages per second
 * @param rate          total offered messages per second (open loop)
 * @param seconds       measured seconds
 * @param warmupSeconds seconds before the measured part in which the load ramps from a tenth of {@code rate} to
 *                      {@code rate}; counted for losses, not for latency or throughput
 * @param drainSeconds  the longest wait after the last publish for PUBACKs and deliveries
 * @param target        {@code both}, {@code sentinel} (full path only) or {@code mosquitto} (direct only)
 * @param overrides     {@code SENTINEL_*} settings to apply on top of what the load needs ({@code --set K=V})
 * @param outageAt      seconds into the measured phase at which the origin Mosquitto is stopped (full path only)
 * @param outageFor     seconds the origin stays down before it starts again on the same ports; 0 = no outage
 */
record LoadOptions(int devices, int rate, int seconds, int warmupSeconds, int drainSeconds, String target,
                   Map<String, String> overrides, int outageAt, int outageFor) {

    /** Three descriptors per device in this JVM (device, proxy side, proxy's upstream) plus the broker's: 20,000 allowed. */
    static final int MAX_DEVICES = 4_000;

    static final String USAGE = "usage: FullPathLoad [--rate MSG_PER_S (5000)] [--seconds S (15)] [--devices N (500)]"
            + " [--warmup S (15)] [--drain S (60)] [--target both|sentinel|mosquitto] [--set SENTINEL_KEY=VALUE ...]"
            + " [--origin-outage-at S --origin-outage-for S (full path only; target defaults to sentinel)]";

    LoadOptions {
        check("--devices", devices, 1, MAX_DEVICES);
        check("--rate", rate, 1, 100_000);
        check("--seconds", seconds, 1, 600);
        check("--warmup", warmupSeconds, 0, 60);
        check("--drain", drainSeconds, 1, 600);
        if (!target.equals("both") && !target.equals("sentinel") && !target.equals("mosquitto")) {
            throw new IllegalArgumentException("--target must be both, sentinel or mosquitto, was " + target);
        }
        overrides = Map.copyOf(overrides);
        check("--origin-outage-for", outageFor, 0, 600);
        if (outageFor > 0) {
            check("--origin-outage-at", outageAt, 0, seconds - 1);
            if (!target.equals("sentinel")) {
                throw new IllegalArgumentException("an origin outage needs --target sentinel (the direct scenario "
                        + "has no path to the origin while it is down), was " + target);
            }
        } else if (outageAt != 0) {
            throw new IllegalArgumentException("--origin-outage-at needs --origin-outage-for");
        }
    }

    static LoadOptions parse(String... args) {
        int devices = 500;
        int rate = 5_000;
        int seconds = 15;
        int warmup = 15;
        int drain = 60;
        String target = null;
        int outageAt = 0;
        int outageFor = 0;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0 && !name.equals("--set")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value; " + USAGE);
            }
            switch (name) {
                case "--devices" -> devices = integer(name, value);
                case "--rate" -> rate = integer(name, value);
                case "--seconds" -> seconds = integer(name, value);
                case "--warmup" -> warmup = integer(name, value);
                case "--drain" -> drain = integer(name, value);
                case "--target" -> target = value.toLowerCase(Locale.ROOT);
                case "--origin-outage-at" -> outageAt = integer(name, value);
                case "--origin-outage-for" -> outageFor = integer(name, value);
                case "--set" -> {
                    int at = value.indexOf('=');
                    if (at <= 0 || !value.startsWith("SENTINEL_")) {
                        throw new IllegalArgumentException("--set takes SENTINEL_KEY=VALUE, was " + value);
                    }
                    overrides.put(value.substring(0, at), value.substring(at + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + name + "; " + USAGE);
            }
        }
        if (target == null) {
            target = outageFor > 0 ? "sentinel" : "both";
        }
        return new LoadOptions(devices, rate, seconds, warmup, drain, target, overrides, outageAt, outageFor);
    }

    /** @return {@code true} when the origin is to be stopped and started again during the measured phase */
    boolean outage() {
        return outageFor > 0;
    }

    /** @return messages each device sends per second */
    double perDeviceRate() {
        return (double) rate / devices;
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was " + value);
        }
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
