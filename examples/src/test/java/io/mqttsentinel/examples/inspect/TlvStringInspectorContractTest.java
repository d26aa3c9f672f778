package io.mqttsentinel.examples.inspect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.SignatureInspector;
import io.mqttsentinel.testkit.inspect.PayloadInspectorContract;

/** The example inspector keeps the contract on its own format: clean and hostile TLV records. */
class TlvStringInspectorContractTest extends PayloadInspectorContract {

    @Override
    protected PayloadInspector newInspector() {
        return new TlvStringInspector(SignatureInspector.create(InspectorConfig.ofDefaults(), new SimpleMeterRegistry()));
    }

    /** Magic byte, a 4-byte reading (type 0x02), then the string (type 0xA1). */
    private static byte[] tlv(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TlvStringInspector.MAGIC);
        out.writeBytes(new byte[] {0x02, 0x00, 0x04, (byte) 0xC1, (byte) 0xA8, 0x00, 0x00});
        byte[] s = text.getBytes(StandardCharsets.UTF_8);
        out.write(TlvStringInspector.TYPE_STRING);
        out.write(s.length >> 8);
        out.write(s.length & 0xFF);
        out.writeBytes(s);
        return out.toByteArray();
    }

    @Override
    protected List<byte[]> cleanPayloads() {
        List<byte[]> clean = new ArrayList<>(super.cleanPayloads().subList(0, 10)); // not TLV: left alone
        for (String s : List.of("boiler room 3", "O'Reilly's sensor", "firmware 2.4.1 ok", "", "température 21,5 °C")) {
            clean.add(tlv(s));
        }
        return clean;
    }

    @Override
    protected List<byte[]> blockedPayloads() {
        return List.of(tlv("x' OR '1'='1"), tlv("; cat /etc/passwd"), tlv("<script>alert(1)</script>"));
    }
}
