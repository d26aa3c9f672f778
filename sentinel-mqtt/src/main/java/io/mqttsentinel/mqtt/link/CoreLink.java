package io.mqttsentinel.mqtt.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The wire format of a link between a proxy and a core broker node.
 *
 * <p><b>Preamble.</b> The proxy (the opener) starts the link, after TLS, with the 9 bytes of {@link #preamble}:
 * {@code 0xFE 0x00}, {@code "SNTLNK"} and the version {@value #VERSION}. To an MQTT broker the first two bytes
 * are a whole packet of type 15 with flags {@code 0xE}, which no MQTT version allows as a first packet, so it
 * closes the connection at once. A broker that speaks links answers with the same 9 bytes; any other answer, a
 * closed connection, or no answer within the connect timeout means the node speaks only MQTT, and the proxy
 * connects each device on its own connection instead.
 *
 * <p><b>Frames.</b> Then both sides send frames: {@code type (1 byte) | stream id (4 bytes) | length (4 bytes) |
 * payload (length bytes)}, big-endian.
 * <ul>
 *   <li>{@link #OPEN} (opener only, no payload): a new stream; ids are positive and increase.</li>
 *   <li>{@link #DATA}: bytes of the stream's MQTT connection, at most {@link #MAX_CHUNK} per frame. They need
 *       not be whole packets: a stream is a byte stream like a TCP connection.</li>
 *   <li>{@link #CLOSE} (no payload): the stream ends (device gone, session taken over, refused).</li>
 *   <li>{@link #CREDIT} (payload: a 4-byte count): the receiver consumed that many more bytes of the stream.
 *       A sender may send DATA only while it has credit; each stream starts with {@link #WINDOW} bytes.</li>
 *   <li>{@link #PING} (stream 0, no payload): a heartbeat. Each side sends one after {@link #HEARTBEAT} without
 *       writing and closes the link after {@link #SILENCE} without reading: a proxy or node that vanished without
 *       closing its connection ends its link, and with it every stream on it. This is why the broker does not run
 *       a keep-alive timer per stream: the proxy enforces each device's keep-alive and closes the device's
 *       stream when it goes silent.</li>
 * </ul>
 * Anything else — an unknown type, a frame over its bound, DATA beyond the credit given, a repeated OPEN —
 * closes the whole link: each side reads at most one frame header plus {@link #MAX_CHUNK} before it acts, and
 * buffers at most {@link #WINDOW} plus one chunk per stream.
 */
public final class CoreLink {
    /** The link protocol's version in the preamble. */
    public static final int VERSION = 1;
    /** Bytes of a frame's header. */
    public static final int HEADER = 9;
    /** The largest DATA payload of one frame. */
    public static final int MAX_CHUNK = 16 * 1024;
    /** The credit each stream starts with, per direction: bytes that may be sent before the receiver consumed them. */
    public static final int WINDOW = 64 * 1024;
    /** Frame type: a new stream. */
    public static final byte OPEN = 1;
    /** Frame type: bytes of a stream. */
    public static final byte DATA = 2;
    /** Frame type: a stream ends. */
    public static final byte CLOSE = 3;
    /** Frame type: credit returned to the other side. */
    public static final byte CREDIT = 4;
    /** Frame type: a heartbeat (stream id 0, no payload), sent by each side after {@link #HEARTBEAT} without writing. */
    public static final byte PING = 5;
    /** How long a side may go without writing before it sends a {@link #PING}. */
    public static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(10);
    /** How long a side waits without reading anything before it closes the link as dead (three heartbeats). */
    public static final java.time.Duration SILENCE = HEARTBEAT.multipliedBy(3);

    private static final byte[] PREAMBLE = {(byte) 0xFE, 0x00, 'S', 'N', 'T', 'L', 'N', 'K', VERSION};

    private CoreLink() {
    }

    /** @return a copy of the preamble both sides send first */
    public static byte[] preamble() {
        return PREAMBLE.clone();
    }

    /**
     * @param b a byte
     * @return whether a connection that starts with it is a link (or a broken one), not MQTT
     */
    public static boolean startsLink(byte b) {
        return b == PREAMBLE[0];
    }

    /**
     * @param in a buffer with at least {@link #HEADER} readable bytes
     * @return whether they are the preamble
     */
    static boolean isPreamble(ByteBuf in) {
        for (int i = 0; i < PREAMBLE.length; i++) {
            if (in.getByte(in.readerIndex() + i) != PREAMBLE[i]) {
                return false;
            }
        }
        return true;
    }

    static ByteBuf preamble(ByteBufAllocator alloc) {
        return alloc.buffer(PREAMBLE.length).writeBytes(PREAMBLE);
    }

    static ByteBuf header(ByteBufAllocator alloc, byte type, int stream, int length) {
        return alloc.buffer(HEADER).writeByte(type).writeInt(stream).writeInt(length);
    }

    static ByteBuf ping(ByteBufAllocator alloc) {
        return header(alloc, PING, 0, 0);
    }

    static ByteBuf credit(ByteBufAllocator alloc, int stream, int bytes) {
        return alloc.buffer(HEADER + 4).writeByte(CREDIT).writeInt(stream).writeInt(4).writeInt(bytes);
    }
}
