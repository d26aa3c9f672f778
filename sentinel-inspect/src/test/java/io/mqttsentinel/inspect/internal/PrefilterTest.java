package io.mqttsentinel.inspect.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PrefilterTest {

    private final Prefilter prefilter = Prefilter.create(List.of());

    /** What a JSON string's end is, byte by byte: the first unescaped quote; -1 for a raw control byte or no end. */
    private static int referenceClose(byte[] a, int i, int end) {
        for (; i < end; i++) {
            int b = a[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                i++;
            } else if (b >= 0 && b < 0x20) {
                return -1;
            }
        }
        return -1;
    }

    @Test
    void jsonString_findsTheClosingQuoteWhereverItFallsAgainstTheEightByteSteps() {
        byte[] alphabet = {'a', 'b', ' ', '"', '\\', 0x01, 0x1f, (byte) 0xc3, (byte) 0xa9, '\'', '<', 0x20, 0x7f};
        Random random = new Random(3);
        Scratch s = new Scratch();
        for (int n = 0; n < 200_000; n++) {
            int len = 1 + random.nextInt(40);
            byte[] a = new byte[len];
            a[0] = '\''; // suspicious at once: the rest is the closing-quote search
            for (int k = 1; k < len; k++) {
                // mostly plain bytes, so that long runs reach the eight-byte steps
                a[k] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('c' + random.nextInt(20));
            }
            int from = random.nextInt(2);
            assertThat(prefilter.jsonString(a, from, len, s)).as("close of %s from %d", java.util.Arrays.toString(a), from)
                    .isEqualTo(referenceClose(a, from, len));
        }
    }

    @Test
    void jsonString_reportsAPlainStringAsNotSuspicious() {
        byte[] a = "\"temperature\":21".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Scratch s = new Scratch();
        assertThat(prefilter.jsonString(a, 1, a.length, s)).isEqualTo(12);
        assertThat(s.suspicious).isFalse();
    }
}
