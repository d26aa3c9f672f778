package io.mqttsentinel.broker.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary payloads of the broker's state records. Every one of them is appended under the one topic
 * {@value #TOPIC}, so that all state lands in one partition of the log, in the order it was written, and
 * recovery reads that partition alone.
 *
 * <pre>
 * byte    version (2)
 * byte    kind: 1 session, 2 retained, 3 checkpoint, 4 snapshot chunk, 5 snapshot end, 6 recovery marker,
 *         7 snapshot begin
 * session:    str client id, long seq, byte flags (bit 0 deleted), str owner node, long owner epoch,
 *             int n, n x (str filter, byte qos), int m, m x (int partition, long watermark, long routedTo)
 * retained:   str topic, long seq, byte qos, int length, payload (empty clears the topic)
 * checkpoint: str node, positions
 * chunk:      long snapshot id, int n, n x (int length, an embedded session or retained record)
 * end:        long snapshot id, int sessions, int retained, positions,
 *             int k, k x (str node, positions): the newest checkpoint of every node the writer knew
 * marker:     nothing
 * begin:      long snapshot id
 * positions:  int m, m x (int partition, long offset): the router's completed position per partition
 * str:        int length, UTF-8 bytes
 * </pre>
 *
 * <p>{@code seq} orders the records of one key (a client id or a retained topic): recovery applies a record
 * only when its sequence is higher than what it already applied for that key, whatever the log order
 * (a snapshot chunk may be appended after a newer record of a session it holds). With several broker nodes
 * on one log, a session record also names its <em>owner</em> node and the owner's <em>epoch</em>: a node
 * that takes a session over writes a record with a higher epoch, which fences every record of the older
 * owner; sequences are compared only within one epoch, where only the owner writes.
 */
public final class StateRecords {
    /** The topic of every state record. */
    public static final String TOPIC = ReservedTopics.STATE + "state";
    private static final int VERSION = 2;
    private static final int SESSION = 1;
    private static final int RETAINED = 2;
    private static final int CHECKPOINT = 3;
    private static final int CHUNK = 4;
    private static final int END = 5;
    private static final int MARKER = 6;
    private static final int BEGIN = 7;

    private StateRecords() {
    }

    /** A decoded state record. */
    public sealed interface Decoded permits SessionState, RetainedState, Checkpoint, SnapshotBegin, SnapshotChunk, SnapshotEnd,
            Marker {
    }

    /**
     * How far a session got in one partition.
     *
     * @param partition the partition
     * @param watermark every record routed to the session at or below it was settled (acknowledged)
     * @param routedTo  the highest offset routed to the session; records in (watermark, routedTo] are its
     *                  unsettled backlog, read again from the log after a restart
     */
    public record Progress(int partition, long watermark, long routedTo) {
    }

    /**
     * A persistent session's state, or its end.
     *
     * @param clientId      the client id
     * @param seq           the record's sequence
     * @param deleted       whether the session ended
     * @param subscriptions filter to granted QoS
     * @param progress      per partition
     * @param owner         the node that owns the session ({@code ""} for a single broker)
     * @param ownerEpoch    the owner's epoch: a takeover by another node writes a higher one
     */
    public record SessionState(String clientId, long seq, boolean deleted, Map<String, Integer> subscriptions,
                               List<Progress> progress, String owner, long ownerEpoch) implements Decoded {

        /**
         * @param other another record of the same client id
         * @return {@code true} when this record supersedes {@code other}: a higher owner epoch, or the same
         *         epoch and a higher sequence
         */
        public boolean newerThan(SessionState other) {
            return ownerEpoch != other.ownerEpoch ? ownerEpoch > other.ownerEpoch : seq > other.seq;
        }
    }

    /**
     * A topic's retained message.
     *
     * @param topic   the topic
     * @param seq     the record's sequence
     * @param qos     its QoS
     * @param payload its payload; empty clears the topic
     */
    public record RetainedState(String topic, long seq, int qos, byte[] payload) implements Decoded {
    }

    /**
     * The router's completed position: every message at or below it in its partition was routed, and every
     * session it was routed to had its record written before this record.
     *
     * @param node      the node whose router it is ({@code ""} for a single broker)
     * @param positions partition to offset
     */
    public record Checkpoint(String node, Map<Integer, Long> positions) implements Decoded {
    }

    /**
     * The first record of a snapshot: the snapshot's consumer group is committed here once the snapshot is
     * complete, and recovery reads the state partition from right after it.
     *
     * @param snapshotId the snapshot's id
     */
    public record SnapshotBegin(long snapshotId) implements Decoded {
    }

    /**
     * Part of a snapshot.
     *
     * @param snapshotId the snapshot's id
     * @param entries    session and retained states
     */
    public record SnapshotChunk(long snapshotId, List<Decoded> entries) implements Decoded {
    }

    /**
     * The last record of a snapshot.
     *
     * @param snapshotId the snapshot's id
     * @param sessions   sessions it held
     * @param retained   retained messages it held
     * @param positions  the router's completed position taken before the snapshot was captured
     * @param nodes      the newest checkpoint of every node the writer knew (several nodes on one log)
     */
    public record SnapshotEnd(long snapshotId, int sessions, int retained, Map<Integer, Long> positions,
                              Map<String, Map<Integer, Long>> nodes) implements Decoded {
    }

    /** The marker recovery appends to find the end of the state it must read. */
    public record Marker() implements Decoded {
    }

    /**
     * @param clientId      the client id
     * @param seq           the sequence
     * @param subscriptions filter to granted QoS
     * @param progress      per partition
     * @return the payload
     */
    public static byte[] session(String clientId, long seq, Map<String, Integer> subscriptions, List<Progress> progress) {
        return session("", 0, clientId, seq, subscriptions, progress);
    }

    /**
     * @param owner         the owning node ({@code ""} for a single broker)
     * @param ownerEpoch    the owner's epoch
     * @param clientId      the client id
     * @param seq           the sequence
     * @param subscriptions filter to granted QoS
     * @param progress      per partition
     * @return the payload
     */
    public static byte[] session(String owner, long ownerEpoch, String clientId, long seq, Map<String, Integer> subscriptions,
                                 List<Progress> progress) {
        return write(out -> {
            header(out, SESSION);
            sessionBody(out, clientId, seq, false, owner, ownerEpoch, subscriptions, progress);
        });
    }

    /**
     * @param clientId the client id
     * @param seq      the sequence
     * @return the payload of a record that ends a session
     */
    public static byte[] deleted(String clientId, long seq) {
        return deleted("", 0, clientId, seq);
    }

    /**
     * @param owner      the node that ends (or claims as clean) the session
     * @param ownerEpoch its epoch
     * @param clientId   the client id
     * @param seq        the sequence
     * @return the payload of a record that ends a session
     */
    public static byte[] deleted(String owner, long ownerEpoch, String clientId, long seq) {
        return write(out -> {
            header(out, SESSION);
            sessionBody(out, clientId, seq, true, owner, ownerEpoch, Map.of(), List.of());
        });
    }

    /**
     * @param topic   the topic
     * @param seq     the sequence
     * @param qos     the QoS
     * @param payload the payload (empty clears)
     * @return the payload
     */
    public static byte[] retained(String topic, long seq, int qos, byte[] payload) {
        return write(out -> {
            header(out, RETAINED);
            str(out, topic);
            out.writeLong(seq);
            out.writeByte(qos);
            out.writeInt(payload.length);
            out.write(payload);
        });
    }

    /**
     * @param positions partition to completed offset
     * @return the payload
     */
    public static byte[] checkpoint(Map<Integer, Long> positions) {
        return checkpoint("", positions);
    }

    /**
     * @param node      the node whose router it is
     * @param positions partition to completed offset
     * @return the payload
     */
    public static byte[] checkpoint(String node, Map<Integer, Long> positions) {
        return write(out -> {
            header(out, CHECKPOINT);
            str(out, node);
            positions(out, positions);
        });
    }

    /**
     * @param snapshotId the snapshot's id
     * @param entries    encoded session and retained records
     * @return the payload
     */
    public static byte[] chunk(long snapshotId, List<byte[]> entries) {
        return write(out -> {
            header(out, CHUNK);
            out.writeLong(snapshotId);
            out.writeInt(entries.size());
            for (byte[] e : entries) {
                out.writeInt(e.length);
                out.write(e);
            }
        });
    }

    /**
     * @param snapshotId the snapshot's id
     * @param sessions   sessions written
     * @param retained   retained messages written
     * @param positions  the completed position taken before the capture
     * @return the payload
     */
    public static byte[] end(long snapshotId, int sessions, int retained, Map<Integer, Long> positions) {
        return end(snapshotId, sessions, retained, positions, Map.of());
    }

    /**
     * @param snapshotId the snapshot's id
     * @param sessions   sessions written
     * @param retained   retained messages written
     * @param positions  the completed position taken before the capture
     * @param nodes      the newest checkpoint of every node the writer knew
     * @return the payload
     */
    public static byte[] end(long snapshotId, int sessions, int retained, Map<Integer, Long> positions,
                             Map<String, Map<Integer, Long>> nodes) {
        return write(out -> {
            header(out, END);
            out.writeLong(snapshotId);
            out.writeInt(sessions);
            out.writeInt(retained);
            positions(out, positions);
            out.writeInt(nodes.size());
            for (Map.Entry<String, Map<Integer, Long>> e : nodes.entrySet()) {
                str(out, e.getKey());
                positions(out, e.getValue());
            }
        });
    }

    /**
     * @param snapshotId the snapshot's id
     * @return the payload of a snapshot's first record
     */
    public static byte[] begin(long snapshotId) {
        return write(out -> {
            header(out, BEGIN);
            out.writeLong(snapshotId);
        });
    }

    /** @return the payload of a recovery marker */
    public static byte[] marker() {
        return write(out -> header(out, MARKER));
    }

    /**
     * @param record a record of {@value #TOPIC} read back from the log
     * @return what it holds, or empty (logged) when it is not a state record of this version
     */
    public static java.util.Optional<Decoded> read(io.mqttsentinel.api.LogRecord record) {
        try {
            return java.util.Optional.of(decode(record.payload()));
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(StateRecords.class)
                    .warn("unreadable state record at {}: {}", record.position(), e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /**
     * @param payload a state record's payload
     * @return what it holds
     * @throws IllegalArgumentException when it is not a state record of this version
     */
    public static Decoded decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown state record version " + version);
            }
            return body(in, in.readUnsignedByte(), payload.length);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated state record", e);
        }
    }

    private static Decoded body(DataInputStream in, int kind, int bound) throws IOException {
        switch (kind) {
            case SESSION: {
                String clientId = str(in, bound);
                long seq = in.readLong();
                boolean deleted = (in.readUnsignedByte() & 1) != 0;
                String owner = str(in, bound);
                long ownerEpoch = in.readLong();
                int subs = count(in, bound);
                Map<String, Integer> subscriptions = new LinkedHashMap<>();
                for (int i = 0; i < subs; i++) {
                    String filter = str(in, bound);
                    subscriptions.put(filter, (int) in.readByte());
                }
                int parts = count(in, bound);
                List<Progress> progress = new ArrayList<>(parts);
                for (int i = 0; i < parts; i++) {
                    progress.add(new Progress(in.readInt(), in.readLong(), in.readLong()));
                }
                return new SessionState(clientId, seq, deleted, subscriptions, progress, owner, ownerEpoch);
            }
            case RETAINED: {
                String topic = str(in, bound);
                long seq = in.readLong();
                int qos = in.readByte();
                int length = count(in, bound);
                byte[] data = new byte[length];
                in.readFully(data);
                return new RetainedState(topic, seq, qos, data);
            }
            case CHECKPOINT:
                return new Checkpoint(str(in, bound), positions(in, bound));
            case CHUNK: {
                long id = in.readLong();
                int n = count(in, bound);
                List<Decoded> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] e = new byte[count(in, bound)];
                    in.readFully(e);
                    Decoded d = decode(e);
                    if (!(d instanceof SessionState) && !(d instanceof RetainedState)) {
                        throw new IllegalArgumentException("a snapshot chunk holds only session and retained states");
                    }
                    entries.add(d);
                }
                return new SnapshotChunk(id, entries);
            }
            case END: {
                long id = in.readLong();
                int sessions = in.readInt();
                int retained = in.readInt();
                Map<Integer, Long> positions = positions(in, bound);
                int k = count(in, bound);
                Map<String, Map<Integer, Long>> nodes = new LinkedHashMap<>();
                for (int i = 0; i < k; i++) {
                    String node = str(in, bound);
                    nodes.put(node, positions(in, bound));
                }
                return new SnapshotEnd(id, sessions, retained, positions, nodes);
            }
            case MARKER:
                return new Marker();
            case BEGIN:
                return new SnapshotBegin(in.readLong());
            default:
                throw new IllegalArgumentException("unknown state record kind " + kind);
        }
    }

    private static void sessionBody(DataOutputStream out, String clientId, long seq, boolean deleted, String owner,
                                    long ownerEpoch, Map<String, Integer> subscriptions, List<Progress> progress)
            throws IOException {
        str(out, clientId);
        out.writeLong(seq);
        out.writeByte(deleted ? 1 : 0);
        str(out, owner);
        out.writeLong(ownerEpoch);
        out.writeInt(subscriptions.size());
        for (Map.Entry<String, Integer> e : subscriptions.entrySet()) {
            str(out, e.getKey());
            out.writeByte(e.getValue());
        }
        out.writeInt(progress.size());
        for (Progress p : progress) {
            out.writeInt(p.partition());
            out.writeLong(p.watermark());
            out.writeLong(p.routedTo());
        }
    }

    private static void header(DataOutputStream out, int kind) throws IOException {
        out.writeByte(VERSION);
        out.writeByte(kind);
    }

    private static void positions(DataOutputStream out, Map<Integer, Long> positions) throws IOException {
        out.writeInt(positions.size());
        for (Map.Entry<Integer, Long> e : positions.entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static Map<Integer, Long> positions(DataInputStream in, int bound) throws IOException {
        int n = count(in, bound);
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(in.readInt(), in.readLong());
        }
        return out;
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in, int bound) throws IOException {
        byte[] b = new byte[count(in, bound)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A count or length read from the record; never more than the record's own size, so never a large allocation. */
    private static int count(DataInputStream in, int bound) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > bound) {
            throw new IllegalArgumentException("bad count " + n + " in a state record of " + bound + " bytes");
        }
        return n;
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }
}
