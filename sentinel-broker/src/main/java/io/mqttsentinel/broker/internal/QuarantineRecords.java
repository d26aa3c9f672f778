package io.mqttsentinel.broker.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;

/**
 * The records of a quarantine log. Every record is appended under the one topic {@value #TOPIC}, so that all of
 * them share an ordering key (one partition on Kafka) and a marker is always read after the message it names.
 * The entry's client id and time stamp are the publisher's and the receive time (a message) or the operator's and
 * the time of the action (a marker); the payload is a small envelope:
 *
 * <pre>
 * message:  u8 version=1, u8 kind=1, str topic, u16 n, n x (str category, str severity, str action,
 *           str ruleId, str excerpt), the message's payload (the rest)
 * released: u8 version=1, u8 kind=2, i32 partition, i64 offset, str actor
 * deleted:  u8 version=1, u8 kind=3, i32 partition, i64 offset, str actor
 * str:      i32 length, UTF-8 bytes
 * </pre>
 *
 * <p>A record that does not decode (another writer, a newer version) is skipped by the reader, never applied.
 */
public final class QuarantineRecords {
    /** The topic of every record of a quarantine log. */
    public static final String TOPIC = "$quarantine";

    private static final byte VERSION = 1;
    private static final byte MESSAGE = 1;
    private static final byte RELEASED = 2;
    private static final byte DELETED = 3;

    private QuarantineRecords() {
    }

    /** A decoded record. */
    public sealed interface Decoded permits Message, Marker {
    }

    /**
     * A quarantined message.
     *
     * @param topic    where it was published
     * @param findings why it was quarantined
     * @param payload  its payload
     */
    public record Message(String topic, List<Finding> findings, byte[] payload) implements Decoded {
    }

    /**
     * An operator's action on a message.
     *
     * @param target   the message's record
     * @param released {@code true} for a release, {@code false} for a deletion
     * @param actor    who did it
     */
    public record Marker(LogPosition target, boolean released, String actor) implements Decoded {
    }

    /**
     * @param topic     the message's topic
     * @param payload   its payload
     * @param qos       its QoS
     * @param clientId  its publisher
     * @param timeMillis when it was received
     * @param findings  why it is quarantined
     * @return the entry to append
     */
    public static LogEntry message(String topic, byte[] payload, int qos, String clientId, long timeMillis,
                                   List<Finding> findings) {
        List<byte[]> parts = new ArrayList<>();
        int size = 2 + 4 + 2 + payload.length;
        byte[] t = utf8(topic);
        size += t.length;
        for (Finding f : findings) {
            for (String s : List.of(f.category().name(), f.severity().name(), f.action().name(), f.ruleId(), f.excerpt())) {
                byte[] b = utf8(s);
                parts.add(b);
                size += 4 + b.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION).put(MESSAGE).putInt(t.length).put(t).putShort((short) findings.size());
        for (byte[] b : parts) {
            out.putInt(b.length).put(b);
        }
        out.put(payload);
        return new LogEntry(TOPIC, out.array(), qos, clientId, timeMillis);
    }

    /**
     * @param target     the message's record
     * @param released   {@code true} for a release, {@code false} for a deletion
     * @param actor      who did it
     * @param timeMillis when
     * @return the entry to append
     */
    public static LogEntry marker(LogPosition target, boolean released, String actor, long timeMillis) {
        byte[] a = utf8(actor);
        ByteBuffer out = ByteBuffer.allocate(2 + 4 + 8 + 4 + a.length);
        out.put(VERSION).put(released ? RELEASED : DELETED).putInt(target.partition()).putLong(target.offset())
                .putInt(a.length).put(a);
        return new LogEntry(TOPIC, out.array(), 1, "", timeMillis);
    }

    /**
     * @param record a record of a quarantine log
     * @return what it holds, or empty when it is not a record this version writes
     */
    public static Optional<Decoded> read(LogRecord record) {
        if (!TOPIC.equals(record.topic())) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(record.payload());
        try {
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            byte kind = in.get();
            if (kind == MESSAGE) {
                String topic = str(in);
                int n = Short.toUnsignedInt(in.getShort());
                List<Finding> findings = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ThreatCategory category = ThreatCategory.valueOf(str(in));
                    Severity severity = Severity.valueOf(str(in));
                    Action action = Action.valueOf(str(in));
                    findings.add(new Finding(category, severity, action, str(in), str(in)));
                }
                byte[] payload = new byte[in.remaining()];
                in.get(payload);
                return Optional.of(new Message(topic, findings, payload));
            }
            if (kind == RELEASED || kind == DELETED) {
                LogPosition target = new LogPosition(in.getInt(), in.getLong());
                return Optional.of(new Marker(target, kind == RELEASED, str(in)));
            }
            return Optional.empty();
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty(); // truncated, or an enum constant this version does not know
        }
    }

    private static String str(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("string length " + n + " past the record's end");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
