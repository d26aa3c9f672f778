package io.mqttsentinel.broker.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary payload of a session state record ({@code $sentinel/session/{client_id}} in the message log):
 * the subscriptions of a persistent session and its delivery watermark per log partition. The last
 * record of a client id wins; a record with the {@code deleted} flag ends the session.
 *
 * <pre>
 * byte    version (1)
 * byte    flags (bit 0: deleted)
 * int     subscription count, then per subscription: UTF filter, byte granted QoS
 * int     partition count, then per partition: int partition, long watermark offset
 * </pre>
 */
public final class SessionRecords {
    private static final int VERSION = 1;

    /**
     * The decoded content of a record.
     *
     * @param deleted       whether the session ended
     * @param subscriptions filter to granted QoS, in order
     * @param watermarks    partition to watermark offset
     */
    public record State(boolean deleted, Map<String, Integer> subscriptions, Map<Integer, Long> watermarks) {
    }

    private SessionRecords() {
    }

    /**
     * @param subscriptions filter to granted QoS
     * @param watermarks    partition to watermark
     * @return the payload
     */
    public static byte[] encode(Map<String, Integer> subscriptions, Map<Integer, Long> watermarks) {
        return write(false, subscriptions, watermarks);
    }

    /** @return the payload of a record that ends a session */
    public static byte[] deleted() {
        return write(true, Map.of(), Map.of());
    }

    private static byte[] write(boolean deleted, Map<String, Integer> subscriptions, Map<Integer, Long> watermarks) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + subscriptions.size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(deleted ? 1 : 0);
            out.writeInt(subscriptions.size());
            for (Map.Entry<String, Integer> e : subscriptions.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeByte(e.getValue());
            }
            out.writeInt(watermarks.size());
            for (Map.Entry<Integer, Long> e : watermarks.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * @param payload a record's payload
     * @return its state
     * @throws IllegalArgumentException when the payload is not a session record of a known version
     */
    public static State decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown session record version " + version);
            }
            boolean deleted = (in.readUnsignedByte() & 1) != 0;
            int subs = in.readInt();
            if (subs < 0 || subs > payload.length) {
                throw new IllegalArgumentException("bad subscription count " + subs);
            }
            Map<String, Integer> subscriptions = new LinkedHashMap<>();
            for (int i = 0; i < subs; i++) {
                String filter = in.readUTF();
                subscriptions.put(filter, (int) in.readByte());
            }
            int parts = in.readInt();
            if (parts < 0 || parts > payload.length) {
                throw new IllegalArgumentException("bad partition count " + parts);
            }
            Map<Integer, Long> watermarks = new LinkedHashMap<>();
            for (int i = 0; i < parts; i++) {
                watermarks.put(in.readInt(), in.readLong());
            }
            return new State(deleted, subscriptions, watermarks);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated session record", e);
        }
    }
}
