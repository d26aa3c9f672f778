package io.mqttsentinel.inspect;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Payloads the signature rules block, one per class, for the inspectors' contract tests. */
final class KnownAttacks {
    private KnownAttacks() {
    }

    static List<byte[]> blocked() {
        return List.of(
                bytes("x' OR '1'='1"),
                bytes("1 UNION SELECT password FROM users"),
                bytes("{\"note\":\"1' OR '1'='1\"}"),
                bytes("; cat /etc/passwd"),
                bytes("<script>alert(1)</script>"),
                bytes("../../../etc/passwd"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
