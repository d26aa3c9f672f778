package io.mqttsentinel.mqtt;

import io.mqttsentinel.mqtt.internal.MqttSessionGuard;
import io.mqttsentinel.mqtt.internal.StrictMqttDecoder;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * Installs the strict MQTT 3.1.1 codec into a Netty pipeline. After it, handlers receive only decoded,
 * validated {@link io.netty.handler.codec.mqtt.MqttMessage}s and may write {@code MqttMessage}s.
 *
 * <p>Handlers, in order: {@value #ENCODER} (Netty's encoder), {@value #STRICT_DECODER} (framing, size
 * limit before buffering, byte-level rules), {@value #DECODER} (Netty's decoder, one whole packet at a
 * time), {@value #SESSION_GUARD} (CONNECT timeout, keep-alive). A {@value #KEEPALIVE} idle handler is
 * added before the strict decoder once the CONNECT's keep-alive is known.
 */
public final class MqttPipelines {
    /** Name of Netty's MQTT encoder in the pipeline. */
    public static final String ENCODER = "mqtt-encoder";
    /** Name of the framing and byte-level validation handler. */
    public static final String STRICT_DECODER = "mqtt-strict";
    /** Name of Netty's MQTT decoder. */
    public static final String DECODER = "mqtt-decoder";
    /** Name of the session guard (timeouts). */
    public static final String SESSION_GUARD = "mqtt-session";
    /** Name of the keep-alive idle handler, added after CONNECT. */
    public static final String KEEPALIVE = "mqtt-keepalive";

    private MqttPipelines() {
    }

    /**
     * For the server side of a connection (a device talking to the proxy, a client talking to the
     * broker): validates what clients send.
     *
     * @param pipeline the pipeline (TLS, if any, already added)
     * @param limits   the limits
     * @param listener told about every refused connection
     */
    public static void addServerCodec(ChannelPipeline pipeline, MqttLimits limits, ViolationListener listener) {
        add(pipeline, Direction.CLIENT_TO_SERVER, limits, listener);
    }

    /**
     * For the client side of a connection (the proxy's upstream connection to the broker): validates what
     * the server sends.
     *
     * @param pipeline the pipeline
     * @param limits   the limits
     * @param listener told about a refused connection
     */
    public static void addClientCodec(ChannelPipeline pipeline, MqttLimits limits, ViolationListener listener) {
        add(pipeline, Direction.SERVER_TO_CLIENT, limits, listener);
    }

    private static void add(ChannelPipeline p, Direction direction, MqttLimits limits, ViolationListener listener) {
        p.addLast(ENCODER, MqttEncoder.INSTANCE);
        p.addLast(STRICT_DECODER, new StrictMqttDecoder(direction, limits, listener));
        p.addLast(DECODER, new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()));
        p.addLast(SESSION_GUARD, new MqttSessionGuard(direction, limits, listener));
    }
}
