package io.mqttsentinel.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Follows Netty's {@code HAProxyMessageDecoder} on a connection from a trusted load balancer: takes the
 * device's address from the PROXY header (v1 or v2), then has the rest of the device pipeline installed
 * under that address and steps aside. A LOCAL command (the balancer's own health check) or an UNKNOWN
 * protocol keeps the balancer's address. A connection whose header is missing, malformed or late is closed
 * and counted ({@code mqtt_proxy_connections_rejected_total{reason="proxy_protocol"}}).
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private final ProxyMetrics metrics;
    private final long timeoutNanos;
    private final BiConsumer<Channel, InetSocketAddress> install;
    private ScheduledFuture<?> timer;
    private boolean done;

    /**
     * @param metrics      the meters
     * @param timeoutNanos how long the header may take to arrive
     * @param install      installs the device pipeline for the device's address (called once, on the event loop)
     */
    public ProxyProtocolHandler(ProxyMetrics metrics, long timeoutNanos, BiConsumer<Channel, InetSocketAddress> install) {
        this.metrics = metrics;
        this.timeoutNanos = timeoutNanos;
        this.install = install;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> refuse(ctx, "no PROXY header in time"), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HAProxyMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        InetSocketAddress source;
        try {
            source = source(header, (InetSocketAddress) ctx.channel().remoteAddress());
        } finally {
            ReferenceCountUtil.release(header);
        }
        done = true;
        timer.cancel(false);
        // installed behind this handler before the decoder hands on the bytes that followed the header
        install.accept(ctx.channel(), source);
        ctx.pipeline().remove(this);
    }

    static InetSocketAddress source(HAProxyMessage header, InetSocketAddress balancer) {
        HAProxyProxiedProtocol p = header.proxiedProtocol();
        if (header.command() == HAProxyCommand.LOCAL || p == HAProxyProxiedProtocol.UNKNOWN
                || p.transportProtocol() != HAProxyProxiedProtocol.TransportProtocol.STREAM
                || header.sourceAddress() == null) {
            return balancer;
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (ip == null) {
            return balancer; // the decoder validated it; defensive only
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), header.sourcePort());
        } catch (java.net.UnknownHostException e) {
            return balancer;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        refuse(ctx, cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!done && timer != null) {
            timer.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        if (done) {
            return;
        }
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        metrics.connectionRejected("proxy_protocol");
        LOG.debug("PROXY header from {} refused: {}", ctx.channel().remoteAddress(), why);
        ctx.close();
    }
}
