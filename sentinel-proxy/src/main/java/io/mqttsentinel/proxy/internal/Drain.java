package io.mqttsentinel.proxy.internal;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * What a graceful stop needs to know: the device connections, and how many QoS 1/2 PUBLISHes the proxy forwarded
 * to the core whose PUBACK (or PUBREC) has not come back yet. {@link #begin()} stops reading new packets from every
 * device; what was forwarded still gets its acknowledgement relayed, so that a stop waits only for those.
 */
public final class Drain {
    private final ChannelGroup devices = new DefaultChannelGroup("devices", GlobalEventExecutor.INSTANCE);
    /** Changed by every connection's event loop on each QoS 1/2 PUBLISH and PUBACK; summed only by a stop. */
    private final LongAdder awaitingCore = new LongAdder();
    private volatile boolean draining;

    /** @param device a new device connection; paused at once when the drain has begun */
    void register(Channel device) {
        devices.add(device);
        if (draining) {
            pause(device);
        }
    }

    /** @param delta change in forwarded PUBLISHes awaiting the core's acknowledgement */
    void awaitingCore(int delta) {
        awaitingCore.add(delta);
    }

    /** @return forwarded QoS 1/2 PUBLISHes whose acknowledgement from the core has not come back */
    public long awaitingCore() {
        return awaitingCore.sum();
    }

    /** @return device connections open */
    public int devices() {
        return devices.size();
    }

    /** @return whether {@link #begin()} was called */
    public boolean draining() {
        return draining;
    }

    /** Stops reading from every device connection, now and for any that is still being set up. */
    public void begin() {
        draining = true;
        for (Channel c : devices) {
            pause(c);
        }
    }

    private static void pause(Channel c) {
        c.eventLoop().execute(() -> ReadGate.of(c).pause(ReadGate.DRAIN));
    }
}
