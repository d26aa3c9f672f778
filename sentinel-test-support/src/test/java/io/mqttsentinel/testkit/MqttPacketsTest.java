package io.mqttsentinel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The writer against packets copied byte by byte from the MQTT 3.1.1 specification's diagrams. */
class MqttPacketsTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void connect_clientIdOnly_isCleanWithKeepAlive60() {
        assertThat(MqttPackets.connect("d1")).containsExactly(bytes(
                0x10, 14,                       // CONNECT, remaining length
                0, 4, 'M', 'Q', 'T', 'T',       // protocol name
                4,                              // protocol level 3.1.1
                0x02,                           // flags: clean session
                0, 60,                          // keep-alive 60 s
                0, 2, 'd', '1'));               // client id
    }

    @Test
    void connect_willAndCredentials_setTheirFlagsAndFieldsInOrder() {
        byte[] p = MqttPackets.connectBuilder("c").cleanSession(false).keepAlive(0)
                .will("w", new byte[] {9}, 1, true).credentials("u", "p").build();
        assertThat(p).containsExactly(bytes(
                0x10, 25,
                0, 4, 'M', 'Q', 'T', 'T', 4,
                0x80 | 0x40 | 0x20 | 0x08 | 0x04, // user, password, will retain, will QoS 1, will
                0, 0,                           // keep-alive off
                0, 1, 'c',                      // client id
                0, 1, 'w',                      // will topic
                0, 1, 9,                        // will message
                0, 1, 'u',                      // user name
                0, 1, 'p'));                    // password
    }

    @Test
    void connect_explicitFlags_areWrittenAsGiven() {
        byte[] p = MqttPackets.connectBuilder("c").protocol("MQIsdp", 3).flags(0x03).build();
        assertThat(p[2 + 2 + 6]).isEqualTo((byte) 3);   // protocol level
        assertThat(p[2 + 2 + 6 + 1]).isEqualTo((byte) 0x03); // connect flags, reserved bit set
    }

    @Test
    void publish_qos1_carriesPacketId_qos0_doesNot() {
        assertThat(MqttPackets.publish("a/b", "x".getBytes(StandardCharsets.UTF_8), 1, 7)).containsExactly(bytes(
                0x32, 8, 0, 3, 'a', '/', 'b', 0, 7, 'x'));
        assertThat(MqttPackets.publish("a", new byte[0], 0, 7)).containsExactly(bytes(0x30, 3, 0, 1, 'a'));
    }

    @Test
    void subscribe_oneFilter_hasReservedFlagsAndRequestedQos() {
        assertThat(MqttPackets.subscribe(1, "t", 1)).containsExactly(bytes(0x82, 6, 0, 1, 0, 1, 't', 1));
        assertThat(MqttPackets.subscribe(1, null, 0)).containsExactly(bytes(0x82, 2, 0, 1));
    }

    @Test
    void pingreqAndDisconnect_haveNoBody() {
        assertThat(MqttPackets.pingreq()).containsExactly(bytes(0xC0, 0));
        assertThat(MqttPackets.disconnect()).containsExactly(bytes(0xE0, 0));
    }

    @Test
    void remainingLength_usesSevenBitsPerByte() {
        assertThat(MqttPackets.remainingLength(0)).containsExactly(bytes(0));
        assertThat(MqttPackets.remainingLength(127)).containsExactly(bytes(0x7F));
        assertThat(MqttPackets.remainingLength(128)).containsExactly(bytes(0x80, 0x01));
        assertThat(MqttPackets.remainingLength(16_384)).containsExactly(bytes(0x80, 0x80, 0x01));
        assertThat(MqttPackets.remainingLength(268_435_455)).containsExactly(bytes(0xFF, 0xFF, 0xFF, 0x7F));
    }
}
