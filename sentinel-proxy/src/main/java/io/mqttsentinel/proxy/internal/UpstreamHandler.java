package io.mqttsentinel.proxy.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;

/** The proxy's side of the connection to the core broker: hands what the broker sends to the device handler. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final DeviceHandler device;

    UpstreamHandler(DeviceHandler device) {
        this.device = device;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (device.upstreamActive(ctx.channel())) {
            ctx.writeAndFlush(device.upstreamConnect());
        } else {
            ctx.close();
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage) {
            device.fromUpstream(ctx.channel(), (MqttMessage) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        device.upstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            device.upstreamWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        device.upstreamClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
