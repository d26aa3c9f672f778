package io.mqttsentinel.mqtt.internal;

import io.mqttsentinel.mqtt.Direction;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.mqtt.ProtocolViolation;
import io.netty.buffer.ByteBuf;

/**
 * The rules of MQTT 3.1.1 that a packet's bytes must keep, checked on a complete frame before anything is
 * decoded into objects. Stateless; every method returns {@code null} when the packet is valid, or the
 * violation.
 */
public final class PacketRules {
    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int UNSUBSCRIBE = 10;
    static final int UNSUBACK = 11;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    private PacketRules() {
    }

    /**
     * Checks the first byte of a packet: type 1 to 14, allowed in this direction, with the reserved
     * flag bits MQTT 3.1.1 prescribes.
     *
     * @param firstByte the fixed header's first byte
     * @param direction who sent it
     * @return the violation, or {@code null}
     */
    public static ProtocolViolation checkFixedHeader(int firstByte, Direction direction) {
        int type = firstByte >>> 4;
        int flags = firstByte & 0x0F;
        if (type < CONNECT || type > DISCONNECT) {
            return ProtocolViolation.INVALID_PACKET_TYPE;
        }
        if (!allowed(type, direction)) {
            return ProtocolViolation.INVALID_PACKET_TYPE;
        }
        switch (type) {
            case PUBLISH:
                if (((flags >>> 1) & 0x03) == 3) {
                    return ProtocolViolation.INVALID_QOS;
                }
                return null;
            case PUBREL:
            case SUBSCRIBE:
            case UNSUBSCRIBE:
                return flags == 0x02 ? null : ProtocolViolation.RESERVED_FLAGS;
            default:
                return flags == 0 ? null : ProtocolViolation.RESERVED_FLAGS;
        }
    }

    private static boolean allowed(int type, Direction direction) {
        switch (type) {
            case PUBLISH:
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP:
                return true;
            case CONNECT:
            case SUBSCRIBE:
            case UNSUBSCRIBE:
            case PINGREQ:
            case DISCONNECT:
                return direction == Direction.CLIENT_TO_SERVER;
            default: // CONNACK, SUBACK, UNSUBACK, PINGRESP
                return direction == Direction.SERVER_TO_CLIENT;
        }
    }

    /**
     * Checks a complete packet's variable header and payload.
     *
     * @param frame      the whole packet, fixed header included, from its reader index
     * @param headerLen  length of the fixed header (1 + remaining-length bytes)
     * @param direction  who sent it
     * @param limits     the limits
     * @return the violation, or {@code null}
     */
    public static ProtocolViolation checkBody(ByteBuf frame, int headerLen, Direction direction, MqttLimits limits) {
        int base = frame.readerIndex();
        int first = frame.getUnsignedByte(base);
        int type = first >>> 4;
        int start = base + headerLen;
        int end = base + frame.readableBytes();
        int rl = end - start;
        switch (type) {
            case CONNECT:
                return checkConnect(frame, start, end, limits);
            case PUBLISH:
                return checkPublish(frame, first, start, end);
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP:
            case UNSUBACK:
                if (rl != 2) {
                    return ProtocolViolation.MALFORMED_PACKET;
                }
                return frame.getUnsignedShort(start) == 0 ? ProtocolViolation.INVALID_PACKET_ID : null;
            case SUBSCRIBE:
                return checkSubscribe(frame, start, end, true);
            case UNSUBSCRIBE:
                return checkSubscribe(frame, start, end, false);
            case CONNACK:
                if (rl != 2 || (frame.getUnsignedByte(start) & 0xFE) != 0 || frame.getUnsignedByte(start + 1) > 5) {
                    return ProtocolViolation.MALFORMED_PACKET;
                }
                return null;
            case SUBACK:
                return checkSuback(frame, start, end);
            default: // PINGREQ, PINGRESP, DISCONNECT
                return rl == 0 ? null : ProtocolViolation.MALFORMED_PACKET;
        }
    }

    private static ProtocolViolation checkConnect(ByteBuf b, int p, int end, MqttLimits limits) {
        // protocol name: 2-byte length + "MQTT"
        if (end - p < 2) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        int nameLen = b.getUnsignedShort(p);
        if (nameLen == 6 && end - p >= 8) {
            return protocolNameOrLevel(b, p);
        }
        if (nameLen != 4) {
            return ProtocolViolation.BAD_PROTOCOL_NAME;
        }
        if (end - p < 2 + 4 + 1 + 1 + 2) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        if (b.getByte(p + 2) != 'M' || b.getByte(p + 3) != 'Q' || b.getByte(p + 4) != 'T' || b.getByte(p + 5) != 'T') {
            return ProtocolViolation.BAD_PROTOCOL_NAME;
        }
        p += 6;
        int level = b.getUnsignedByte(p++);
        if (level != 4) {
            return ProtocolViolation.UNSUPPORTED_PROTOCOL_LEVEL;
        }
        int flags = b.getUnsignedByte(p++);
        p += 2; // keep-alive: any value
        boolean username = (flags & 0x80) != 0;
        boolean password = (flags & 0x40) != 0;
        boolean willRetain = (flags & 0x20) != 0;
        int willQos = (flags >>> 3) & 0x03;
        boolean will = (flags & 0x04) != 0;
        boolean cleanSession = (flags & 0x02) != 0;
        if ((flags & 0x01) != 0 || willQos == 3 || (!will && (willQos != 0 || willRetain)) || (password && !username)) {
            return ProtocolViolation.BAD_CONNECT_FLAGS;
        }
        // payload: client id
        int idLen = stringLength(b, p, end);
        if (idLen < 0) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        if (!Utf8.isValidMqttString(b, p + 2, idLen)) {
            return ProtocolViolation.INVALID_UTF8;
        }
        if ((idLen == 0 && !cleanSession) || idLen > limits.maxClientIdLength()) {
            return ProtocolViolation.IDENTIFIER_REJECTED;
        }
        p += 2 + idLen;
        if (will) {
            int topicLen = stringLength(b, p, end);
            if (topicLen < 0) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            if (!Utf8.isValidMqttString(b, p + 2, topicLen)) {
                return ProtocolViolation.INVALID_UTF8;
            }
            if (topicLen == 0 || containsWildcard(b, p + 2, topicLen)) {
                return ProtocolViolation.INVALID_TOPIC_NAME;
            }
            p += 2 + topicLen;
            int msgLen = stringLength(b, p, end); // binary data, same length prefix
            if (msgLen < 0) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            p += 2 + msgLen;
        }
        if (username) {
            int len = stringLength(b, p, end);
            if (len < 0) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            if (!Utf8.isValidMqttString(b, p + 2, len)) {
                return ProtocolViolation.INVALID_UTF8;
            }
            p += 2 + len;
        }
        if (password) {
            int len = stringLength(b, p, end);
            if (len < 0) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            p += 2 + len;
        }
        return p == end ? null : ProtocolViolation.MALFORMED_PACKET;
    }

