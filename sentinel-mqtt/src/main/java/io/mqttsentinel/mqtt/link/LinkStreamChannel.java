package io.mqttsentinel.mqtt.link;

import java.net.SocketAddress;
import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;

/**
 * One stream of a link: a {@link io.netty.channel.Channel} whose bytes travel in {@link CoreLink#DATA} frames of
 * its parent, the link's channel. It is registered on the link's event loop, so its handlers and the link's run
 * on one thread. Its remote and local addresses are the link's.
 *
 * <p>It behaves like a socket to the handlers on it: writes are ByteBufs (what the MQTT encoder produces),
 * reads are ByteBufs (parts of packets for the MQTT decoder), {@code autoRead} and {@code read()} pace reading,
 * and it turns unwritable when its outbound buffer passes the high watermark — which happens when the other side
 * stops returning credit (a device that does not read: the stream's bytes wait here, not in the shared link).
 * What the other side sent while this side does not read waits in the stream, bounded by the credit this side
 * gave.
 */
public final class LinkStreamChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final byte NEW = 0;
    private static final byte ACTIVE = 1;
    private static final byte CLOSED = 2;
    /** A stream never reads from a socket: one allocator for all, instead of one per stream. */
    private static final io.netty.channel.RecvByteBufAllocator UNUSED_ALLOCATOR =
            new io.netty.channel.AdaptiveRecvByteBufAllocator();

    private final LinkHandler link;
    private final int streamId;
    private final DefaultChannelConfig config;
    private byte state;
    private boolean remoteClosed;
    private boolean readRequested;
    private boolean readCompletePending;
    private boolean delivering;
    private boolean writeBlocked;
    /** Bytes this side may still send. */
    private int sendCredit = CoreLink.WINDOW;
    /** Bytes received and not yet credited back. */
    private int outstanding;
    /** Bytes consumed and not yet credited back. */
    private int consumed;
    /** What arrived while this side did not read; created on first use. */
    private ArrayDeque<ByteBuf> inbound;

    LinkStreamChannel(LinkHandler link, int streamId, boolean active) {
        super(link.channel(), new StreamId(link.channel().id(), streamId));
        this.link = link;
        this.streamId = streamId;
        this.config = new DefaultChannelConfig(this, UNUSED_ALLOCATOR) { };
        this.state = active ? ACTIVE : NEW;
    }

    /** @return the stream's id on its link */
    public int streamId() {
        return streamId;
    }

    /** @return bytes the other side sent that this side has not credited back yet (on the event loop) */
    int bufferedBytes() {
        return outstanding;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return state != CLOSED;
    }

    @Override
    public boolean isActive() {
        return state == ACTIVE;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new StreamUnsafe();
    }

    private final class StreamUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a stream is opened by its link"));
        }

        /** Writes what the handlers flushed before the credit ran out; what they did not flush yet stays. */
        void resumeFlushed() {
            flush0();
        }
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop == link.channel().eventLoop();
    }

    @Override
    protected SocketAddress localAddress0() {
        return link.channel().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return link.channel().remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a stream cannot be bound");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (state == CLOSED) {
            return;
        }
        boolean wasOpened = state == ACTIVE;
        state = CLOSED;
        if (inbound != null) {
            ByteBuf b;
            while ((b = inbound.poll()) != null) {
                b.release();
            }
            inbound = null;
        }
        link.streamClosed(this, wasOpened && !remoteClosed);
    }

    @Override
    protected void doBeginRead() {
        readRequested = true;
        deliver();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean wrote = false;
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                break;
            }
            if (!(msg instanceof ByteBuf)) {
                in.remove(new UnsupportedOperationException("a stream writes ByteBufs, not " + msg.getClass().getName()));
                continue;
            }
            ByteBuf b = (ByteBuf) msg;
            if (!b.isReadable()) {
                in.remove();
                continue;
            }
            if (sendCredit <= 0) {
                writeBlocked = true;
                break;
            }
            int n = Math.min(b.readableBytes(), CoreLink.MAX_CHUNK);
            link.writeData(streamId, b.retainedSlice(b.readerIndex(), n));
            sendCredit -= n;
            in.removeBytes(n);
            wrote = true;
        }
        if (wrote) {
            link.flush();
        }
    }

    // ---- called by the link, on its event loop ----------------------------------------------------------

    /** The stream was opened on the link (opener side): the handlers see it active. */
    void activate() {
        state = ACTIVE;
        pipeline().fireChannelActive();
    }

    /** The other side closed the stream, or the link is gone. */
    void closeFromRemote() {
        remoteClosed = true;
        if (state != CLOSED) {
            unsafe().close(unsafe().voidPromise());
        }
    }

    /**
     * @param payload bytes of the stream (this takes ownership)
     * @return {@code false} when the other side sent beyond the credit it was given (the link must close)
     */
    boolean received(ByteBuf payload) {
        int n = payload.readableBytes();
        outstanding += n;
        if (outstanding > CoreLink.WINDOW + CoreLink.MAX_CHUNK) {
            payload.release();
            return false;
        }
        if (state != ACTIVE) {
            payload.release();
            return true;
        }
        if (inbound == null) {
            inbound = new ArrayDeque<>(4);
        }
        inbound.add(payload);
        deliver();
        return true;
    }

    /** @param bytes credit the other side returned */
    void credited(int bytes) {
        sendCredit += bytes;
        if (writeBlocked && sendCredit > 0 && state == ACTIVE) {
            writeBlocked = false;
            ((StreamUnsafe) unsafe()).resumeFlushed();
        }
    }

    /** The link finished a batch of reads: the stream's handlers get their read-complete now. */
    void linkReadComplete() {
        if (readCompletePending && state == ACTIVE) {
            readCompletePending = false;
            pipeline().fireChannelReadComplete();
        }
    }

    private void deliver() {
        if (delivering) {
            return; // a handler asked for more while reading: the loop below goes on
        }
        delivering = true;
        try {
            while (state == ACTIVE && (readRequested || config.isAutoRead()) && inbound != null && !inbound.isEmpty()) {
                ByteBuf b = inbound.poll();
                consumed += b.readableBytes();
                readCompletePending = true;
                pipeline().fireChannelRead(b);
                if (!config.isAutoRead()) {
                    readRequested = false;
                }
            }
            if (inbound != null && inbound.isEmpty()) {
                inbound = null; // an idle stream holds no queue
            }
            if (consumed >= CoreLink.WINDOW / 2 && state == ACTIVE) {
                outstanding -= consumed;
                link.writeCredit(streamId, consumed);
                consumed = 0;
            }
            if (readCompletePending && !link.inRead()) {
                readCompletePending = false;
                pipeline().fireChannelReadComplete();
            } else if (readCompletePending) {
                link.readCompleteLater(this);
            }
        } finally {
            delivering = false;
        }
    }

    @Override
    public String toString() {
        return "stream " + streamId + " of " + link.channel();
    }

    /** A stream's id: its link's id and the stream's number; cheaper than a random id per device. */
    private static final class StreamId implements ChannelId {
        private static final long serialVersionUID = 1L;
        private final ChannelId link;
        private final int stream;

        StreamId(ChannelId link, int stream) {
            this.link = link;
            this.stream = stream;
        }

        @Override
        public String asShortText() {
            return link.asShortText() + "/" + stream;
        }

        @Override
        public String asLongText() {
            return link.asLongText() + "/" + stream;
        }

        @Override
        public int compareTo(ChannelId o) {
            return asLongText().compareTo(o.asLongText());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StreamId s && s.stream == stream && s.link.equals(link);
        }

        @Override
        public int hashCode() {
            return link.hashCode() * 31 + stream;
        }

        @Override
        public String toString() {
            return asShortText();
        }
    }
}
