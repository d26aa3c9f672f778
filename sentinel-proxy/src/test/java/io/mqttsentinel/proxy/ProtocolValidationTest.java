package io.mqttsentinel.proxy;

import static io.mqttsentinel.proxy.RawTls.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.testkit.MqttPackets;

/**
 * One test per class of malformed input: each is sent over a real TLS connection, must close the connection
 * (or answer with the CONNACK that MQTT 3.1.1 prescribes) and count {@code mqtt_proxy_protocol_violations_total}
 * with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolValidationTest {
    private static final byte[] CONNACK_ACCEPTED = bytes(0x20, 0x02, 0x00, 0x00);

    ProxyHarness h;

    @BeforeAll
    void start(@TempDir Path dir) {
        h = new ProxyHarness(dir, b -> b.limits(ProxyLimits.ofDefaults().withConnectTimeout(Duration.ofSeconds(1))
                .withMaxPacketSize(1024)));
    }

    @AfterAll
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    /** Sends {@code bytes} as the first thing on a new connection; expects a close and one count of {@code reason}. */
    private byte[] refusedFirst(String reason, byte[] bytes) throws Exception {
        double before = h.count("mqtt.proxy.protocol.violations", "reason", reason);
        byte[] answer;
        try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            answer = c.write(bytes).readUntilClosed();
        }
        assertThat(h.count("mqtt.proxy.protocol.violations", "reason", reason)).isEqualTo(before + 1);
        return answer;
    }

    /** Connects properly, then sends {@code bytes}; expects a close and one count of {@code reason}. */
    private void refusedAfterConnect(String clientId, String reason, byte[] bytes) throws Exception {
        double before = h.count("mqtt.proxy.protocol.violations", "reason", reason);
        try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            c.write(MqttPackets.connect(clientId));
            assertThat(c.read(4)).containsExactly(CONNACK_ACCEPTED);
            assertThat(c.write(bytes).readUntilClosed()).isEmpty();
        }
        assertThat(h.count("mqtt.proxy.protocol.violations", "reason", reason)).isEqualTo(before + 1);
    }

    @Test
    void firstPacket_pingreq_closesConnection() throws Exception {
        assertThat(refusedFirst("first_packet_not_connect", MqttPackets.pingreq())).isEmpty();
    }

    @Test
    void packetType0_closesConnection() throws Exception {
        assertThat(refusedFirst("invalid_packet_type", bytes(0x00, 0x00))).isEmpty();
    }

    @Test
    void packetType15_closesConnection() throws Exception {
        assertThat(refusedFirst("invalid_packet_type", bytes(0xF0, 0x00))).isEmpty();
    }

    @Test
    void connect_reservedFixedHeaderFlags_closesConnection() throws Exception {
        byte[] c = MqttPackets.connect("dev-flags");
        c[0] = 0x11; // CONNECT with a reserved flag bit set
        assertThat(refusedFirst("reserved_flags", c)).isEmpty();
    }

    @Test
    void remainingLength_fiveBytes_closesConnection() throws Exception {
        assertThat(refusedFirst("malformed_remaining_length", bytes(0x10, 0x80, 0x80, 0x80, 0x80, 0x01))).isEmpty();
    }

    @Test
    void remainingLength_aboveMaxPacketSize_closesBeforeBodyArrives() throws Exception {
        // remaining length 300,000 (0xE0 0xA7 0x12), limit 1,024: refused on the length bytes alone
        assertThat(refusedFirst("packet_too_large", bytes(0x10, 0xE0, 0xA7, 0x12))).isEmpty();
    }

    @Test
    void connect_badProtocolName_closesConnection() throws Exception {
        byte[] c = MqttPackets.connectBuilder("dev-name").protocol("MQTX", 4).build();
        assertThat(refusedFirst("bad_protocol_name", c)).isEmpty();
    }

    @Test
    void connect_protocolLevel5_answersConnack01() throws Exception {
        byte[] c = MqttPackets.connectBuilder("dev-level").protocol("MQTT", 5).build();
        assertThat(refusedFirst("unsupported_protocol_level", c)).containsExactly(0x20, 0x02, 0x00, 0x01);
    }

    @Test
    void connect_reservedConnectFlag_closesConnection() throws Exception {
        byte[] c = MqttPackets.connectBuilder("dev-cflags").flags(0x03).build(); // clean session + reserved bit 0
        assertThat(refusedFirst("bad_connect_flags", c)).isEmpty();
    }

    @Test
    void connect_emptyClientIdWithoutCleanSession_answersConnack02() throws Exception {
        byte[] c = MqttPackets.connectBuilder("").cleanSession(false).build();
        assertThat(refusedFirst("identifier_rejected", c)).containsExactly(0x20, 0x02, 0x00, 0x02);
    }

    @Test
    void connect_overlongUtf8ClientId_closesConnection() throws Exception {
        byte[] c = MqttPackets.connect("ab");
        c[14] = (byte) 0xC0; // "\xC0\x80": an overlong encoding of U+0000
        c[15] = (byte) 0x80;
        assertThat(refusedFirst("invalid_utf8", c)).isEmpty();
    }

    @Test
    void connect_fieldsLongerThanRemainingLength_closesConnection() throws Exception {
        byte[] c = MqttPackets.connect("a");
        c[13] = 5; // client id length 5, but one byte follows
        assertThat(refusedFirst("malformed_packet", c)).isEmpty();
    }

    @Test
    void connect_noConnectWithinTimeout_closesConnection() throws Exception {
        assertThat(refusedFirst("connect_timeout", new byte[0])).isEmpty();
    }

    @Test
    void secondConnect_closesConnection() throws Exception {
        refusedAfterConnect("dev-dup", "duplicate_connect", MqttPackets.connect("dev-dup"));
    }

    @Test
    void publish_qos3_closesConnection() throws Exception {
        refusedAfterConnect("dev-qos3", "invalid_qos", MqttPackets.publish("a", new byte[0], 3, 1));
    }

    @Test
    void publish_wildcardTopic_closesConnection() throws Exception {
        refusedAfterConnect("dev-wild", "invalid_topic_name", MqttPackets.publish("a/+", new byte[0], 0, 0));
    }

    @Test
    void subscribe_hashNotLast_closesConnection() throws Exception {
        refusedAfterConnect("dev-filter", "invalid_topic_filter",
                MqttPackets.subscribe(1, "a/#/b", 0));
    }

    @Test
    void subscribe_noFilters_closesConnection() throws Exception {
        refusedAfterConnect("dev-empty", "empty_subscription", MqttPackets.subscribe(1, null, 0));
    }

    @Test
    void subscribe_packetId0_closesConnection() throws Exception {
        refusedAfterConnect("dev-pid", "invalid_packet_id", MqttPackets.subscribe(0, "a", 0));
    }

    @Test
    void subscribe_reservedFlags_closesConnection() throws Exception {
        refusedAfterConnect("dev-subflags", "reserved_flags", bytes(0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00));
    }

    @Test
    void serverOnlyPacket_connackFromDevice_closesConnection() throws Exception {
        refusedAfterConnect("dev-connack", "invalid_packet_type", bytes(0x20, 0x02, 0x00, 0x00));
    }

    @Test
    void keepAlive_silentForOneAndAHalfTimes_closesConnection() throws Exception {
        double before = h.count("mqtt.proxy.protocol.violations", "reason", "keepalive_timeout");
        try (RawTls raw = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            raw.write(MqttPackets.connectBuilder("dev-keepalive").keepAlive(1).build());
            assertThat(raw.read(4)).containsExactly(CONNACK_ACCEPTED);
            assertThat(raw.readUntilClosed()).isEmpty();
        }
        assertThat(h.count("mqtt.proxy.protocol.violations", "reason", "keepalive_timeout")).isEqualTo(before + 1);
    }

    @Test
    void validPingAfterConnect_isAnsweredByBroker() throws Exception {
        try (RawTls c = RawTls.connect(h.proxy.tlsPort(), h.trust())) {
            c.write(MqttPackets.connect("dev-ping"));
            assertThat(c.read(4)).containsExactly(CONNACK_ACCEPTED);
            assertThat(c.write(MqttPackets.pingreq()).read(2)).containsExactly(0xD0, 0x00);
            c.write(MqttPackets.disconnect());
            assertThat(c.readUntilClosed()).isEmpty();
        }
    }
}
