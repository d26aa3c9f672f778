package io.mqttsentinel.demo;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The demo's own message formats: device telemetry and origin alerts, small JSON objects that carry what the
 * books need (a sequence or alert number and the send time on this JVM's ticker) in front of the readings.
 */
final class Messages {
    private Messages() {
    }

    /**
     * @param seq    the device's sequence number
     * @param sentAt the send time
     * @param device the device's index (varies the readings)
     * @return {@code {"seq":12,"t":..., "temp":21.4,"battery":88}}
     */
    static byte[] telemetry(int seq, long sentAt, int device) {
        double temp = 18 + (device % 70) / 10.0 + Math.sin(seq / 5.0);
        int battery = 100 - (seq + device) % 60;
        return String.format(Locale.ROOT, "{\"seq\":%d,\"t\":%d,\"temp\":%.1f,\"battery\":%d}", seq, sentAt, temp, battery)
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param n      the alert's number for its device
     * @param sentAt the send time
     * @return {@code {"alert":"check sensor","n":3,"t":...}}
     */
    static byte[] alert(int n, long sentAt) {
        return ("{\"alert\":\"check sensor\",\"n\":" + n + ",\"t\":" + sentAt + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param payload one of the demo's messages
     * @param name    a field whose value is an integer
     * @return its value, or -1 when the payload has no such field first in line (not one of the demo's messages)
     */
    static long field(byte[] payload, String name) {
        byte[] key = ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(payload, key);
        if (at < 0) {
            return -1;
        }
        long v = 0;
        int i = at + key.length;
        int digits = 0;
        while (i < payload.length && payload[i] >= '0' && payload[i] <= '9' && digits < 19) {
            v = v * 10 + (payload[i++] - '0');
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    private static int indexOf(byte[] a, byte[] key) {
        int limit = Math.min(a.length, 64) - key.length; // the demo's fields come first
        outer:
        for (int i = 0; i <= limit; i++) {
            for (int j = 0; j < key.length; j++) {
                if (a[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
