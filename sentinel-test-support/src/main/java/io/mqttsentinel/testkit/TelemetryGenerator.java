package io.mqttsentinel.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded generator of benign device telemetry: JSON with quotes and apostrophes, the words select, union,
 * drop, script, or, and, file paths, URLs with query strings, base64 blobs, numbers and arrays, nested
 * objects, free-text notes an operator might type; plus plain-text lines and binary sensor frames. Used by
 * the false-positive test and by the benchmarks (so both measure the same traffic).
 */
public final class TelemetryGenerator {

    private static final String[] STATUS = {
        "ok", "warning", "idle", "sleep", "select mode", "union hall", "drop detected", "script running", "online",
        "offline", "rebooting", "calibrating", "low battery", "door open", "type A", "set point reached", "exec ok",
        "from cache", "order placed", "group 4", "start", "timeout", "cat flap open", "id mismatch", "echo test"
    };
    private static final String[] NAMES = {
        "O'Reilly Hall", "St. John's Wing", "Bob's \"quiet\" room", "Dr. D'Souza", "Lab 3 (north)", "Kitchen & Pantry",
        "Tom & Jerry's", "L'Oréal depot", "Zürich HQ", "Café 'Le Select'", "Union Station", "Drop Zone 2",
        "Script Room", "Warehouse #7", "Dock 4; bay 2", "Rock 'n' Roll Lane", "50% Floor", "Room <2>"
    };
    private static final String[] NOTES = {
        "Operator's note: select the union hall sensors and drop readings below 0",
        "It's fine, don't worry - we'll check it tomorrow",
        "Reading was 21.5 and humidity 40%, or so the gauge said",
        "Temp > 30 and humidity < 40 for 5 min",
        "Select 'Auto' mode, then press OK",
        "script v2.1 started at boot; next run in 5 min",
        "User said: \"the drop-down didn't load\"",
        "Replaced filter (model X-200) - old one was worn",
        "Union rep visited; select staff only",
        "Delete old logs from /var/log/sensor/ when full",
        "Firmware 1.4.2 -> 1.4.3 (rollback if it fails)",
        "Fan speed 3/4, valve 1/2 open",
        "Note: O'Brien & Sons will service unit #12 on Monday",
        "check https://status.example.com/devices?id=42&view=full",
        "if temp > 30 then alarm",
        "when level = 3 raise alert",
        "Order by 5pm for next-day delivery",
        "Group by floor, then room",
        "C:\\ProgramData\\Sensor\\logs\\today.txt rotated",
        "ping from gateway took 12 ms",
        "Cat is on the sensor again :)",
        "Back-up done; 3 files copied",
        "Sleep mode in 10 minutes",
        "left <3 for the night shift",
        "battery 20% - replace soon!!",
        "The \"select\" button is stuck",
        "Dropped 2 packets; retrying",
        "Echo cancellation on, gain = 6 dB",
        "Script 'calibrate' ran OK",
        "1; 2; 3 readings averaged",
        "pipe a|b|c flows normal",
        "A & B zones armed",
        "from 08:00 to 17:00 (Mon-Fri)",
        "Select a, b from the list",
        "and then the alarm stopped",
        "Wait... it's back online",
        "see ../docs for details",
        "value = 'n/a'",
        "Where's the manual?",
        "type: humidity; unit: %",
        "SET point 21 C",
        "He said 'or else' twice",
        "~/data/export.csv uploaded",
        "1 or 2 units offline",
        "5 AND 6 are the same model",
        "restart at 03:00 & report",
    };
    private static final String[] PATHS = {
        "/var/log/sensor/app.log", "/opt/device/bin/agent", "/home/pi/data/2026-11-25.csv", "C:\\ProgramData\\Sensor\\config.json",
        "/etc/device/agent.conf", "/tmp/upload.bin", "./firmware/v1.4.3.bin", "D:/exports/floor_3.csv", "~/captures/cam1.jpg",
        "/sys/class/thermal/thermal_zone0/temp"
    };
    private static final String[] URLS = {
        "https://api.example.com/v1/devices/42/telemetry?fields=temp,hum&limit=10",
        "http://192.168.1.20:8080/status?verbose=1&format=json",
        "https://cdn.example.org/fw/sensor-1.4.3.bin?sig=abc123&exp=1732500000",
        "mqtts://broker.example.com:8883/devices/d1",
        "https://example.com/search?q=select+union&lang=en",
        "https://maps.example.com/?ll=47.37,8.54&z=12#view",
        "https://example.com/a%20b/c?x=1%2B2"
    };

