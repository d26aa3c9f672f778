package io.mqttsentinel.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogRecord;

/**
 * The on-disk record format. All integers are big-endian.
 *
 * <pre>
 *  0  int32  bodyLength   bytes after the crc field
 *  4  int32  crc          CRC32C over bodyLength (4 bytes) and the body, so a torn length is caught too
 *  8  int8   magic        {@value #MAGIC}
 *  9  int64  offset       the record's offset; checked on read so stale bytes past a truncation never pass
 * 17  int64  appendTime   the log clock when it was appended (retention)
 * 25  int64  timestamp    LogEntry.timestampMillis
 * 33  int8   qos
 * 34  uint16 topicLength, topic (UTF-8)
 *     uint16 clientIdLength, clientId (UTF-8)
 *     int32  payloadLength, payload
 * </pre>
 */
final class RecordCodec {
    static final byte MAGIC = 1;
    static final int HEADER = 8;
    static final int OFFSET_AT = 9;
    static final int APPEND_TIME_AT = 17;
    /** Smallest possible body: everything but the three variable parts. */
    static final int MIN_BODY = 1 + 8 + 8 + 8 + 1 + 2 + 2 + 4;

    private RecordCodec() {
    }

    /** Encodes {@code entry} with zero offset, append time and crc; {@link #seal} fills them in. */
    static byte[] encode(LogEntry entry) {
        byte[] topic = entry.topic().getBytes(StandardCharsets.UTF_8);
        byte[] client = entry.clientId().getBytes(StandardCharsets.UTF_8);
        if (topic.length > 0xFFFF) {
            throw new IllegalArgumentException("topic must be at most 65535 UTF-8 bytes, was " + topic.length);
        }
        if (client.length > 0xFFFF) {
            throw new IllegalArgumentException("clientId must be at most 65535 UTF-8 bytes, was " + client.length);
        }
        byte[] payload = entry.payload();
        int body = MIN_BODY + topic.length + client.length + payload.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + body);
        b.putInt(body).putInt(0).put(MAGIC).putLong(0).putLong(0).putLong(entry.timestampMillis())
                .put((byte) entry.qos())
                .putShort((short) topic.length).put(topic)
                .putShort((short) client.length).put(client)
                .putInt(payload.length).put(payload);
        return b.array();
    }

    /** Writes offset and append time into an encoded record and computes its checksum. */
    static void seal(byte[] record, long offset, long appendTime) {
        ByteBuffer b = ByteBuffer.wrap(record);
        b.putLong(OFFSET_AT, offset).putLong(APPEND_TIME_AT, appendTime);
        CRC32C crc = new CRC32C();
        crc.update(record, 0, 4);
        crc.update(record, HEADER, record.length - HEADER);
        b.putInt(4, (int) crc.getValue());
    }

    /**
     * Checks the record that starts at {@code buf}'s position without moving it.
     *
     * @return the record's total size, {@code 0} when the buffer holds only part of a plausible record, or
     *         {@code -1} when the bytes are not a valid record (bad length, checksum or magic)
     */
    static int check(ByteBuffer buf, long remainingInFile) {
        int at = buf.position();
        if (buf.remaining() < HEADER) {
            return remainingInFile < HEADER ? -1 : 0;
        }
        int body = buf.getInt(at);
        if (body < MIN_BODY || (long) body + HEADER > remainingInFile) {
            return -1;
        }
        int total = HEADER + body;
        if (buf.remaining() < total) {
            return 0;
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(at).limit(at + 4));
        crc.update(buf.duplicate().position(at + HEADER).limit(at + total));
        if ((int) crc.getValue() != buf.getInt(at + 4) || buf.get(at + HEADER) != MAGIC) {
            return -1;
        }
        return total;
    }

    static long offsetAt(ByteBuffer buf) {
        return buf.getLong(buf.position() + OFFSET_AT);
    }

    static long appendTimeAt(ByteBuffer buf) {
        return buf.getLong(buf.position() + APPEND_TIME_AT);
    }

    /** Decodes a checked record at {@code buf}'s position and advances past it. */
    static LogRecord decode(ByteBuffer buf) {
        int start = buf.position();
        int body = buf.getInt(start);
        buf.position(start + HEADER + 1);
        long offset = buf.getLong();
        buf.getLong(); // append time
        long timestamp = buf.getLong();
        int qos = buf.get();
        String topic = string(buf, Short.toUnsignedInt(buf.getShort()));
        String client = string(buf, Short.toUnsignedInt(buf.getShort()));
        byte[] payload = new byte[buf.getInt()];
        buf.get(payload);
        buf.position(start + HEADER + body);
        return new LogRecord(new LogPosition(0, offset), new LogEntry(topic, payload, qos, client, timestamp));
    }

    private static String string(ByteBuffer buf, int length) {
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), length, StandardCharsets.UTF_8);
        buf.position(buf.position() + length);
        return s;
    }
}
