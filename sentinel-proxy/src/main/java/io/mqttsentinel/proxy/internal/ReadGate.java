package io.mqttsentinel.proxy.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Several stages pause a channel's reads for their own reasons (the other side is slow, the source
 * address is over its bandwidth, the CONNECT is being authenticated). Reads resume only when no reason
 * holds any more, so that one stage never resumes what another paused. Used on the channel's event loop only.
 */
public final class ReadGate {
    /** The peer channel cannot take more writes. */
    public static final int BACKPRESSURE = 1;
    /** The source address is over its bandwidth. */
    public static final int THROTTLE = 2;
    /** The CONNECT is being authenticated, or the upstream connected. */
    public static final int HANDSHAKE = 4;
    /** The proxy is stopping: no new packets from devices. */
    public static final int DRAIN = 8;

    private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

    private final Channel channel;
    private int reasons;

    private ReadGate(Channel channel) {
        this.channel = channel;
    }

    /**
     * @param channel a channel
     * @return its gate, created on first use
     */
    public static ReadGate of(Channel channel) {
        ReadGate g = channel.attr(KEY).get();
        if (g == null) {
            g = new ReadGate(channel);
            channel.attr(KEY).set(g);
        }
        return g;
    }

    /** @param reason one of the reason constants */
    public void pause(int reason) {
        if (reasons == 0) {
            channel.config().setAutoRead(false);
        }
        reasons |= reason;
    }

    /** @param reason one of the reason constants */
    public void resume(int reason) {
        if ((reasons & reason) == 0) {
            return;
        }
        reasons &= ~reason;
        if (reasons == 0) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * @param reason one of the reason constants
     * @return whether that reason currently pauses reads
     */
    public boolean isPaused(int reason) {
        return (reasons & reason) != 0;
    }
}
