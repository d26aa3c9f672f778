package io.mqttsentinel.proxy.internal;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Opens a device's upstream connection. A seam so that the relay can be tested on embedded channels. */
@FunctionalInterface
public interface UpstreamConnector {

    /**
     * @param device      the device's channel; the upstream channel must use its event loop
     * @param node        the core broker node to connect to
     * @param initializer the handlers of the upstream channel
     * @return the connect future
     */
    ChannelFuture connect(Channel device, InetSocketAddress node, ChannelHandler initializer);

    /**
     * @param device the device's channel; the probe uses its event loop
     * @param node   a node whose connection dropped
     * @return the future of a connection that only proves the node accepts connections (the caller closes it)
     */
    default ChannelFuture probe(Channel device, InetSocketAddress node) {
        return connect(device, node, new io.netty.channel.ChannelInboundHandlerAdapter());
    }

    /**
     * @param rt the proxy's settings (the connect timeout)
     * @return a connector that opens a TCP connection on the device's event loop, wrapped in the client TLS of
     *         {@link UpstreamPool#tls()} when there is one (the upstream handlers' first write, the CONNECT, waits
     *         in the TLS handler until the handshake is done; a failed handshake closes the channel, which counts
     *         as a failed node)
     */
    static UpstreamConnector tcp(ProxyRuntime rt) {
        io.netty.handler.ssl.SslContext tls = rt.upstreams().tls();
        if (tls == null) {
            return plain(rt);
        }
        UpstreamConnector plain = plain(rt);
        return (device, node, initializer) -> plain.connect(device, node, new io.netty.channel.ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), node.getHostString(), node.getPort()));
                ch.pipeline().addLast("tls-failure", new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) throws Exception {
                        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent) {
                            ctx.pipeline().remove(this); // needed once: not held by every idle device
                        }
                        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent
                                && !((io.netty.handler.ssl.SslHandshakeCompletionEvent) evt).isSuccess()) {
                            rt.metrics().upstreamFailure("tls_handshake");
                            org.slf4j.LoggerFactory.getLogger(UpstreamConnector.class).debug("TLS to core {}:{} failed: {}",
                                    node.getHostString(), node.getPort(),
                                    ((io.netty.handler.ssl.SslHandshakeCompletionEvent) evt).cause().toString());
                        }
                        ctx.fireUserEventTriggered(evt);
                    }
                });
                ch.pipeline().addLast(initializer);
            }
        });
    }

    private static UpstreamConnector plain(ProxyRuntime rt) {
        return (device, node, initializer) -> new Bootstrap()
                .group(device.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) rt.limits().upstreamConnectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .handler(initializer)
                .connect(node);
    }
}
