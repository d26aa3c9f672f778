package io.mqttsentinel.mqtt.internal;

import java.util.List;

import io.mqttsentinel.mqtt.Direction;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.mqtt.ViolationListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Frames the byte stream into whole MQTT packets and checks each against {@link PacketRules} before it is
 * passed on (as a {@link ByteBuf} holding exactly one packet) to Netty's {@code MqttDecoder}.
 *
 * <p>The fixed header and the remaining length are checked as soon as their bytes arrive, so an oversized
 * or malformed packet is refused before its body is buffered: at most {@code maxPacketSize + 5} bytes are
 * ever held per connection. It also keeps the connection-level rules: the first packet must be CONNECT
 * (CONNACK upstream) and there is only one. After a violation the connection is closed and everything
 * else it sends is discarded.
 */
public final class StrictMqttDecoder extends ByteToMessageDecoder {
    private final Direction direction;
    private final MqttLimits limits;
    private final ViolationListener listener;
    private boolean handshakeSeen;
    private boolean failed;

    /**
     * @param direction who sends the bytes this handler reads
     * @param limits    the limits
     * @param listener  told about a violation, once
     */
    public StrictMqttDecoder(Direction direction, MqttLimits limits, ViolationListener listener) {
        this.direction = direction;
        this.limits = limits;
        this.listener = listener;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 1) {
            return;
        }
        int first = in.getUnsignedByte(start);
        ProtocolViolation v = PacketRules.checkFixedHeader(first, direction);
        if (v != null) {
            fail(ctx, in, v, "fixed header 0x" + Integer.toHexString(first));
            return;
        }
        int type = first >>> 4;
        boolean handshakeType = direction == Direction.CLIENT_TO_SERVER ? type == PacketRules.CONNECT : type == PacketRules.CONNACK;
        if (!handshakeSeen && !handshakeType) {
            fail(ctx, in, ProtocolViolation.FIRST_PACKET_NOT_CONNECT, "first packet type " + type);
            return;
        }
        if (handshakeSeen && handshakeType) {
            fail(ctx, in, ProtocolViolation.DUPLICATE_CONNECT, "second packet of type " + type);
            return;
        }
        // remaining length: 1 to 4 bytes of 7 bits, least significant first
        int remaining = 0;
        int multiplier = 1;
        int i = 1;
        while (true) {
            if (i > 4) {
                fail(ctx, in, ProtocolViolation.MALFORMED_REMAINING_LENGTH, "more than 4 length bytes");
                return;
            }
            if (i >= readable) {
                return; // wait for more length bytes
            }
            int digit = in.getUnsignedByte(start + i);
            remaining += (digit & 0x7F) * multiplier;
            i++;
            if (remaining > limits.maxPacketSize()) {
                fail(ctx, in, ProtocolViolation.PACKET_TOO_LARGE, "remaining length above " + limits.maxPacketSize());
                return;
            }
            if ((digit & 0x80) == 0) {
                break;
            }
            multiplier *= 128;
        }
        int total = i + remaining;
        if (readable < total) {
            return; // the body is not complete yet; at most maxPacketSize bytes will be held
        }
        ByteBuf frame = in.retainedSlice(start, total);
        in.skipBytes(total);
        v = PacketRules.checkBody(frame, i, direction, limits);
        if (v != null) {
            frame.release();
            fail(ctx, in, v, "packet type " + type);
            return;
        }
        if (handshakeType) {
            handshakeSeen = true;
        }
        out.add(frame);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ProtocolViolation violation, String detail) {
        failed = true;
        in.skipBytes(in.readableBytes());
        listener.onViolation(violation, detail, ctx.channel().remoteAddress());
        ctx.channel().config().setAutoRead(false);
        int returnCode = direction != Direction.CLIENT_TO_SERVER ? -1
                : violation == ProtocolViolation.UNSUPPORTED_PROTOCOL_LEVEL ? 0x01
                : violation == ProtocolViolation.IDENTIFIER_REJECTED ? 0x02 : -1;
        if (returnCode < 0) {
            ctx.close();
            return;
        }
        // MQTT 3.1.1 answers these two refusals with a CONNACK before closing (3.2.2.3)
        ByteBuf connack = ctx.alloc().buffer(4).writeByte(0x20).writeByte(0x02).writeByte(0x00).writeByte(returnCode);
        ctx.writeAndFlush(connack).addListener(ChannelFutureListener.CLOSE);
    }
}
