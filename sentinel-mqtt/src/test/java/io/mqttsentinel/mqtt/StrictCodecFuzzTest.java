package io.mqttsentinel.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;

import io.mqttsentinel.testkit.MqttPackets;

/**
 * Arbitrary bytes into the server codec: it must never throw, never pass on a message Netty failed to
 * decode, and either keep the connection open or report exactly one violation. Under plain
 * {@code mvn test} Jazzer replays the committed inputs in {@code src/test/resources/.../StrictCodecFuzzTestInputs};
 * {@code JAZZER_FUZZ=1 ./mvnw -pl sentinel-mqtt test -Dtest=StrictCodecFuzzTest} fuzzes.
 */
class StrictCodecFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytes_neverEscapeTheValidator(byte[] input) {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicInteger violations = new AtomicInteger();
        MqttPipelines.addServerCodec(channel.pipeline(), MqttLimits.ofDefaults().withMaxPacketSize(4096),
                (v, detail, remote) -> violations.incrementAndGet());
        // a valid CONNECT first, so that the fuzzer reaches the rules for every other packet type too
        ByteBuf in = Unpooled.wrappedBuffer(MqttPackets.connect("fuzz"), input);
        if (channel.isOpen()) {
            channel.writeInbound(in);
        }
        Object m;
        while ((m = channel.readInbound()) != null) {
            assertThat(m).isInstanceOf(MqttMessage.class);
            assertThat(((MqttMessage) m).decoderResult().isSuccess()).isTrue();
            ReferenceCountUtil.release(m);
        }
        assertThat(violations.get()).isLessThanOrEqualTo(1);
        assertThat(violations.get() == 0 || !channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }
}