    private final SplittableRandom random;
    private long seq;

    /** @param seed the seed: the same seed gives the same messages */
    public TelemetryGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private String number() {
        return String.format(Locale.ROOT, "%.2f", random.nextDouble(-40, 120));
    }

    /** @return one benign message */
    public byte[] next() {
        int kind = random.nextInt(100);
        if (kind < 3) {
            return binaryFrame();
        }
        if (kind < 6) {
            return (pick(NOTES) + "\n").getBytes(StandardCharsets.UTF_8);
        }
        return json(0).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param targetBytes approximate size
     * @return a JSON telemetry message of about that many bytes
     */
    public byte[] jsonOfSize(int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 256);
        sb.append("{\"device\":\"sensor-").append(random.nextInt(10000)).append("\",\"readings\":[");
        boolean first = true;
        while (sb.length() < targetBytes - 40) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"ts\":\"2026-11-25T03:").append(10 + random.nextInt(50)).append(":00Z\",\"temp\":").append(number())
                    .append(",\"hum\":").append(random.nextInt(100)).append(",\"status\":\"ok\",\"fw\":\"1.4.3\"}");
        }
        sb.append("],\"seq\":").append(seq++).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A message whose every value is free text a person or a device might write (notes, place names, paths,
     * URLs, drawn at random): the most work a benign message can give the signature detectors.
     *
     * @param targetBytes approximate size
     * @return a JSON object of about that many bytes
     */
    public byte[] proseJsonOfSize(int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 256);
        sb.append("{\"device\":\"sensor-").append(random.nextInt(10000)).append('"');
        int n = 0;
        while (sb.length() < targetBytes - 40) {
            String[] kind = switch (random.nextInt(4)) {
                case 0, 1 -> NOTES;
                case 2 -> NAMES;
                default -> random.nextBoolean() ? PATHS : URLS;
            };
            sb.append(",\"text").append(n++).append("\":").append(quote(pick(kind)));
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] binaryFrame() {
        byte[] b = new byte[16 + random.nextInt(240)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        b[0] = (byte) 0xA5; // frame marker: never valid UTF-8 in the first byte
        return b;
    }

    private String json(int depth) {
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        sb.append("\"deviceId\":").append(quote("sensor-" + random.nextInt(100000)));
        sb.append(",\"ts\":").append(quote("2026-11-25T0" + random.nextInt(10) + ":" + (10 + random.nextInt(50)) + ":00.123Z"));
        sb.append(",\"seq\":").append(seq++);
        sb.append(",\"temp\":").append(number());
        sb.append(",\"humidity\":").append(random.nextInt(101));
        sb.append(",\"status\":").append(quote(pick(STATUS)));
        int extra = 1 + random.nextInt(5);
        for (int i = 0; i < extra; i++) {
            switch (random.nextInt(9)) {
                case 0 -> sb.append(",\"location\":{\"building\":").append(quote(pick(NAMES))).append(",\"floor\":")
                        .append(random.nextInt(20)).append('}');
                case 1 -> sb.append(",\"note\":").append(quote(pick(NOTES)));
                case 2 -> sb.append(",\"file\":").append(quote(pick(PATHS)));
                case 3 -> sb.append(",\"url\":").append(quote(pick(URLS)));
                case 4 -> {
                    byte[] blob = new byte[12 + random.nextInt(120)];
                    for (int k = 0; k < blob.length; k++) {
                        blob[k] = (byte) random.nextInt(256);
                    }
                    sb.append(",\"blob\":").append(quote(Base64.getEncoder().encodeToString(blob)));
                }
                case 5 -> {
                    sb.append(",\"samples\":[");
                    int n = 3 + random.nextInt(20);
                    for (int k = 0; k < n; k++) {
                        sb.append(k == 0 ? "" : ",").append(number());
                    }
                    sb.append(']');
                }
                case 6 -> sb.append(",\"ok\":").append(random.nextBoolean()).append(",\"error\":null");
                case 7 -> {
                    if (depth < 2) {
                        sb.append(",\"child\":").append(json(depth + 1));
                    }
                }
                default -> sb.append(",\"tags\":[").append(quote(pick(STATUS))).append(',').append(quote(pick(NAMES)))
                        .append(']');
            }
        }
        return sb.append('}').toString();
    }
}
