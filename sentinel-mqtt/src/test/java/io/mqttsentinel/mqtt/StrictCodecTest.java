package io.mqttsentinel.mqtt;

import static io.mqttsentinel.testkit.MqttPackets.packet;
import static io.mqttsentinel.testkit.MqttPackets.subscribe;
import static io.mqttsentinel.testkit.MqttPackets.writeString;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mqttsentinel.testkit.MqttPackets;

/** Byte fixtures through the server-side codec: what a device may and may not send. */
class StrictCodecTest {
    private final List<ProtocolViolation> violations = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        MqttPipelines.addServerCodec(channel.pipeline(), MqttLimits.ofDefaults().withMaxPacketSize(1024),
                (v, detail, remote) -> violations.add(v));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    /** CONNECT with the given protocol name, level and connect flags; keep-alive 60 s. */
    private static byte[] connect(String protocol, int level, int flags, String clientId) {
        return MqttPackets.connectBuilder(clientId).protocol(protocol, level).flags(flags).build();
    }

    private static byte[] publish(int flags, String topic, int packetId, String payload) {
        return MqttPackets.publish(flags, topic, packetId, payload.getBytes(StandardCharsets.UTF_8));
    }

    private void send(byte[]... packets) {
        for (byte[] p : packets) {
            channel.writeInbound(Unpooled.wrappedBuffer(p));
        }
    }

