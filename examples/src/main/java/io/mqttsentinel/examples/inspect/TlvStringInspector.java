package io.mqttsentinel.examples.inspect;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;

/**
 * Inspects a binary device format, so that attacks hidden in it are caught too.
 *
 * <p>The standard inspector treats a payload that is not UTF-8 as binary: it checks its size and entropy,
 * but not signatures. Devices of this (made-up but typical) fleet send type-length-value records: one byte
 * of type ({@value #TYPE_STRING} is a UTF-8 string; anything else a number or blob), two bytes of length
 * (big-endian), then the value. This inspector walks the records and hands every string to the signature
 * inspector, one at a time, exactly as the standard inspector treats JSON string values.
 *
 * <p>Chain it after the standard inspector with {@link PayloadInspector#andThen}:
 * <pre>{@code
 * PayloadInspector inspector = Inspectors.standard(config, registry, Ticker.system())
 *         .andThen(new TlvStringInspector(SignatureInspector.create(config, registry)));
 * }</pre>
 * Malformed records (a length past the end) end the walk: whatever was read is inspected, nothing is
 * allocated beyond the strings themselves, and the cost stays linear in the payload.
 */
public final class TlvStringInspector implements PayloadInspector {
    /** The record type of a UTF-8 string. */
    public static final int TYPE_STRING = 0xA1;
    /** Payloads that do not start with this magic byte are not TLV and are left alone. */
    public static final int MAGIC = 0xF7;

    private final PayloadInspector strings;

    /** @param strings the inspector that judges each string (typically a {@code SignatureInspector}) */
    public TlvStringInspector(PayloadInspector strings) {
        this.strings = strings;
    }

    @Override
    public Verdict inspect(MessageContext context, ByteBuffer payload) {
        ByteBuffer p = payload.duplicate();
        if (!p.hasRemaining() || (p.get() & 0xFF) != MAGIC) {
            return Verdict.allow();
        }
        List<Finding> findings = null;
        while (p.remaining() >= 3) {
            int type = p.get() & 0xFF;
            int length = p.getShort() & 0xFFFF;
            if (length > p.remaining()) {
                break;
            }
            ByteBuffer value = p.slice();
            value.limit(length);
            p.position(p.position() + length);
            if (type != TYPE_STRING) {
                continue;
            }
            Verdict v = strings.inspect(context, value);
            if (!v.findings().isEmpty()) {
                if (findings == null) {
                    findings = new ArrayList<>();
                }
                findings.addAll(v.findings());
            }
        }
        return findings == null ? Verdict.allow() : Verdict.of(findings);
    }
}
