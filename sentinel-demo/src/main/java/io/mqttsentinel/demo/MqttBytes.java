package io.mqttsentinel.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * MQTT 3.1.1 packets as bytes, for the attackers that talk below any client library: a CONNECT flood that
 * needs no client object per connection, and packets the strict codec must refuse. One commented line per
 * field, in the specification's order.
 */
final class MqttBytes {
    /** One kind of broken first packet, with the violation the proxy counts for it. */
    record Malformed(String reason, byte[] bytes, boolean overTls) {
    }

    private MqttBytes() {
    }

    /**
     * @param clientId the client id
     * @return a valid CONNECT without credentials: protocol "MQTT" level 4, clean session, keep-alive 60 s
     */
    static byte[] anonymousConnect(String clientId) {
        return connect("MQTT", 4, 0x02, clientId);
    }

    /** @return the broken packets the demo sends, one connection each */
    static List<Malformed> malformed() {
        return List.of(
                new Malformed("bad_protocol_name", connect("MQTX", 4, 0x02, "malformed-1"), true),
                new Malformed("unsupported_protocol_level", connect("MQTT", 3, 0x02, "malformed-2"), true),
                // reserved bit 0 of the connect flags set
                new Malformed("bad_connect_flags", connect("MQTT", 4, 0x03, "malformed-3"), true),
                new Malformed("first_packet_not_connect", new byte[] {
                    (byte) 0xC0, // PINGREQ
                    0x00,        // remaining length 0
                }, true),
                new Malformed("invalid_packet_type", new byte[] {
                    (byte) 0xF0, // type 15: reserved
                    0x00,        // remaining length 0
                }, true),
                new Malformed("malformed_remaining_length", new byte[] {
                    0x10,                                            // CONNECT
                    (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, // four continuation bytes...
                    0x01,                                            // ...and a fifth: at most four are allowed
                }, true),
                new Malformed("packet_too_large", new byte[] {
                    0x10,                                            // CONNECT
                    (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F,     // remaining length 268,435,455: refused unread
                }, true),
                // MQTT in clear text to the TLS port: the TLS layer refuses it before the codec
                new Malformed("not_tls", anonymousConnect("malformed-8"), false));
    }

    private static byte[] connect(String protocol, int level, int flags, String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, protocol);   // protocol name
        body.write(level);        // protocol level
        body.write(flags);        // connect flags
        body.write(0);            // keep-alive MSB
        body.write(60);           // keep-alive LSB: 60 s
        string(body, clientId);   // payload: client id
        return packet(0x10, body.toByteArray());
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int n = body.length;
        do { // remaining length: 7 bits per byte, continuation bit 0x80
            int b = n % 128;
            n /= 128;
            out.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }
}
