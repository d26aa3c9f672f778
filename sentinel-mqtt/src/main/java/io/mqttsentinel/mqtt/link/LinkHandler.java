package io.mqttsentinel.mqtt.link;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.mqtt.ViolationListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.Promise;

/**
 * The frames of one link (see {@link CoreLink}): reads them, hands each stream its bytes, and writes what the
 * streams send. The last handler of the link's pipeline (after TLS). One per link, not sharable; everything runs
 * on the link's event loop.
 *
 * <p>Two roles. The <b>opener</b> (the proxy) sends the preamble when the connection is up, waits for the
 * answer, and then opens streams with {@link #newStream} and {@link #open}. The <b>acceptor</b> (the broker,
 * installed by {@link HopSelector} once the preamble arrived) creates a stream for each {@link CoreLink#OPEN}
 * and gives it the stream initializer's handlers.
 */
public final class LinkHandler extends ByteToMessageDecoder {
    private final ChannelHandler acceptedStreams;
    private final Promise<Void> ready;
    private final ViolationListener listener;
    private final IntObjectHashMap<LinkStreamChannel> streams = new IntObjectHashMap<>();
    private final List<LinkStreamChannel> readCompletePending = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private boolean linked;
    private boolean transportUp;
    private boolean inRead;
    private boolean flushAfterRead;
    private int lastStreamId;

    private LinkHandler(ChannelHandler acceptedStreams, Promise<Void> ready, ViolationListener listener) {
        this.acceptedStreams = acceptedStreams;
        this.ready = ready;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.linked = acceptedStreams != null;
    }

    /**
     * @param ready    completed when the other side answered the preamble; failed with {@link NotALinkPeer} when
     *                 it answered something else or closed the connection after it was up (it speaks only MQTT),
     *                 or with the cause when the connection could not be made
     * @param listener told when the other side breaks the link protocol
     * @return the handler of a link this side opens (add it after TLS, before the connection is active)
     */
    public static LinkHandler opener(Promise<Void> ready, ViolationListener listener) {
        return new LinkHandler(null, Objects.requireNonNull(ready, "ready"), listener);
    }

    /**
     * @param streams  the handler (usually a {@link io.netty.channel.ChannelInitializer}) every accepted stream gets
     * @param listener told when the other side breaks the link protocol
     * @return the handler of a link the other side opened, after its preamble was read and answered
     */
    public static LinkHandler acceptor(ChannelHandler streams, ViolationListener listener) {
        return new LinkHandler(Objects.requireNonNull(streams, "streams"), null, listener);
    }