    /** A 6-byte protocol name is MQTT 3.1's "MQIsdp": refuse it as an unsupported level, not as garbage. */
    private static ProtocolViolation protocolNameOrLevel(ByteBuf b, int p) {
        byte[] expected = {'M', 'Q', 'I', 's', 'd', 'p'};
        for (int i = 0; i < 6; i++) {
            if (b.getByte(p + 2 + i) != expected[i]) {
                return ProtocolViolation.BAD_PROTOCOL_NAME;
            }
        }
        return ProtocolViolation.UNSUPPORTED_PROTOCOL_LEVEL;
    }

    private static ProtocolViolation checkPublish(ByteBuf b, int first, int p, int end) {
        int qos = (first >>> 1) & 0x03;
        int topicLen = stringLength(b, p, end);
        if (topicLen < 0) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        if (!Utf8.isValidMqttString(b, p + 2, topicLen)) {
            return ProtocolViolation.INVALID_UTF8;
        }
        if (topicLen == 0 || containsWildcard(b, p + 2, topicLen)) {
            return ProtocolViolation.INVALID_TOPIC_NAME;
        }
        p += 2 + topicLen;
        if (qos > 0) {
            if (end - p < 2) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            if (b.getUnsignedShort(p) == 0) {
                return ProtocolViolation.INVALID_PACKET_ID;
            }
        }
        return null;
    }

    private static ProtocolViolation checkSubscribe(ByteBuf b, int p, int end, boolean subscribe) {
        if (end - p < 2) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        if (b.getUnsignedShort(p) == 0) {
            return ProtocolViolation.INVALID_PACKET_ID;
        }
        p += 2;
        if (p == end) {
            return ProtocolViolation.EMPTY_SUBSCRIPTION;
        }
        while (p < end) {
            int len = stringLength(b, p, end);
            if (len < 0) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
            if (!Utf8.isValidMqttString(b, p + 2, len)) {
                return ProtocolViolation.INVALID_UTF8;
            }
            if (!isValidFilter(b, p + 2, len)) {
                return ProtocolViolation.INVALID_TOPIC_FILTER;
            }
            p += 2 + len;
            if (subscribe) {
                if (p >= end) {
                    return ProtocolViolation.MALFORMED_PACKET;
                }
                int options = b.getUnsignedByte(p++);
                if ((options & 0xFC) != 0) {
                    return ProtocolViolation.MALFORMED_PACKET;
                }
                if (options == 3) {
                    return ProtocolViolation.INVALID_QOS;
                }
            }
        }
        return null;
    }

    private static ProtocolViolation checkSuback(ByteBuf b, int p, int end) {
        if (end - p < 3) {
            return ProtocolViolation.MALFORMED_PACKET;
        }
        if (b.getUnsignedShort(p) == 0) {
            return ProtocolViolation.INVALID_PACKET_ID;
        }
        for (int i = p + 2; i < end; i++) {
            int rc = b.getUnsignedByte(i);
            if (rc > 2 && rc != 0x80) {
                return ProtocolViolation.MALFORMED_PACKET;
            }
        }
        return null;
    }

    /** @return the string's length when its 2-byte prefix and its bytes fit before {@code end}, else -1 */
    private static int stringLength(ByteBuf b, int p, int end) {
        if (end - p < 2) {
            return -1;
        }
        int len = b.getUnsignedShort(p);
        return p + 2 + len <= end ? len : -1;
    }

    // The topic rule of io.mqttsentinel.api.Topics (isValidName, isValidFilter), applied to the wire bytes so that
    // the decoder validates without decoding a String; UTF-8, U+0000 and the length are checked by Utf8 and the
    // 2-byte length prefix. Keep the two in step.
    private static boolean containsWildcard(ByteBuf b, int p, int len) {
        for (int i = p; i < p + len; i++) {
            byte c = b.getByte(i);
            if (c == '+' || c == '#') {
                return true;
            }
        }
        return false;
    }

    private static boolean isValidFilter(ByteBuf b, int p, int len) {
        if (len == 0) {
            return false;
        }
        int end = p + len;
        for (int i = p; i < end; i++) {
            byte c = b.getByte(i);
            if (c == '+' || c == '#') {
                boolean startsLevel = i == p || b.getByte(i - 1) == '/';
                boolean endsLevel = i == end - 1 || b.getByte(i + 1) == '/';
                if (!startsLevel || !endsLevel || (c == '#' && i != end - 1)) {
                    return false;
                }
            }
        }
        return true;
    }
}
