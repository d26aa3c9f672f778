package io.mqttsentinel.inspect.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonScannerTest {

    private final Prefilter prefilter = Prefilter.create(List.of());

    private record Seen(String text, boolean key) { }

    private int scan(String json, int maxDepth, List<Seen> seen) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return JsonScanner.scan(b, 0, b.length, maxDepth, prefilter, new Scratch(), (a, s, e, key) -> {
            seen.add(new Seen(new String(a, s, e - s, StandardCharsets.UTF_8), key));
            return false;
        });
    }

    @Test
    void scan_validJson_visitsOnlySuspiciousStrings_withKeyFlag() {
        List<Seen> seen = new ArrayList<>();
        int r = scan("{\"temp\":21.5,\"ok\":true,\"n\":null,\"note\":\"it's\",\"a<b\":[1,-2.5e3,\"plain\",{}],\"e\":[]}", 64, seen);

        assertThat(r).isEqualTo(JsonScanner.JSON);
        assertThat(seen).containsExactly(new Seen("it's", false), new Seen("a<b", true));
    }

    @Test
    void scan_keywordsAsWholeWords_areSuspicious_butNotInsideOtherWords() {
        List<Seen> seen = new ArrayList<>();
        scan("{\"a\":\"please select one\",\"b\":\"selection\",\"c\":\"sensor-42\"}", 64, seen);

        assertThat(seen).extracting(Seen::text).containsExactly("please select one");
    }

    @Test
    void scan_malformed_isNotJson() {
        for (String bad : new String[] {"{\"a\":1", "{\"a\" 1}", "{\"a\":tru}", "[1,2]]", "{\"a\":\"x\nline\"}", "{a:1}", "[1,]x"}) {
            assertThat(scan(bad, 64, new ArrayList<>())).as(bad).isEqualTo(JsonScanner.NOT_JSON);
        }
    }

    @Test
    void scan_deeperThanLimit_isNotJson() {
        String deep = "[".repeat(65) + "]".repeat(65);
        assertThat(scan(deep, 64, new ArrayList<>())).isEqualTo(JsonScanner.NOT_JSON);
        assertThat(scan("[".repeat(64) + "]".repeat(64), 64, new ArrayList<>())).isEqualTo(JsonScanner.JSON);
    }

    @Test
    void isText_utf8AndOverlongForms_areText_controlAndInvalidBytesAreNot() {
        byte[] utf8 = "Zürich ✓".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonScanner.isText(utf8, 0, utf8.length)).isTrue();
        byte[] overlong = {'.', (byte) 0xC0, (byte) 0xAE, '/'};
        assertThat(JsonScanner.isText(overlong, 0, overlong.length)).isTrue();
        assertThat(JsonScanner.isText(new byte[] {'a', 0, 'b'}, 0, 3)).isFalse();
        assertThat(JsonScanner.isText(new byte[] {'a', (byte) 0xFF}, 0, 2)).isFalse();
        assertThat(JsonScanner.isText(new byte[] {(byte) 0xE2, (byte) 0x9C}, 0, 2)).isFalse();
    }

    @Test
    void isText_overlongFormsOfEveryLength_areText_aStrayContinuationByteIsNot() {
        byte[] four = {'.', '.', (byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF, 'x'};
        byte[] five = {'.', '.', (byte) 0xF8, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xAF, 'x'};
        byte[] six = {'.', '.', (byte) 0xFC, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xAF};
        assertThat(JsonScanner.isText(four, 0, four.length)).isTrue();
        assertThat(JsonScanner.isText(five, 0, five.length)).isTrue();
        assertThat(JsonScanner.isText(six, 0, six.length)).isTrue();
        assertThat(JsonScanner.isText(new byte[] {'a', (byte) 0xF8, (byte) 0x80, (byte) 0x80, 'b'}, 0, 5)).isFalse();
        assertThat(JsonScanner.isText(new byte[] {'a', (byte) 0x9C, 'b'}, 0, 3)).isFalse();
    }
}
