package io.mqttsentinel.inspect.internal;

import io.mqttsentinel.testkit.TelemetryGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortcuts that make inspection fast must never change what it finds: the decoder's one-pass fast
 * path gives what the full decoder gives, and every detector gives the same rule and the same hit whether
 * its character-mask gates are on (the real mask) or off (a mask with every gate bit set, which the
 * detectors read as "anything may be there"), and the traversal look-ahead never rules out what the full scan finds.
 * Inputs: every corpus line (raw and as the inside of a JSON string), generated telemetry, and random
 * strings over an alphabet dense in the characters the shortcuts key on.
 */
class FastPathsAgreeTest {

    private static final String[] PIECES = {
        "a", "e", "s", "x", "0", "1", " ", ".", "..", "/", "\\", "'", "\"", "&", "&lt;", "&amp", "&#39;", "&view",
        "%", "%2e", "%27", "+", ";", "|", "`", "$(", "(", ")", "<", ">", "=", ":", "-", "--", "#", "@@", "\n", "\t",
        "\u0000", "\u00e9", "\uff0f", "0x2e", "etc", "passwd", "win.ini", ".htaccess", "proc/self/", "system32",
        "select", "union", "or", "and", "script", "onload", "javascript", "alert", "document", "cat", "ls",
        "\\\"", "\\/", "\\n", "\\u0027", "\\\\",
        "%c0", "%af", "%9v", "%%32", "%f8%80%80%80%af", "\ufffd", "\u0080", "\u00c0", ";", "create", "user", "grant",
        "exec", "sp_x", "'or'", "\"and\"", " to ", "insert into",
    };

    private static List<byte[]> inputs;
    private static boolean[] enabled;

    @BeforeAll
    static void inputs() throws IOException {
        inputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/corpus"))) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("licenses")).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
                    byte[] raw = line.getBytes(StandardCharsets.ISO_8859_1);
                    inputs.add(raw);
                    inputs.add(new String(raw, StandardCharsets.UTF_8).replace("\\", "\\\\").replace("\"", "\\\"")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        TelemetryGenerator gen = new TelemetryGenerator(11);
        for (int i = 0; i < 20_000; i++) {
            inputs.add(gen.next());
        }
        Random random = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            int pieces = random.nextInt(12);
            for (int k = 0; k < pieces; k++) {
                sb.append(PIECES[random.nextInt(PIECES.length)]);
            }
            inputs.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        enabled = new boolean[Builtin.count()];
        Arrays.fill(enabled, true);
    }

    @Test
    void decoderFastPath_givesWhatTheFullDecoderGives() {
        Scratch fast = new Scratch();
        Scratch full = new Scratch();
        for (byte[] in : inputs) {
            for (boolean json : new boolean[] {true, false}) {
                TextDecoder.decode(in, 0, in.length, json, 3, fast);
                TextDecoder.full(in, 0, in.length, json, 3, full);
                String what = new String(in, StandardCharsets.UTF_8) + (json ? " (json)" : "");
                assertThat(fast.length).as(what).isEqualTo(full.length);
                assertThat(Arrays.copyOf(fast.lower, fast.length)).as(what).isEqualTo(Arrays.copyOf(full.lower, full.length));
                assertThat(fast.chars).as(what).isEqualTo(full.chars);
                // the original-case text, which the fast path leaves for an excerpt to ask for
                TextDecoder.restoreText(in, 0, in.length, json, 3, fast);
                assertThat(Arrays.copyOf(fast.text, fast.length)).as(what).isEqualTo(Arrays.copyOf(full.text, full.length));
                assertThat(Arrays.copyOf(fast.lower, fast.length)).as(what).isEqualTo(Arrays.copyOf(full.lower, full.length));
            }
        }
    }

    @Test
    void detectors_findTheSameWithTheirGatesOnAndOff() {
        Scratch s = new Scratch();
        int hits = 0;
        for (byte[] in : inputs) {
            TextDecoder.decode(in, 0, in.length, false, 3, s);
            char[] t = Arrays.copyOf(s.lower, s.length);
            int len = s.length;
            int mask = s.chars;
            String what = new String(in, StandardCharsets.UTF_8);
            for (int d = 0; d < 4; d++) {
                s.chars = mask;
                int gated = detect(d, t, len, s);
                int gatedStart = s.hitStart;
                int gatedEnd = s.hitEnd;
                s.chars = ~Scratch.HTML | (mask & Scratch.HTML); // HTML is not a gate: it tells quoted markup apart
                int open = detect(d, t, len, s);
                assertThat(gated).as("detector %d on %s", d, what).isEqualTo(open);
                if (open >= 0) {
                    hits++;
                    assertThat(new int[] {gatedStart, gatedEnd}).as("hit of detector %d on %s", d, what)
                            .containsExactly(s.hitStart, s.hitEnd);
                }
            }
            s.chars = mask;
            assertThat(TraversalDetector.detect(t, len, s, enabled)).as("traversal look-ahead on %s", what)
                    .isEqualTo(TraversalDetector.scan(t, len, s, true, true));
        }
        assertThat(hits).as("the inputs exercise the detectors").isGreaterThan(10_000);
    }

    private static int detect(int detector, char[] t, int len, Scratch s) {
        return switch (detector) {
            case 0 -> SqlDetector.detect(t, len, s, enabled);
            case 1 -> ShellDetector.detect(t, len, true, s, enabled);
            case 2 -> XssDetector.detect(t, len, s, enabled);
            default -> TraversalDetector.detect(t, len, s, enabled);
        };
    }
}
