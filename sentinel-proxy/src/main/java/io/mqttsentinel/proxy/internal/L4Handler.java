package io.mqttsentinel.proxy.internal;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First handler of a device connection: releases its place in the {@link ConnectionRegistry} when it
 * closes, counts raw bytes both ways and pauses reads while the source address is over its bandwidth.
 */
public final class L4Handler extends ChannelDuplexHandler {
    private final ConnectionRegistry registry;
    private final ProxyMetrics metrics;
    private final InetAddress address;
    private boolean released;

    /**
     * @param registry where the connection was admitted
     * @param metrics  the meters
     * @param address  the source address it was admitted under
     */
    public L4Handler(ConnectionRegistry registry, ProxyMetrics metrics, InetAddress address) {
        this.registry = registry;
        this.metrics = metrics;
        this.address = address;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            int n = ((ByteBuf) msg).readableBytes();
            metrics.bytesIn(n);
            long pauseNanos = registry.consume(address, n);
            if (pauseNanos > 0) {
                ReadGate gate = ReadGate.of(ctx.channel());
                if (!gate.isPaused(ReadGate.THROTTLE)) {
                    gate.pause(ReadGate.THROTTLE);
                    ctx.executor().schedule(() -> gate.resume(ReadGate.THROTTLE), pauseNanos, TimeUnit.NANOSECONDS);
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf) {
            metrics.bytesOut(((ByteBuf) msg).readableBytes());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (!released) {
            released = true;
            registry.close(address);
            metrics.connectionClosed();
        }
    }
}
