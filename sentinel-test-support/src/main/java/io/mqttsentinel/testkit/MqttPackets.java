package io.mqttsentinel.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * MQTT 3.1.1 packets as bytes, for tests that talk to a codec or a socket below any client library
 * (malformed packets, exact acknowledgement order, a connection dropped without DISCONNECT).
 *
 * <p>Every writer puts the fields in the order of the specification, one commented line per field, so a
 * fixture reads like the packet diagram. Nothing is validated: a test may write a wildcard topic, a
 * reserved flag or QoS 3 on purpose.
 */
public final class MqttPackets {
    /** First byte of CONNECT. */
    public static final int CONNECT = 0x10;
    /** First byte of PUBLISH with no flags (QoS 0, no DUP, no RETAIN). */
    public static final int PUBLISH = 0x30;
    /** First byte of SUBSCRIBE (its reserved flags are 0b0010). */
    public static final int SUBSCRIBE = 0x82;
    /** First byte of PINGREQ. */
    public static final int PINGREQ = 0xC0;
    /** First byte of DISCONNECT. */
    public static final int DISCONNECT = 0xE0;

    /** CONNECT flag: clean session. */
    public static final int FLAG_CLEAN_SESSION = 0x02;
    /** CONNECT flag: will present. */
    public static final int FLAG_WILL = 0x04;
    /** CONNECT flag: password present. */
    public static final int FLAG_PASSWORD = 0x40;
    /** CONNECT flag: user name present. */
    public static final int FLAG_USERNAME = 0x80;

    private MqttPackets() {
    }

    /**
     * @param clientId the client id
     * @return a valid CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60 s, no will, no credentials
     */
    public static byte[] connect(String clientId) {
        return connectBuilder(clientId).build();
    }

    /**
     * @param clientId the client id
     * @return a builder of a CONNECT that starts as {@link #connect(String)} writes it
     */
    public static Connect connectBuilder(String clientId) {
        return new Connect(clientId);
    }

    /**
     * @param topic    the topic name
     * @param payload  the application message
     * @param qos      0, 1 or 2 (3 to test the refusal)
     * @param packetId the packet identifier, written only when {@code qos > 0}
     * @return a PUBLISH without DUP and RETAIN
     */
    public static byte[] publish(String topic, byte[] payload, int qos, int packetId) {
        return publish(qos << 1, topic, packetId, payload);
    }

