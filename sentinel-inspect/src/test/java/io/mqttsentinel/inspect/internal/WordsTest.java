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
    void of_wordThatCannotPack_failsFast() {
        assertThatThrownBy(() -> Words.of("information_schema", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("information_schema");
    }
}
