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
    private boolean throttled;
    /** What was read while over the bandwidth, created on first use: most devices never are. */
    private java.util.ArrayDeque<Object> held;
    private boolean readWanted;

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
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int n = ((ByteBuf) msg).readableBytes();
        metrics.bytesIn(n);
        if (throttled) {
            held().add(msg); // read in the same loop as the chunk that went over: waits with it
            return;
        }
        long pauseNanos = registry.consume(address, n);
        if (pauseNanos <= 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        // over the source's bandwidth: this chunk goes on only when the budget has paid for it, and no read
        // happens meanwhile, neither automatic ones (the gate) nor the explicit ones later handlers ask for to
        // complete a TLS record or an MQTT packet (read() below)
        throttled = true;
        held().add(msg);
        ReadGate gate = ReadGate.of(ctx.channel());
        gate.pause(ReadGate.THROTTLE);
        ctx.executor().schedule(() -> {
            throttled = false;
            java.util.ArrayDeque<Object> waiting = held;
            held = null;
            while (waiting != null && !waiting.isEmpty()) {
                ctx.fireChannelRead(waiting.poll());
            }
            ctx.fireChannelReadComplete();
            gate.resume(ReadGate.THROTTLE);
            if (readWanted && ctx.channel().isActive()) {
                readWanted = false;
                ctx.read();
            }
        }, pauseNanos, TimeUnit.NANOSECONDS);
    }

    private java.util.ArrayDeque<Object> held() {
        if (held == null) {
            held = new java.util.ArrayDeque<>(2);
        }
        return held;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (throttled) {
            readWanted = true; // issued when the pause ends
            return;
        }
        ctx.read();
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
        while (held != null && !held.isEmpty()) {
            io.netty.util.ReferenceCountUtil.release(held.poll());
        }
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
