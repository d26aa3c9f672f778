package io.mqttsentinel.inspect.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordsTest {

    @Test
    void get_packedWords_findTheirIds_andNothingElse() {
        Words w = Words.of("select", 1, "union", 2, "load_file", 3);
        char[] t = "xselect union load_file selects".toCharArray();

        assertThat(w.get(t, 1, 7)).isEqualTo(1);
        assertThat(w.get(t, 8, 13)).isEqualTo(2);
        assertThat(w.get(t, 14, 23)).isEqualTo(3);
        assertThat(w.get(t, 24, 31)).isEqualTo(-1);
        assertThat(w.get(t, 0, 7)).isEqualTo(-1);
    }

    @Test
    void getWithLength_agreesWithTheFullLookUp_forEveryWordOfUpToFourLetters() {
        Words w = Words.of("select", 1, "or", 2, "a", 3, "load_file", 4, "xp_cmdshell", 5, "zz", 6);
        // every word of 1 to 4 letters over a-z and '_' (about 600,000), plus the table's own words
        char[] t = new char[4];
        int found = 0;
        for (int len = 1; len <= 4; len++) {
            int words = (int) Math.pow(27, len);
            for (int n = 0; n < words; n++) {
                int v = n;
                for (int k = 0; k < len; k++) {
                    int code = v % 27;
                    t[k] = code == 26 ? '_' : (char) ('a' + code);
                    v /= 27;
                }
                long packed = Words.pack(t, 0, len);
                int expected = w.get(packed);
                assertThat(w.get(packed, len)).as(new String(t, 0, len)).isEqualTo(expected);
                found += expected > 0 ? 1 : 0;
            }
        }
        assertThat(found).isEqualTo(3); // or, a, zz
        for (String word : new String[] {"select", "load_file", "xp_cmdshell"}) {
            assertThat(w.get(Words.pack(word), word.length())).as(word).isPositive();
        }
    }

    @Test
    void of_wordThatCannotPack_failsFast() {
        assertThatThrownBy(() -> Words.of("information_schema", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("information_schema");
    }
}
