package io.mqttsentinel.mqtt.link;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.mqtt.ViolationListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The broker's first handler of a connection (after TLS): tells a proxy's link from a plain MQTT connection by
 * its first byte and installs what serves it. An MQTT client (a bridge, a third-party client, a proxy that
 * connects devices one by one) gets the MQTT handlers; a link (first byte {@code 0xFE}, then the rest of the
 * preamble) gets its preamble answered and a {@link LinkHandler#acceptor}. A connection that sends nothing
 * within the CONNECT timeout is closed and counted as {@link ProtocolViolation#CONNECT_TIMEOUT}; a broken
 * preamble as {@link ProtocolViolation#LINK_FRAME}. Not sharable.
 */
public final class HopSelector extends ByteToMessageDecoder {
    /** Name of this handler in the pipeline. */
    public static final String NAME = "hop";

    private final Duration firstByteTimeout;
    private final Consumer<ChannelPipeline> mqtt;
    private final ChannelHandler streams;
    private final ViolationListener listener;
    private final Consumer<LinkHandler> linked;
    private ScheduledFuture<?> timeout;

    /**
     * @param firstByteTimeout how long a new connection may stay silent
     * @param mqtt             adds the MQTT handlers to a pipeline: of a plain MQTT connection, called with its
     *                         pipeline, after this handler
     * @param streams          the handler every stream of a link gets (usually a
     *                         {@link io.netty.channel.ChannelInitializer} that calls the same MQTT installer)
     * @param listener         told about a broken preamble or link, and about a connection that stayed silent
     * @param linked           told about every link accepted (for its metrics)
     */
    public HopSelector(Duration firstByteTimeout, Consumer<ChannelPipeline> mqtt, ChannelHandler streams,
                       ViolationListener listener, Consumer<LinkHandler> linked) {
        this.firstByteTimeout = Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
        this.mqtt = Objects.requireNonNull(mqtt, "mqtt");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.linked = Objects.requireNonNull(linked, "linked");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            schedule(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        schedule(ctx);
        super.channelActive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx) {
        if (timeout == null) {
            timeout = ctx.executor().schedule(() -> {
                listener.onViolation(ProtocolViolation.CONNECT_TIMEOUT, "nothing within " + firstByteTimeout,
                        ctx.channel().remoteAddress());
                ctx.close();
            }, firstByteTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (!CoreLink.startsLink(in.getByte(in.readerIndex()))) {
            cancel();
            ChannelPipeline p = ctx.pipeline();
            mqtt.accept(p);
            p.remove(this); // what was read so far goes on to the MQTT decoder
            return;
        }
        if (in.readableBytes() < CoreLink.HEADER) {
            return;
        }
        cancel();
        if (!CoreLink.isPreamble(in)) {
            in.skipBytes(in.readableBytes());
            listener.onViolation(ProtocolViolation.LINK_FRAME, "not a link preamble (or another version)",
                    ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        in.skipBytes(CoreLink.HEADER);
        ctx.writeAndFlush(CoreLink.preamble(ctx.alloc()));
        LinkHandler link = LinkHandler.acceptor(streams, listener);
        link.install(ctx.pipeline());
        linked.accept(link);
        ctx.pipeline().remove(this); // frames read with the preamble go on to the link
    }

    private void cancel() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancel();
    }
}
