package io.mqttsentinel.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;

/**
 * A CONNECT flood from one address: {@value #RATE} new TLS connections a second, each sending an anonymous CONNECT,
 * far above what one device ever needs. At the proxy's defaults it meets every per-address defence in turn,
 * cheapest first: TLS handshakes above 100 a second (burst 200) are closed at accept, before any TLS work;
 * CONNECTs above the connection-rate anomaly (100 a second) and, once its burst of 500 is spent, above the
 * CONNECT tier (10 a second) get CONNACK 0x05; what is left meets the auth callout, which lets no anonymous device
 * in (0x05; the verdict is cached, so the flood costs the auth endpoint nothing). A CONNACK 0x00 would be got
 * through.
 *
 * <p>An attacker does not check the server's certificate and needs no thread per connection: the flood runs on
 * one event loop of its own with the OpenSSL engine where it is available, so that it costs the demo's machine
 * little more than the proxy's side of each handshake. A try is a connection the proxy accepted; at most
 * {@value #MAX_UNDERWAY} are open at once.
 */
final class ConnectFlood extends Attacker {
    /** Connection attempts per second. */
    static final int RATE = 150;
    private static final int MAX_UNDERWAY = 300;
    private static final long TICK_MILLIS = 20;

    private final InetSocketAddress proxy;
    private final byte[] connect;
    private final AtomicInteger underway = new AtomicInteger();
    private volatile EventLoopGroup group;
    private volatile ScheduledFuture<?> task;

    /**
     * @param source its source address
     * @param proxy  the proxy's MQTTS listener
     */
    ConnectFlood(InetAddress source, InetSocketAddress proxy) {
        super(AttackKind.CONNECT_FLOOD, "attacker-" + AttackKind.CONNECT_FLOOD.label(), source);
        this.proxy = proxy;
        this.connect = MqttBytes.anonymousConnect(clientId());
    }

    @Override
    String describe() {
        return "anonymous CONNECTs over new TLS connections, " + RATE + "/s from one address";
    }

    @Override
    void start(ScheduledExecutorService scheduler) {
        SslContext tls;
        try {
            tls = SslContextBuilder.forClient().sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client for the CONNECT flood", e);
        }
        EventLoopGroup g = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "demo-" + clientId());
            t.setDaemon(true);
            return t;
        });
        group = g;
        Bootstrap b = new Bootstrap().group(g).channel(NioSocketChannel.class)
                .option(ChannelOption.SO_LINGER, 0) // a reset, not TIME_WAIT: thousands of connections from one address
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .localAddress(new InetSocketAddress(source(), 0))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), proxy.getHostString(), proxy.getPort()),
                                new Attempt());
                    }
                });
        long perTick = RATE * TICK_MILLIS;
        long[] due = new long[1]; // thousandths of a connection owed, on the event loop only
        task = g.scheduleAtFixedRate(() -> {
            due[0] += perTick;
            for (; due[0] >= 1_000; due[0] -= 1_000) {
                if (stopping() || underway.get() >= MAX_UNDERWAY) {
                    due[0] = 0;
                    return;
                }
                underway.incrementAndGet();
                b.connect(proxy).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        attempted();
                    } else {
                        underway.decrementAndGet(); // not even a TCP connection: no try
                    }
                });
            }
        }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One connection: the CONNECT after the handshake, then the CONNACK's return code. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private final byte[] connack = new byte[4];
        private int read;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                if (((SslHandshakeCompletionEvent) evt).isSuccess()) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(connect));
                } else {
                    ctx.close();
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf in = (ByteBuf) msg;
                int n = Math.min(in.readableBytes(), connack.length - read);
                in.readBytes(connack, read, n);
                read += n;
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (read == connack.length) {
                // 0x20, remaining length 2, session present, return code
                if (connack[0] == 0x20 && connack[3] == 0) {
                    gotThrough();
                }
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            underway.decrementAndGet();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // refused: closed before, during or after the handshake
        }
    }

    @Override
    void stop() {
        super.stop();
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    void awaitStopped(long deadline) {
        while (underway.get() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        EventLoopGroup g = group;
        if (g != null) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
