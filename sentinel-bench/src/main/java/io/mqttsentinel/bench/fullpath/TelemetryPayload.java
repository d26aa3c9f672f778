package io.mqttsentinel.bench.fullpath;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The JSON telemetry a device sends: its run, device index, sequence number and intended send time, plus a few
 * sensor values so that the inspector has ordinary JSON to walk.
 *
 * <pre>{"run":"r1","device":7,"seq":42,"sent_us":1764000000000000,"temp":21.4,"humidity":40.5,"battery":87,"status":"ok"}</pre>
 *
 * <p>{@code sent_us} is microseconds since the epoch on a monotonic clock anchored once per JVM (devices and the
 * origin's subscriber run in the same JVM, so their times compare without clock skew).
 *
 * @param run     the scenario's run id: a message of another run is ignored
 * @param device  the device's index
 * @param seq     the device's sequence number, from 0
 * @param sentMicros when the message was due to be sent
 */
record TelemetryPayload(String run, int device, long seq, long sentMicros) {
    private static final long EPOCH_MICROS_AT_START = System.currentTimeMillis() * 1_000;
    private static final long NANOS_AT_START = System.nanoTime();

    /** @return microseconds since the epoch, monotonic */
    static long nowMicros() {
        return micros(System.nanoTime());
    }

    /** @return {@code nanoTime} (a {@link System#nanoTime()} reading) as microseconds since the epoch */
    static long micros(long nanoTime) {
        return EPOCH_MICROS_AT_START + (nanoTime - NANOS_AT_START) / 1_000;
    }

    byte[] encode() {
        // benign sensor values that vary a little, so that no two payloads are the same bytes
        double temp = 18 + (seq % 80) / 10.0;
        double humidity = 35 + (device % 30) + (seq % 10) / 10.0;
        return String.format(Locale.ROOT,
                "{\"run\":\"%s\",\"device\":%d,\"seq\":%d,\"sent_us\":%d,\"temp\":%.1f,\"humidity\":%.1f,\"battery\":%d,"
                        + "\"status\":\"ok\"}", run, device, seq, sentMicros, temp, humidity, 100 - (int) (seq % 60))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param json a payload written by {@link #encode()}
     * @return the parsed fields, or {@code null} when the payload is not one of ours
     */
    static TelemetryPayload decode(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        String run = text(s, "run");
        long device = number(s, "device");
        long seq = number(s, "seq");
        long sent = number(s, "sent_us");
        if (run == null || device < 0 || device > Integer.MAX_VALUE || seq < 0 || sent < 0) {
            return null;
        }
        return new TelemetryPayload(run, (int) device, seq, sent);
    }

    private static String text(String s, String field) {
        String key = "\"" + field + "\":\"";
        int from = s.indexOf(key);
        if (from < 0) {
            return null;
        }
        from += key.length();
        int to = s.indexOf('"', from);
        return to < 0 ? null : s.substring(from, to);
    }

    private static long number(String s, String field) {
        String key = "\"" + field + "\":";
        int i = s.indexOf(key);
        if (i < 0) {
            return -1;
        }
        i += key.length();
        long v = 0;
        int digits = 0;
        for (; i < s.length() && Character.isDigit(s.charAt(i)) && digits < 18; i++, digits++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return digits == 0 ? -1 : v;
    }
}
