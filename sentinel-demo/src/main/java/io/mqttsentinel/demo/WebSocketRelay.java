package io.mqttsentinel.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The demo's stand-in for the customer's WebSocket front (the WAF and Envoy of the architecture): accepts
 * MQTT over WebSocket (sub-protocol {@code mqtt}) on one path and relays the bytes, unchanged, to a plain
 * MQTT broker over TCP. One TCP connection per WebSocket; each side's reads pause while the other side
 * cannot take more (backpressure).
 *
 * <p>Usable by tests to put a WebSocket front on any plain MQTT broker (an in-JVM {@code SentinelBroker},
 * a {@code mosquitto} without WebSocket listener); no TLS.
 */
public final class WebSocketRelay implements AutoCloseable {
    private static final int MAX_FRAME = 1 << 20;

    private final EventLoopGroup group;
    private final Channel server;
    private final String path;

    private WebSocketRelay(EventLoopGroup group, Channel server, String path) {
        this.group = group;
        this.server = server;
        this.path = path;
    }

    /**
     * @param path   the WebSocket path, e.g. {@code /mqtt}
     * @param target the plain MQTT broker
     * @return a relay listening on an ephemeral port of 127.0.0.1
     * @throws InterruptedException when interrupted while binding
     */
    public static WebSocketRelay start(String path, InetSocketAddress target) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath(path).subprotocols("mqtt,mqttv3.1")
                                            .maxFramePayloadLength(MAX_FRAME).checkStartsWith(false).build()),
                                    new WebSocketSide(target));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            return new WebSocketRelay(group, server, path);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** @return the {@code ws://} URL of the relay, e.g. {@code ws://127.0.0.1:41234/mqtt} */
    public String url() {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** @return the port the relay listens on (127.0.0.1) */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops listening and closes every relayed connection. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** The WebSocket side: opens the TCP side after the handshake, then forwards binary frames' content. */
    private static final class WebSocketSide extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress target;
        private final java.util.ArrayDeque<ByteBuf> early = new java.util.ArrayDeque<>();
        private Channel tcp;

        WebSocketSide(InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                Channel ws = ctx.channel();
                ws.config().setAutoRead(false);
                new Bootstrap().group(ws.eventLoop()).channel(NioSocketChannel.class)
                        .handler(new TcpSide(ws))
                        .connect(target).addListener((ChannelFutureListener) f -> {
                            if (!f.isSuccess()) {
                                ws.close();
                                return;
                            }
                            tcp = f.channel();
                            while (!early.isEmpty()) {
                                tcp.write(early.poll());
                            }
                            tcp.flush();
                            ws.config().setAutoRead(true);
                        });
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof BinaryWebSocketFrame) && !(msg instanceof ContinuationWebSocketFrame)) {
                ReferenceCountUtil.release(msg); // text frames are not MQTT
                return;
            }
            ByteBuf content = ((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content().retain();
            ReferenceCountUtil.release(msg);
            if (tcp == null) {
                early.add(content);
                return;
            }
            tcp.writeAndFlush(content).addListener(CLOSE_BOTH_ON_FAILURE);
            if (!tcp.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (tcp != null) {
                tcp.config().setAutoRead(ctx.channel().isWritable());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            if (tcp != null) {
                tcp.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final ChannelFutureListener CLOSE_BOTH_ON_FAILURE = f -> {
        if (!f.isSuccess()) {
            f.channel().close();
        }
    };

    /** The TCP side: wraps what the broker sends into binary frames. */
    private static final class TcpSide extends ChannelInboundHandlerAdapter {
        private final Channel ws;

        TcpSide(Channel ws) {
            this.ws = ws;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ws.writeAndFlush(new BinaryWebSocketFrame((ByteBuf) msg)).addListener(CLOSE_BOTH_ON_FAILURE);
            if (!ws.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ws.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ws.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