    /**
     * @param flags    the low nibble of the first byte: DUP 0x08, QoS bits 0x06, RETAIN 0x01
     * @param topic    the topic name
     * @param packetId the packet identifier, written only when the QoS bits are not 0
     * @param payload  the application message
     * @return the PUBLISH
     */
    public static byte[] publish(int flags, String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);                       // variable header: topic name
        if (((flags >> 1) & 3) > 0) {
            writeShort(body, packetId);                 // variable header: packet identifier (QoS > 0 only)
        }
        body.writeBytes(payload);                       // payload: the application message, no length prefix
        return packet(PUBLISH | (flags & 0x0F), body.toByteArray());
    }

    /**
     * @param packetId the packet identifier
     * @param filter   the one topic filter, or {@code null} for a SUBSCRIBE without any (a protocol violation)
     * @param qos      the requested QoS (3 to test the refusal)
     * @return the SUBSCRIBE
     */
    public static byte[] subscribe(int packetId, String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);                     // variable header: packet identifier
        if (filter != null) {
            writeString(body, filter);                  // payload: topic filter
            body.write(qos);                            // payload: requested QoS
        }
        return packet(SUBSCRIBE, body.toByteArray());
    }

    /** @return a PINGREQ: first byte, remaining length 0 */
    public static byte[] pingreq() {
        return new byte[] {(byte) PINGREQ, 0};
    }

    /** @return a DISCONNECT: first byte, remaining length 0 */
    public static byte[] disconnect() {
        return new byte[] {(byte) DISCONNECT, 0};
    }

    /**
     * @param firstByte the packet type and flags
     * @param body      the variable header and payload
     * @return the packet: first byte, remaining length (7 bits per byte, high bit = more), body
     */
    public static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        out.writeBytes(remainingLength(body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * One packet read from a stream: its first byte and its body (variable header and payload).
     *
     * @param firstByte the packet type and flags
     * @param body      what follows the remaining length
     */
    public record Read(int firstByte, byte[] body) {
    }

    /**
     * Reads one packet: the first byte, the remaining length, then that many bytes.
     *
     * @param in the stream, e.g. a socket's
     * @return the packet
     * @throws IOException when the stream ends or fails before the packet is complete
     */
    public static Read read(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.readUnsignedByte();
            length += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Read(first, body);
    }

    /**
     * @param length a remaining length, 0 .. 268,435,455
     * @return its variable-length encoding: 7 bits per byte, least significant first, high bit = more
     */
    public static byte[] remainingLength(int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int len = length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        return out.toByteArray();
    }

    /**
     * Writes an MQTT UTF-8 string: two bytes of length, most significant first, then the bytes.
     *
     * @param out where to write
     * @param s   the string
     */
    public static void writeString(ByteArrayOutputStream out, String s) {
        writeBinary(out, s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes MQTT binary data: two bytes of length, most significant first, then the bytes.
     *
     * @param out  where to write
     * @param data the bytes
     */
    public static void writeBinary(ByteArrayOutputStream out, byte[] data) {
        writeShort(out, data.length);
        out.writeBytes(data);
    }

    /**
     * @param out   where to write
     * @param value a 16-bit value, written most significant byte first
     */
    public static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value & 0xFF);
    }

    /**
     * A CONNECT, field by field. The connect flags follow from the fields set unless {@link #flags(int)}
     * overrides them (to write a reserved bit or a flag without its field).
     */
    public static final class Connect {
        private final String clientId;
        private String protocolName = "MQTT";
        private int protocolLevel = 4;
        private boolean cleanSession = true;
        private int keepAliveSeconds = 60;
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private String username;
        private byte[] password;
        private Integer flags;

        Connect(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
        }

        /**
         * @param name  the protocol name (default "MQTT"; "MQIsdp" is 3.1)
         * @param level the protocol level (default 4, MQTT 3.1.1)
         * @return this builder
         */
        public Connect protocol(String name, int level) {
            this.protocolName = name;
            this.protocolLevel = level;
            return this;
        }

        /**
         * @param clean the clean-session flag (default true)
         * @return this builder
         */
        public Connect cleanSession(boolean clean) {
            this.cleanSession = clean;
            return this;
        }

        /**
         * @param seconds the keep-alive, 0 .. 65535 (default 60; 0 turns it off)
         * @return this builder
         */
        public Connect keepAlive(int seconds) {
            this.keepAliveSeconds = seconds;
            return this;
        }

        /**
         * @param topic   the will topic
         * @param payload the will message
         * @param qos     the will QoS
         * @param retain  the will retain flag
         * @return this builder
         */
        public Connect will(String topic, byte[] payload, int qos, boolean retain) {
            this.willTopic = Objects.requireNonNull(topic, "topic");
            this.willPayload = Objects.requireNonNull(payload, "payload");
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        /**
         * @param user     the user name, or {@code null} for none
         * @param password the password (UTF-8), or {@code null} for none
         * @return this builder
         */
        public Connect credentials(String user, String password) {
            this.username = user;
            this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * @param connectFlags the connect flags byte, written as given instead of the one the fields imply
         * @return this builder
         */
        public Connect flags(int connectFlags) {
            this.flags = connectFlags;
            return this;
        }

        private int impliedFlags() {
            int f = cleanSession ? FLAG_CLEAN_SESSION : 0;
            if (willTopic != null) {
                f |= FLAG_WILL | (willQos << 3) | (willRetain ? 0x20 : 0);
            }
            if (password != null) {
                f |= FLAG_PASSWORD;
            }
            if (username != null) {
                f |= FLAG_USERNAME;
            }
            return f;
        }

        /** @return the CONNECT's bytes */
        public byte[] build() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writeString(body, protocolName);                        // variable header: protocol name
            body.write(protocolLevel);                              // variable header: protocol level
            body.write(flags != null ? flags : impliedFlags());     // variable header: connect flags
            writeShort(body, keepAliveSeconds);                     // variable header: keep-alive, seconds
            writeString(body, clientId);                            // payload: client identifier
            if (willTopic != null) {
                writeString(body, willTopic);                       // payload: will topic
                writeBinary(body, willPayload);                     // payload: will message
            }
            if (username != null) {
                writeString(body, username);                        // payload: user name
            }
            if (password != null) {
                writeBinary(body, password);                        // payload: password
            }
            return packet(CONNECT, body.toByteArray());
        }
    }
}
