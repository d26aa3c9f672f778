package io.mqttsentinel.examples.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.inspect.SignatureInspector;
import org.junit.jupiter.api.Test;

class TlvStringInspectorTest {
    private static final MessageContext CTX = new MessageContext("dev-1", "clients/dev-1/telemetry", 1, "", 0L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InspectorConfig config = InspectorConfig.ofDefaults();
    private final PayloadInspector standard = Inspectors.standard(config, registry, Ticker.system());
    private final PayloadInspector chained = standard.andThen(new TlvStringInspector(SignatureInspector.create(config, registry)));

    /** Magic byte, then records: a 4-byte reading (type 0x02) and a string (type 0xA1). */
    private static ByteBuffer tlv(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TlvStringInspector.MAGIC);
        out.writeBytes(new byte[] {0x02, 0x00, 0x04, (byte) 0xC1, (byte) 0xA8, 0x00, 0x00}); // a float reading
        byte[] s = text.getBytes(StandardCharsets.UTF_8);
        out.write(TlvStringInspector.TYPE_STRING);
        out.write(s.length >> 8);
        out.write(s.length & 0xFF);
        out.writeBytes(s);
        return ByteBuffer.wrap(out.toByteArray());
    }

    @Test
    void sqlInjectionInsideTheBinaryFormat_isMissedByTheStandardInspectorAlone_andBlockedByTheChain() {
        ByteBuffer attack = tlv("1' OR '1'='1");
        assertThat(standard.inspect(CTX, attack).action()).isEqualTo(Action.ALLOW); // binary: no text signatures

        Verdict v = chained.inspect(CTX, attack);
        assertThat(v.action()).isEqualTo(Action.BLOCK);
        assertThat(v.primary()).hasValueSatisfying(f -> assertThat(f.category()).isEqualTo(ThreatCategory.SQL_INJECTION));
        assertThat(attack.position()).isZero(); // the payload's buffer is left as it was
    }

    @Test
    void benignStringsInTheBinaryFormat_areAllowed() {
        assertThat(chained.inspect(CTX, tlv("O'Reilly's greenhouse, sensor 4")).action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void truncatedRecord_endsTheWalkWithoutFailing() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) TlvStringInspector.MAGIC, (byte) 0xA1, 0x7F, (byte) 0xFF, 'x'});
        assertThat(chained.inspect(CTX, b).action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void nonTlvPayloads_areLeftToTheStandardInspector() {
        ByteBuffer json = ByteBuffer.wrap("{\"note\":\"<script>alert(1)</script>\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(chained.inspect(CTX, json).action()).isEqualTo(Action.BLOCK);
    }
}
