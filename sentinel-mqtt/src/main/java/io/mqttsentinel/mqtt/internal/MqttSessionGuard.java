package io.mqttsentinel.mqtt.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.mqtt.Direction;
import io.mqttsentinel.mqtt.MqttLimits;
import io.mqttsentinel.mqtt.MqttPipelines;
import io.mqttsentinel.mqtt.ProtocolViolation;
import io.mqttsentinel.mqtt.ViolationListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Session rules that need time: the CONNECT must arrive within the CONNECT timeout, and after it a
 * client that asked for keep-alive {@code k} seconds must send something at least every {@code 1.5 k}
 * seconds. Also refuses any message that Netty's decoder could not decode (defence in depth: the strict
 * decoder in front of it should have refused it already).
 */
public final class MqttSessionGuard extends ChannelDuplexHandler {
    private final Direction direction;
    private final MqttLimits limits;
    private final ViolationListener listener;
    private ScheduledFuture<?> connectTimeout;
    private boolean closed;

    /**
     * @param direction who sends the messages this handler reads
     * @param limits    the limits (timeouts)
     * @param listener  told about a violation
     */
    public MqttSessionGuard(Direction direction, MqttLimits limits, ViolationListener listener) {
        this.direction = direction;
        this.limits = limits;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (direction == Direction.CLIENT_TO_SERVER && ctx.channel().isActive()) {
            scheduleConnectTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (direction == Direction.CLIENT_TO_SERVER && connectTimeout == null) {
            scheduleConnectTimeout(ctx);
        }
        super.channelActive(ctx);
    }

    private void scheduleConnectTimeout(ChannelHandlerContext ctx) {
        long nanos = limits.connectTimeout().toNanos();
        connectTimeout = ctx.executor().schedule(
                () -> violation(ctx, ProtocolViolation.CONNECT_TIMEOUT, "no CONNECT within " + limits.connectTimeout()),
                nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof MqttMessage && ((MqttMessage) msg).decoderResult().isFailure()) {
            Throwable cause = ((MqttMessage) msg).decoderResult().cause();
            ReferenceCountUtil.release(msg);
            violation(ctx, ProtocolViolation.MALFORMED_PACKET, "decoder: " + cause.getClass().getSimpleName());
            return;
        }
        if (msg instanceof MqttConnectMessage) {
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
                connectTimeout = null;
            }
            int keepAlive = ((MqttConnectMessage) msg).variableHeader().keepAliveTimeSeconds();
            // a stream of a proxy's link: the proxy enforces the device's keep-alive and the link has its heartbeat
            if (keepAlive > 0 && !(ctx.channel() instanceof io.mqttsentinel.mqtt.link.LinkStreamChannel)) {
                long millis = (long) Math.ceil(keepAlive * 1000L * limits.keepAliveFactor());
                ctx.pipeline().addBefore(MqttPipelines.STRICT_DECODER, MqttPipelines.KEEPALIVE,
                        new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            if (!ctx.channel().config().isAutoRead()) {
                // we stopped reading (backpressure, bandwidth throttle): the silence is ours, not the
                // client's; the idle handler checks again one period later
                return;
            }
            violation(ctx, ProtocolViolation.KEEPALIVE_TIMEOUT, "silent for " + limits.keepAliveFactor() + " x keep-alive");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void violation(ChannelHandlerContext ctx, ProtocolViolation v, String detail) {
        if (closed) {
            return;
        }
        closed = true;
        listener.onViolation(v, detail, ctx.channel().remoteAddress());
        ctx.close();
    }
}
