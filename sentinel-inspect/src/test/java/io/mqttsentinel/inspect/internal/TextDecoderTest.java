package io.mqttsentinel.inspect.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TextDecoderTest {

    private static String decode(String raw, boolean json, int rounds) {
        Scratch s = new Scratch();
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        TextDecoder.decode(b, 0, b.length, json, rounds, s);
        return new String(s.lower, 0, s.length);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "%27 OR 1%3D1 => ' or 1=1",
        "%2527%2520OR => ' or",
        "%u0027%u003c => '<",
        "%c0%ae%c0%ae%c0%af => ../",
        "%c0%2e%c0%2e%c0%2f => ../",
        "%e0%80%ae%e0%80%ae%e0%80%af => ../",
        "%f0%80%80%ae%F0%80%80%AE%f0%80%80%af => ../",
        "%f8%80%80%80%ae%f8%80%80%80%ae%f8%80%80%81%9c => ..\\",
        "%fc%80%80%80%80%af => /",
        "%c1%9c%c1%1c%c0%5c => \\\\\\",
        "%25c0%25af%252e => /.",
        "%%32%66 => /",
        "%25u002f%u2215 => /\u2215",
        "%f0%9f%98%80 => \ufffd",
        "caf%e9 => caf\u00e9",
        "&#39;&#x27;&apos;&lt;&LT &quot; => '''<< \"",
        "&#0000106&#0000097 => ja",
        "\\u0027\\x3cscript => '<script",
        "ＳＥＬＥＣＴ => select",
        "8+and+1=1-- => 8 and 1=1--",
        "1+1=2 => 1+1=2",
        "TM13CgB/ps+/yR1VPLZqVhINZ2OkBlBnVWpYRY/lL+Ajbe4== => tm13cgb/ps+/yr1vplzqvhinz2okblbnvwpyry/ll+ajbe4==",
        "1+UnIoN+SeLeCt+pw+FrOm+users+a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0 => 1 union select pw from users a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0",
        "100% sure => 100% sure",
        "&amp;lt;script => <script",
    })
    void decode_encodings_yieldTheTextAnAttackerMeant(String raw, String expected) {
        assertThat(decode(raw, false, 3)).isEqualTo(expected);
    }

    @Test
    void decode_rawOverlongBytesOfEveryLength_yieldTheAsciiTheySpell() {
        byte[] raw = {(byte) 0xC0, (byte) 0xAF, (byte) 0xE0, (byte) 0x80, (byte) 0xAF, (byte) 0xF0, (byte) 0x80, (byte) 0x80,
            (byte) 0xAF, (byte) 0xF8, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xAF, (byte) 0xFC, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x81, (byte) 0x9C, (byte) 0xF8, (byte) 0x80, 'x'};
        Scratch s = new Scratch();
        TextDecoder.decode(raw, 0, raw.length, false, 3, s);
        // the last sequence is cut short: its bytes stay what they were
        assertThat(new String(s.lower, 0, s.length)).isEqualTo("////\\\u00f8\u0080x");
    }

    @Test
    void decode_jsonEscapes_inJsonStrings() {
        assertThat(decode("a\\u0027b\\\"c\\\\d\\n", true, 3)).isEqualTo("a'b\"c\\d\n");
    }

    @Test
    void decode_roundsAreBounded() {
        // %25252527 needs four rounds to become a quote
        assertThat(decode("%25252527", false, 1)).isEqualTo("%252527");
        assertThat(decode("%25252527", false, 3)).isEqualTo("%27");
        assertThat(decode("%25252527", false, 4)).isEqualTo("'");
    }

    @Test
    void decode_neverLongerThanInput() {
        String raw = "&#x27;%27\\u0027%u0027&lt;".repeat(100);
        assertThat(decode(raw, true, 8).length()).isLessThanOrEqualTo(raw.length());
    }
}
