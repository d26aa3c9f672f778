package io.mqttsentinel.mqtt.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.mqtt.ViolationListener;
import io.mqttsentinel.testkit.Await;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A link over a real loopback connection: streams, credit, closing, and a peer that speaks no link. */
class CoreLinkTest {
    private EventLoopGroup group;
    private Channel server;
    /** Bytes each accepted stream received, by stream id. */
    private final Map<Integer, ByteArrayOutputStream> received = new ConcurrentHashMap<>();
    private final List<Channel> accepted = new CopyOnWriteArrayList<>();
    private final List<ProtocolViolation> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger mqttConnections = new AtomicInteger();
    /** Whether accepted streams echo what they read. */
    private volatile boolean echo = true;

    @BeforeEach
    void startAcceptor() {
        group = new NioEventLoopGroup(2);
        ViolationListener listener = (v, d, r) -> violations.add(v);
        ChannelInitializer<Channel> streams = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accepted.add(ch);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        int id = ((LinkStreamChannel) ctx.channel()).streamId();
                        byte[] bytes = new byte[b.readableBytes()];
                        b.getBytes(b.readerIndex(), bytes);
                        received.computeIfAbsent(id, k -> new ByteArrayOutputStream()).writeBytes(bytes);
                        if (echo) {
                            ctx.writeAndFlush(b);
                        } else {
                            b.release();
                        }
                    }
                });
            }
        };
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(HopSelector.NAME, new HopSelector(Duration.ofSeconds(5),
                                p -> {
                                    mqttConnections.incrementAndGet();
                                    p.addLast(new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ctx.writeAndFlush(msg); // echoes, as a stand-in for MQTT
                                        }
                                    });
                                },
                                streams, listener, link -> { }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private record Opened(LinkHandler link, Channel channel, Promise<Void> ready) {
    }

    private Opened openLink(InetSocketAddress to) {
        Promise<Void> ready = group.next().newPromise();
        LinkHandler link = LinkHandler.opener(ready, (v, d, r) -> violations.add(v));
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(link).connect(to).syncUninterruptibly().channel();
        return new Opened(link, ch, ready);
    }

    private LinkStreamChannel stream(Opened o, ChannelInboundHandlerAdapter handler) throws Exception {
        return o.channel().eventLoop().submit(() -> {
            LinkStreamChannel s = o.link().newStream(handler);
            assertThat(o.link().open(s)).isTrue();
            return s;
        }).get(5, TimeUnit.SECONDS);
    }

    private static final class Collect extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean inactive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            synchronized (bytes) {
                byte[] a = new byte[b.readableBytes()];
                b.readBytes(a);
                bytes.writeBytes(a);
            }
            b.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive = true;
        }

        int size() {
            synchronized (bytes) {
                return bytes.size();
            }
        }
    }

    @Test
    void manyStreamsOnOneLink_eachCarriesItsOwnBytesBothWays() throws Exception {
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        Collect[] sides = new Collect[50];
        LinkStreamChannel[] streams = new LinkStreamChannel[sides.length];
        for (int i = 0; i < sides.length; i++) {
            sides[i] = new Collect();
            streams[i] = stream(o, sides[i]);
        }
        for (int i = 0; i < streams.length; i++) {
            byte[] payload = ("device-" + i + ";").repeat(100 + i).getBytes();
            streams[i].writeAndFlush(Unpooled.wrappedBuffer(payload));
        }
        for (int i = 0; i < sides.length; i++) {
            int want = ("device-" + i + ";").length() * (100 + i);
            Collect c = sides[i];
            Await.until("stream " + i + " echoed", () -> c.size() == want);
            assertThat(c.bytes.toString()).isEqualTo(("device-" + i + ";").repeat(100 + i));
        }
        assertThat(accepted).hasSize(50);
        assertThat(mqttConnections).hasValue(0);

        streams[3].close().syncUninterruptibly();
        Await.until("the broker's side of stream 3 closed", () -> !accepted.get(3).isOpen());
        Channel other = accepted.get(4);
        accepted.get(4).close();
        Await.until("the proxy's side of stream 5 closed", () -> sides[4].inactive);
        assertThat(other.isOpen()).isFalse();
        assertThat(streams[5].isActive()).isTrue();
        assertThat(violations).isEmpty();
        o.channel().close().syncUninterruptibly();
    }

    @Test
    void aStreamThatIsNotRead_holdsAtMostItsWindow_andGetsEverythingInOrderWhenReadAgain() throws Exception {
        echo = false;
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        LinkStreamChannel s = stream(o, new Collect());
        Await.until("accepted", () -> accepted.size() == 1);
        Channel brokerSide = accepted.get(0);
        brokerSide.eventLoop().submit(() -> brokerSide.config().setAutoRead(false)).get();

        byte[] chunk = new byte[1000];
        int total = 0;
        for (int i = 0; i < 1000; i++) { // 1 MB, far beyond the window
            for (int j = 0; j < chunk.length; j++) {
                chunk[j] = (byte) (total + j);
            }
            s.write(Unpooled.copiedBuffer(chunk));
            total += chunk.length;
        }
        s.flush();
        Await.until("the sender stops at the window", () -> !s.isWritable());
        LinkStreamChannel held = (LinkStreamChannel) brokerSide;
        Await.until("the window is used up", () -> onLoop(held, held::bufferedBytes) >= CoreLink.WINDOW);
        assertThat(onLoop(held, held::bufferedBytes)).isLessThanOrEqualTo(CoreLink.WINDOW + CoreLink.MAX_CHUNK);

        // a second stream on the same link is not held up by the first
        Collect c2 = new Collect();
        echo = true;
        LinkStreamChannel s2 = stream(o, c2);
        s2.writeAndFlush(Unpooled.copiedBuffer(new byte[5000]));
        Await.until("the second stream echoed", () -> c2.size() == 5000);
        echo = false;

        brokerSide.eventLoop().submit(() -> brokerSide.config().setAutoRead(true)).get();
        int want = total;
        Await.until("everything arrives", () -> received.get(s.streamId()).size() == want);
        byte[] all = received.get(s.streamId()).toByteArray();
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i]).as("byte %d", i).isEqualTo((byte) i);
        }
        Await.until("writable again", s::isWritable);
        assertThat(violations).isEmpty();
        o.channel().close().syncUninterruptibly();
    }

    private static int onLoop(Channel ch, java.util.concurrent.Callable<Integer> read) {
        try {
            return ch.eventLoop().submit(read).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theLinkCloses_everyStreamOnBothSidesCloses() throws Exception {
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        Collect a = new Collect();
        Collect b = new Collect();
        stream(o, a);
        stream(o, b);
        Await.until("accepted", () -> accepted.size() == 2);
        o.channel().close().syncUninterruptibly();
        Await.until("proxy-side streams closed", () -> a.inactive && b.inactive);
        Await.until("broker-side streams closed", () -> accepted.stream().noneMatch(Channel::isOpen));
    }

    @Test
    void aLinkThatUsedEveryStreamId_takesNoNewStream_andClosesAfterItsLast() throws Exception {
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        o.channel().eventLoop().submit(() -> o.link().usedStreamIdsUpTo(Integer.MAX_VALUE - 1)).get();
        Collect last = new Collect();
        LinkStreamChannel s = stream(o, last);
        assertThat(s.streamId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(onLoop(o.channel(), () -> o.link().canOpen() ? 1 : 0)).isZero();
        s.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        Await.until("echoed", () -> last.size() == 3);
        assertThat(o.channel().isActive()).as("open while its last stream is").isTrue();
        s.close().syncUninterruptibly();
        Await.until("the link closed after its last stream", () -> !o.channel().isActive());
        assertThat(violations).isEmpty();
    }

    @Test
    void heartbeats_keepTheLinkUp_andAPingOnAStreamBreaksIt() throws Exception {
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        o.channel().writeAndFlush(Unpooled.buffer().writeByte(CoreLink.PING).writeInt(0).writeInt(0));
        Collect a = new Collect();
        stream(o, a).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {9}));
        Await.until("the link still carries streams after a PING", () -> a.size() == 1);
        o.channel().writeAndFlush(Unpooled.buffer().writeByte(CoreLink.PING).writeInt(7).writeInt(0));
        Await.until("a PING on a stream id breaks the link", () -> !o.channel().isActive());
        assertThat(violations).containsExactly(ProtocolViolation.LINK_FRAME);
    }

    @Test
    void aPlainMqttClient_getsTheMqttHandlers() throws Exception {
        AtomicReference<String> echoed = new AtomicReference<>("");
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        echoed.accumulateAndGet(b.toString(java.nio.charset.StandardCharsets.ISO_8859_1), String::concat);
                        b.release();
                    }
                })
                .connect(server.localAddress()).syncUninterruptibly().channel();
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0x10, 0x02, 'h', 'i'}));
        Await.until("echoed by the MQTT stand-in", () -> echoed.get().length() == 4);
        assertThat(mqttConnections).hasValue(1);
        ch.close().syncUninterruptibly();
    }

    @Test
    void aBrokenFrame_closesTheLink_andIsCounted() throws Exception {
        Opened o = openLink((InetSocketAddress) server.localAddress());
        o.ready().get(5, TimeUnit.SECONDS);
        Collect a = new Collect();
        stream(o, a);
        // a DATA frame that claims more than a chunk: refused before the bytes are read
        o.channel().writeAndFlush(Unpooled.buffer().writeByte(CoreLink.DATA).writeInt(1).writeInt(1 << 30));
        Await.until("link closed", () -> !o.channel().isActive());
        Await.until("stream closed", () -> a.inactive);
        assertThat(violations).contains(ProtocolViolation.LINK_FRAME);
    }

    @Test
    void aPeerThatSpeaksOnlyMqtt_failsTheLinkWithNotALinkPeer() throws Exception {
        Channel mqttOnly = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        ctx.close(); // what Mosquitto does with a first byte of 0xFE
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        try {
            Opened o = openLink((InetSocketAddress) mqttOnly.localAddress());
            Await.until("refused", () -> o.ready().isDone());
            assertThat(o.ready().cause()).isInstanceOf(LinkHandler.NotALinkPeer.class);
        } finally {
            mqttOnly.close().syncUninterruptibly();
        }
    }
}
