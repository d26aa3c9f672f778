package io.mqttsentinel.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.mqttsentinel.testkit.MqttPackets;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Many TLS devices at once, on a few event-loop threads: each connects, sends a CONNECT and waits for its
 * CONNACK; a device refused with 0x05 (or cut off) tries again after a random 100 to 500 ms, as a device's
 * backoff would. Connected devices stay connected until {@link #close()}.
 */
final class DeviceSwarm implements AutoCloseable {
    private final EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("swarm", true));
    private final SslContext ssl;
    private final int port;
    private final Queue<Channel> connected = new ConcurrentLinkedQueue<>();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    DeviceSwarm(int port, Path caFile) throws Exception {
        this.port = port;
        this.ssl = SslContextBuilder.forClient().trustManager(caFile.toFile())
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
    }

    /**
     * Starts every device at once and waits until all are connected.
     *
     * @param n       devices, client ids {@code prefix0..prefix(n-1)}
     * @param sources local addresses the devices connect from, round robin (loopback has ~28k ports each)
     * @param limit   how long to wait
     * @return nanoseconds until the last CONNACK 0x00, or -1 when not all were connected in time
     */
    long connectAll(int n, String prefix, List<InetAddress> sources, Duration limit) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            attempt(prefix + i, sources.get(i % sources.size()), done);
        }
        return done.await(limit.toNanos(), TimeUnit.NANOSECONDS) ? System.nanoTime() - start : -1;
    }

    /** @return devices connected now */
    int connected() {
        return (int) connected.stream().filter(Channel::isActive).count();
    }

    private void attempt(String clientId, InetAddress source, CountDownLatch done) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                        ch.pipeline().addLast(new Device(clientId, source, done));
                    }
                });
        b.connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0)).addListener(f -> {
            if (!f.isSuccess()) {
                failed.incrementAndGet();
                retry(clientId, source, done);
            }
        });
    }

    private void retry(String clientId, InetAddress source, CountDownLatch done) {
        group.schedule(() -> attempt(clientId, source, done), ThreadLocalRandom.current().nextInt(100, 500),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        for (Channel c : connected) {
            c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private final class Device extends ChannelInboundHandlerAdapter {
        private final String clientId;
        private final InetAddress source;
        private final CountDownLatch done;
        private final ByteBuf in = Unpooled.buffer(4);
        private boolean answered;

        Device(String clientId, InetAddress source, CountDownLatch done) {
            this.clientId = clientId;
            this.source = source;
            this.done = done;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(MqttPackets.connect(clientId))); // sent once TLS is up
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf b = (ByteBuf) msg;
                in.writeBytes(b, Math.min(b.readableBytes(), in.writableBytes()));
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (!answered && in.readableBytes() >= 4) {
                answered = true;
                if (in.getByte(0) == 0x20 && in.getByte(3) == 0) {
                    connected.add(ctx.channel());
                    done.countDown();
                } else {
                    refused.incrementAndGet();
                    ctx.close();
                    retry(clientId, source, done);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!answered) {
                answered = true;
                failed.incrementAndGet();
                retry(clientId, source, done);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
