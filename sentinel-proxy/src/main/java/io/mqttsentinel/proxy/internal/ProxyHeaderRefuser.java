package io.mqttsentinel.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * On a listener that speaks the PROXY protocol, a connection from an address that is not a trusted load
 * balancer must not choose its own source address: a PROXY header from it is refused (closed, counted as
 * {@code mqtt_proxy_connections_rejected_total{reason="proxy_protocol_untrusted"}}). The first byte decides:
 * a PROXY v1 header starts with {@code 'P'}, a v2 header with {@code '\r'}, while a TLS record starts with
 * {@code 0x16} and an MQTT CONNECT with {@code 0x10}. Removes itself after the first byte.
 */
public final class ProxyHeaderRefuser extends ChannelInboundHandlerAdapter {
    private final ProxyMetrics metrics;

    /** @param metrics the meters */
    public ProxyHeaderRefuser(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            ByteBuf b = (ByteBuf) msg;
            byte first = b.getByte(b.readerIndex());
            if (first == 'P' || first == '\r') {
                b.release();
                metrics.connectionRejected("proxy_protocol_untrusted");
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}