    /**
     * Adds a link's handlers after the pipeline's TLS handler: the heartbeat's idle timer, flush consolidation (the
     * streams' flushes become one write per batch), and this handler.
     *
     * @param pipeline the link connection's pipeline
     */
    public void install(io.netty.channel.ChannelPipeline pipeline) {
        pipeline.addLast("link-idle", new io.netty.handler.timeout.IdleStateHandler(CoreLink.SILENCE.toMillis(),
                CoreLink.HEARTBEAT.toMillis(), 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        pipeline.addLast("link-flush", new io.netty.handler.flush.FlushConsolidationHandler(256, true));
        pipeline.addLast("link", this);
    }

    /** @return the link's channel */
    public Channel channel() {
        return ctx.channel();
    }

    /** @return whether the connection (and its TLS, if any) is up: a link that got no answer then speaks only MQTT */
    public boolean transportUp() {
        return transportUp;
    }

    /**
     * @return whether this side can open another stream: stream ids only grow, so a link that used them all (after
     *         some two billion device connections) takes no new streams and closes when its last one ends
     */
    public boolean canOpen() {
        return acceptedStreams == null && lastStreamId < Integer.MAX_VALUE && ctx != null && ctx.channel().isActive();
    }

    /** For tests: as if the ids up to {@code id} had been used. */
    void usedStreamIdsUpTo(int id) {
        lastStreamId = id;
    }

    /** @return how many streams are open on this link */
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) throws Exception {
        this.ctx = context;
        super.handlerAdded(context);
        if (!linked && context.channel().isActive()) {
            begin(context);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        if (!linked) {
            begin(context);
        }
        super.channelActive(context);
    }

    private void begin(ChannelHandlerContext context) {
        if (context.pipeline().get(SslHandler.class) == null) {
            transportUp = true;
        }
        context.writeAndFlush(CoreLink.preamble(context.alloc()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
            transportUp = true;
        }
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent idle) {
            if (idle.state() == io.netty.handler.timeout.IdleState.WRITER_IDLE && linked) {
                context.writeAndFlush(CoreLink.ping(context.alloc()), context.voidPromise());
            } else if (idle.state() == io.netty.handler.timeout.IdleState.READER_IDLE) {
                listener.onViolation(ProtocolViolation.KEEPALIVE_TIMEOUT, "link silent for " + CoreLink.SILENCE,
                        context.channel().remoteAddress());
                context.close();
            }
            return;
        }
        super.userEventTriggered(context, evt);
    }

    // ---- streams (opener) ---------------------------------------------------------------------------------

    /**
     * A stream not opened yet: registered on the link's event loop with its handlers, inactive until
     * {@link #open}. Call on the link's event loop, before or after the link is ready.
     *
     * @param handler the stream's handler (usually a {@link io.netty.channel.ChannelInitializer})
     * @return the new stream
     */
    public LinkStreamChannel newStream(ChannelHandler handler) {
        if (acceptedStreams != null) {
            throw new IllegalStateException("streams are opened by the other side of this link");
        }
        if (lastStreamId == Integer.MAX_VALUE) {
            throw new IllegalStateException("every stream id of this link is used: open a new link");
        }
        LinkStreamChannel s = new LinkStreamChannel(this, ++lastStreamId, false);
        s.pipeline().addLast(handler);
        ctx.channel().eventLoop().register(s);
        return s;
    }

    /**
     * Opens a stream from {@link #newStream} on the link, which must be ready; its handlers see it active.
     *
     * @param stream the stream
     * @return {@code false} when the stream or the link closed meanwhile (nothing was sent)
     */
    public boolean open(LinkStreamChannel stream) {
        if (!stream.isOpen() || !ctx.channel().isActive() || !linked) {
            return false;
        }
        streams.put(stream.streamId(), stream);
        ctx.write(CoreLink.header(ctx.alloc(), CoreLink.OPEN, stream.streamId(), 0));
        flush();
        stream.activate();
        return true;
    }

    // ---- called by streams ----------------------------------------------------------------------------------

    void writeData(int streamId, ByteBuf payload) {
        ctx.write(CoreLink.header(ctx.alloc(), CoreLink.DATA, streamId, payload.readableBytes()), ctx.voidPromise());
        ctx.write(payload, ctx.voidPromise());
    }

    void writeCredit(int streamId, int bytes) {
        ctx.write(CoreLink.credit(ctx.alloc(), streamId, bytes), ctx.voidPromise());
        flush();
    }

    void flush() {
        if (inRead) {
            flushAfterRead = true;
        } else {
            ctx.flush();
        }
    }

    boolean inRead() {
        return inRead;
    }

    void readCompleteLater(LinkStreamChannel stream) {
        readCompletePending.add(stream);
    }

    void streamClosed(LinkStreamChannel stream, boolean tellOtherSide) {
        if (streams.get(stream.streamId()) == stream) {
            streams.remove(stream.streamId());
        }
        if (tellOtherSide && ctx.channel().isActive()) {
            ctx.write(CoreLink.header(ctx.alloc(), CoreLink.CLOSE, stream.streamId(), 0), ctx.voidPromise());
            flush();
        }
        if (acceptedStreams == null && lastStreamId == Integer.MAX_VALUE && streams.isEmpty()) {
            ctx.close(); // every id used and the last stream gone: the opener's next device opens a new link
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
        inRead = true;
        super.channelRead(context, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) throws Exception {
        inRead = false;
        if (!readCompletePending.isEmpty()) {
            LinkStreamChannel[] pending = readCompletePending.toArray(new LinkStreamChannel[0]);
            readCompletePending.clear();
            for (LinkStreamChannel s : pending) {
                s.linkReadComplete();
            }
        }
        if (flushAfterRead) {
            flushAfterRead = false;
            context.flush();
        }
        super.channelReadComplete(context);
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        if (!linked) {
            if (in.readableBytes() < CoreLink.HEADER) {
                return;
            }
            if (!CoreLink.isPreamble(in)) {
                in.skipBytes(in.readableBytes());
                ready.tryFailure(new NotALinkPeer("the core answered the link preamble with something else"));
                context.close();
                return;
            }
            in.skipBytes(CoreLink.HEADER);
            linked = true;
            ready.trySuccess(null);
        }
        while (in.readableBytes() >= CoreLink.HEADER && context.channel().isActive()) {
            int at = in.readerIndex();
            byte type = in.getByte(at);
            int streamId = in.getInt(at + 1);
            int length = in.getInt(at + 5);
            if (length < 0 || length > CoreLink.MAX_CHUNK || (type != CoreLink.DATA && type != CoreLink.CREDIT && length != 0)
                    || (type == CoreLink.PING && streamId != 0)
                    || (type == CoreLink.CREDIT && length != 4)) {
                broken(context, in, "frame of type " + type + " with length " + length);
                return;
            }
            if (in.readableBytes() < CoreLink.HEADER + length) {
                return;
            }
            in.skipBytes(CoreLink.HEADER);
            switch (type) {
                case CoreLink.DATA -> {
                    LinkStreamChannel s = streams.get(streamId);
                    if (s == null) {
                        in.skipBytes(length); // closed on this side while the other was still sending
                    } else if (!s.received(in.readRetainedSlice(length))) {
                        broken(context, in, "stream " + streamId + " sent beyond its credit");
                        return;
                    }
                }
                case CoreLink.CREDIT -> {
                    int bytes = in.readInt();
                    LinkStreamChannel s = streams.get(streamId);
                    if (bytes <= 0) {
                        broken(context, in, "credit of " + bytes);
                        return;
                    }
                    if (s != null) {
                        s.credited(bytes);
                    }
                }
                case CoreLink.CLOSE -> {
                    LinkStreamChannel s = streams.remove(streamId);
                    if (s != null) {
                        s.closeFromRemote();
                    }
                }
                case CoreLink.PING -> {
                    // a heartbeat: reading it was the point
                }
                case CoreLink.OPEN -> {
                    if (acceptedStreams == null || streamId <= lastStreamId) {
                        broken(context, in, "unexpected OPEN of stream " + streamId);
                        return;
                    }
                    lastStreamId = streamId;
                    LinkStreamChannel s = new LinkStreamChannel(this, streamId, true);
                    s.pipeline().addLast(acceptedStreams);
                    streams.put(streamId, s);
                    context.channel().eventLoop().register(s);
                }
                default -> {
                    broken(context, in, "unknown frame type " + type);
                    return;
                }
            }
        }
    }

    private void broken(ChannelHandlerContext context, ByteBuf in, String detail) {
        in.skipBytes(in.readableBytes());
        listener.onViolation(ProtocolViolation.LINK_FRAME, detail, context.channel().remoteAddress());
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (!linked && ready != null) {
            ready.tryFailure(transportUp
                    ? new NotALinkPeer("the core closed the connection after the link preamble")
                    : new ConnectException("the link to " + context.channel().remoteAddress() + " closed"));
        }
        if (!streams.isEmpty()) {
            List<LinkStreamChannel> open = new ArrayList<>(streams.values());
            streams.clear();
            for (LinkStreamChannel s : open) {
                s.closeFromRemote();
            }
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!linked && ready != null) {
            ready.tryFailure(transportUp
                    ? new NotALinkPeer("the core broke the connection after the link preamble (" + cause + ")")
                    : cause);
        }
        context.close();
    }

    /** The other side of a link speaks only MQTT: connect each device on its own connection to it instead. */
    public static final class NotALinkPeer extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message what the other side did */
        public NotALinkPeer(String message) {
            super(message);
        }
    }
}
