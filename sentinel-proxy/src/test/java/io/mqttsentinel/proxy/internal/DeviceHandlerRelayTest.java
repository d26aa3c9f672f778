package io.mqttsentinel.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.time.Duration;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.RateLimitDecision;
import io.mqttsentinel.api.ConnectionInspector;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.TopicPermissions;
import io.mqttsentinel.proxy.ClientAuthMode;
import io.mqttsentinel.proxy.ProxyLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The relay's backpressure on embedded channels: a device channel and an upstream channel that the test makes
 * unwritable (as a full socket would be), to check that reads of the other side pause and resume.
 */
class DeviceHandlerRelayTest {
    private EmbeddedChannel device;
    private EmbeddedChannel upstream;

    @BeforeEach
    void connect() {
        ProxyLimits limits = ProxyLimits.ofDefaults();
        ProxyRuntime rt = new ProxyRuntime(limits, limits.mqttLimits(), (k, s, c) -> RateLimitDecision.allowed(),
                r -> CompletableFuture.completedFuture(AuthDecision.allow("test")), TopicPermissions.DEFAULT,
                new UpstreamPool(List.of(InetSocketAddress.createUnresolved("broker", 1884)), Duration.ofSeconds(2), System::nanoTime), true, ClientAuthMode.NONE,
                new ProxyMetrics(new SimpleMeterRegistry(), true), SecurityEventSink.NONE, Clock.systemUTC(),
                Ticker.system(), ConnectionInspector.ALLOW_ALL, new Drain());
        DeviceHandler handler = new DeviceHandler(rt, (dev, node, init) -> {
            upstream = new EmbeddedChannel(init);
            return upstream.newSucceededFuture();
        });
        device = new EmbeddedChannel(handler);
        device.writeInbound(MqttMessageBuilders.connect().clientId("d1").protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).build());
        assertThat(device.config().isAutoRead()).as("reads pause while the CONNECT is handled").isFalse();
        ByteBuf upstreamConnect = upstream.readOutbound();
        assertThat(upstreamConnect.getByte(0)).isEqualTo((byte) 0x10);
        upstreamConnect.release();
        upstream.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x20, 0x02, 0x00, 0x00})); // the broker's CONNACK
        MqttConnAckMessage ack = device.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(device.config().isAutoRead()).isTrue();
    }

    @AfterEach
    void close() {
        device.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private static ByteBuf publishBytes() {
        // PUBLISH QoS 0, topic "clients/d1/alerts", payload "hi"
        byte[] topic = "clients/d1/alerts".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x30).writeByte(2 + topic.length + 2).writeShort(topic.length).writeBytes(topic).writeBytes(new byte[] {'h', 'i'});
        return b;
    }

    @Test
    void slowDevice_pausesUpstreamReads_untilItDrains() {
        device.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the device's socket is full
        upstream.writeInbound(publishBytes());
        assertThat(upstream.config().isAutoRead()).isFalse();
        MqttPublishMessage relayed = device.readOutbound();
        assertThat(relayed.variableHeader().topicName()).isEqualTo("clients/d1/alerts");
        ReferenceCountUtil.release(relayed);

        device.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        device.runPendingTasks(); // Netty fires the writability change as a task
        assertThat(upstream.config().isAutoRead()).isTrue();
    }

    @Test
    void slowBroker_pausesDeviceReads_untilItDrains() {
        upstream.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the broker's socket is full
        device.writeInbound(MqttMessageBuilders.publish().topicName("clients/d1/telemetry").qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).build());
        assertThat(device.config().isAutoRead()).isFalse();
        ByteBuf forwarded = upstream.readOutbound();
        assertThat(forwarded.getByte(0)).isEqualTo((byte) 0x30);
        forwarded.release();

        upstream.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        upstream.runPendingTasks();
        assertThat(device.config().isAutoRead()).isTrue();
    }

    @Test
    void upstreamClosing_closesTheDevice_andDeviceClosing_closesTheUpstream() {
        upstream.close();
        assertThat(device.isOpen()).isFalse();
    }

    @Test
    void deviceClosing_closesTheUpstream() {
        device.close();
        assertThat(upstream.isOpen()).isFalse();
    }
}