    private List<MqttMessage> received() {
        List<MqttMessage> out = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add((MqttMessage) m);
        }
        return out;
    }

    @Test
    void connectThenPublishAndSubscribe_areDecoded() {
        send(MqttPackets.connect("dev1"), publish(0x02, "clients/dev1/telemetry", 7, "{\"t\":21}"), subscribe(8, "clients/dev1/alerts", 1));

        List<MqttMessage> msgs = received();
        assertThat(msgs).hasSize(3);
        assertThat(((MqttConnectMessage) msgs.get(0)).payload().clientIdentifier()).isEqualTo("dev1");
        assertThat(((MqttPublishMessage) msgs.get(1)).variableHeader().topicName()).isEqualTo("clients/dev1/telemetry");
        assertThat(((MqttSubscribeMessage) msgs.get(2)).payload().topicSubscriptions()).hasSize(1);
        msgs.forEach(io.netty.util.ReferenceCountUtil::release);
        assertThat(violations).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void decode_packetSplitAcrossReads_isReassembled() {
        byte[] c = MqttPackets.connect("dev1");
        for (byte b : c) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(received()).singleElement().extracting(m -> m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNECT);
    }

    @Test
    void decode_firstPacketNotConnect_closesConnection() {
        send(publish(0x00, "a/b", 0, "x"));
        assertRefused(ProtocolViolation.FIRST_PACKET_NOT_CONNECT);
    }

    @Test
    void decode_secondConnect_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(MqttPackets.connect("dev1"));
        assertRefused(ProtocolViolation.DUPLICATE_CONNECT);
    }

    @Test
    void decode_protocolNameNotMqtt_closesConnection() {
        send(connect("MQTX", 4, 0x02, "dev1"));
        assertRefused(ProtocolViolation.BAD_PROTOCOL_NAME);
    }

    @Test
    void decode_protocolLevel3_answersConnack01AndCloses() {
        send(connect("MQTT", 3, 0x02, "dev1"));
        assertRefused(ProtocolViolation.UNSUPPORTED_PROTOCOL_LEVEL);
        ByteBuf connack = channel.readOutbound();
        assertThat(bytes(connack)).containsExactly(0x20, 0x02, 0x00, 0x01); // CONNACK, rc 0x01
    }

    @Test
    void decode_mqtt31ProtocolName_isUnsupportedLevel() {
        send(connect("MQIsdp", 3, 0x02, "dev1"));
        assertRefused(ProtocolViolation.UNSUPPORTED_PROTOCOL_LEVEL);
    }

    @Test
    void decode_emptyClientIdWithoutCleanSession_answersConnack02() {
        send(connect("MQTT", 4, 0x00, ""));
        assertRefused(ProtocolViolation.IDENTIFIER_REJECTED);
        ByteBuf connack = channel.readOutbound();
        assertThat(bytes(connack)).containsExactly(0x20, 0x02, 0x00, 0x02);
    }

    @Test
    void decode_reservedConnectFlag_closesConnection() {
        send(connect("MQTT", 4, 0x03, "dev1")); // bit 0 is reserved
        assertRefused(ProtocolViolation.BAD_CONNECT_FLAGS);
    }

    @Test
    void decode_passwordWithoutUsername_closesConnection() {
        send(connect("MQTT", 4, 0x42, "dev1"));
        assertRefused(ProtocolViolation.BAD_CONNECT_FLAGS);
    }

    @Test
    void decode_connectWithTrailingBytes_closesConnection() {
        byte[] c = MqttPackets.connect("dev1");
        byte[] longer = new byte[c.length + 1];
        System.arraycopy(c, 0, longer, 0, c.length);
        longer[1] = (byte) (c[1] + 1); // remaining length one more, an extra garbage byte
        send(longer);
        assertRefused(ProtocolViolation.MALFORMED_PACKET);
    }

    @Test
    void decode_packetType0_closesConnection() {
        send(new byte[] {0x00, 0x00});
        assertRefused(ProtocolViolation.INVALID_PACKET_TYPE);
    }

    @Test
    void decode_packetType15_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(new byte[] {(byte) 0xF0, 0x00});
        assertRefused(ProtocolViolation.INVALID_PACKET_TYPE);
    }

    @Test
    void decode_serverOnlyPacketFromClient_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(new byte[] {(byte) 0x90, 0x03, 0x00, 0x01, 0x00}); // SUBACK from a client
        assertRefused(ProtocolViolation.INVALID_PACKET_TYPE);
    }

    @Test
    void decode_remainingLengthOfFiveBytes_closesConnection() {
        send(new byte[] {0x10, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        assertRefused(ProtocolViolation.MALFORMED_REMAINING_LENGTH);
    }

    @Test
    void decode_oversizedPacket_isRefusedBeforeItsBodyArrives() {
        // only the fixed header of a 268 MB CONNECT: refused at once, nothing buffered for the body
        send(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
        assertRefused(ProtocolViolation.PACKET_TOO_LARGE);
    }

    @Test
    void decode_publishWithQos3_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(publish(0x06, "a/b", 1, "x"));
        assertRefused(ProtocolViolation.INVALID_QOS);
    }

    @Test
    void decode_subscribeWithWrongReservedFlags_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        byte[] s = subscribe(1, "a/b", 0);
        s[0] = (byte) 0x80; // SUBSCRIBE must carry flags 0b0010
        send(s);
        assertRefused(ProtocolViolation.RESERVED_FLAGS);
    }

    @Test
    void decode_wildcardInPublishTopic_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(publish(0x00, "clients/+/alerts", 0, "x"));
        assertRefused(ProtocolViolation.INVALID_TOPIC_NAME);
    }

    @Test
    void decode_zeroLengthTopic_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(publish(0x00, "", 0, "x"));
        assertRefused(ProtocolViolation.INVALID_TOPIC_NAME);
    }

    @Test
    void decode_qos1PublishWithPacketId0_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(publish(0x02, "a/b", 0, "x"));
        assertRefused(ProtocolViolation.INVALID_PACKET_ID);
    }

    @Test
    void decode_nulInTopic_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(publish(0x00, "a/\u0000b", 0, "x"));
        assertRefused(ProtocolViolation.INVALID_UTF8);
    }

    @Test
    void decode_overlongUtf8InTopic_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        // topic "a" + overlong encoding of '/' (0xC0 0xAF)
        byte[] body = {0x00, 0x03, 'a', (byte) 0xC0, (byte) 0xAF, 'x'};
        send(packet(0x30, body));
        assertRefused(ProtocolViolation.INVALID_UTF8);
    }

    @Test
    void decode_surrogateInClientId_closesConnection() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4);
        body.write(0x02);
        body.write(0);
        body.write(60);
        body.writeBytes(new byte[] {0x00, 0x03, (byte) 0xED, (byte) 0xA0, (byte) 0x80}); // U+D800
        send(packet(0x10, body.toByteArray()));
        assertRefused(ProtocolViolation.INVALID_UTF8);
    }

    @Test
    void decode_subscribeWithoutFilters_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(subscribe(1, null, 0));
        assertRefused(ProtocolViolation.EMPTY_SUBSCRIPTION);
    }

    @Test
    void decode_subscribeWithBadFilter_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(subscribe(1, "a/#/b", 0));
        assertRefused(ProtocolViolation.INVALID_TOPIC_FILTER);
    }

    @Test
    void decode_subscribeWithQos3_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(subscribe(1, "a/b", 3));
        assertRefused(ProtocolViolation.INVALID_QOS);
    }

    @Test
    void decode_pingreqWithBody_closesConnection() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        send(new byte[] {(byte) 0xC0, 0x01, 0x00});
        assertRefused(ProtocolViolation.MALFORMED_PACKET);
    }

    @Test
    void decode_afterViolation_everythingElseIsDiscarded() {
        // both packets in one read: the CONNECT after the bad packet must not be decoded
        byte[] a = publish(0x00, "a/b", 0, "x");
        byte[] b = MqttPackets.connect("dev1");
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        send(both);
        assertThat(received()).isEmpty();
        assertRefused(ProtocolViolation.FIRST_PACKET_NOT_CONNECT);
        assertThat(violations).hasSize(1);
    }

    @Test
    void connectTimeout_closesSilentConnection() {
        EmbeddedChannel ch = new EmbeddedChannel();
        List<ProtocolViolation> seen = new ArrayList<>();
        MqttPipelines.addServerCodec(ch.pipeline(), MqttLimits.ofDefaults().withConnectTimeout(Duration.ofMillis(50)),
                (v, d, r) -> seen.add(v));
        // EmbeddedChannel runs scheduled tasks only when asked: advance past the timeout
        ch.advanceTimeBy(60, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(seen).containsExactly(ProtocolViolation.CONNECT_TIMEOUT);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void connectTimeout_isCancelledByConnect() {
        EmbeddedChannel ch = new EmbeddedChannel();
        List<ProtocolViolation> seen = new ArrayList<>();
        MqttPipelines.addServerCodec(ch.pipeline(), MqttLimits.ofDefaults().withConnectTimeout(Duration.ofMillis(50)),
                (v, d, r) -> seen.add(v));
        ch.writeInbound(Unpooled.wrappedBuffer(connect("MQTT", 4, 0x02, "dev1")));
        ch.advanceTimeBy(60, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(seen).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void keepAlive_silentClient_isClosedAfterOneAndAHalfTimes() {
        send(MqttPackets.connect("dev1")); // keep-alive 60 s
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        channel.pipeline().fireUserEventTriggered(io.netty.handler.timeout.IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(violations).containsExactly(ProtocolViolation.KEEPALIVE_TIMEOUT);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void keepAlive_whileWeDoNotRead_isNotTheClientsFault() {
        send(MqttPackets.connect("dev1"));
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        channel.config().setAutoRead(false); // e.g. the proxy applies backpressure from a slow broker
        channel.pipeline().fireUserEventTriggered(io.netty.handler.timeout.IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(violations).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void keepAlive_idleHandlerIsInstalledWithOneAndAHalfTimesTheKeepAlive() {
        send(MqttPackets.connect("dev1")); // keep-alive 60 s
        received().forEach(io.netty.util.ReferenceCountUtil::release);
        io.netty.handler.timeout.IdleStateHandler idle =
                (io.netty.handler.timeout.IdleStateHandler) channel.pipeline().get(MqttPipelines.KEEPALIVE);
        assertThat(idle.getReaderIdleTimeInMillis()).isEqualTo(90_000);
    }

    private void assertRefused(ProtocolViolation expected) {
        assertThat(violations).containsExactly(expected);
        assertThat(channel.isOpen()).isFalse();
        List<MqttMessage> after = received();
        // nothing past the violation reaches the application (a CONNECT decoded before it may have)
        assertThat(after).allMatch(m -> m.fixedHeader().messageType() == MqttMessageType.CONNECT);
        after.forEach(io.netty.util.ReferenceCountUtil::release);
    }

    private static int[] bytes(ByteBuf buf) {
        int[] out = new int[buf.readableBytes()];
        for (int i = 0; i < out.length; i++) {
            out[i] = buf.getUnsignedByte(buf.readerIndex() + i);
        }
        buf.release();
        return out;
    }
}
