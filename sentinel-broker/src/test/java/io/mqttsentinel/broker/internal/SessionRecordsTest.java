package io.mqttsentinel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SessionRecordsTest {

    @Test
    void encodeDecode_roundTrips() {
        Map<String, Integer> subs = new LinkedHashMap<>();
        subs.put("clients/d/alerts", 1);
        subs.put("ops/#", 0);
        Map<Integer, Long> marks = Map.of(0, 41L, 3, 7L);

        SessionRecords.State s = SessionRecords.decode(SessionRecords.encode(subs, marks));

        assertThat(s.deleted()).isFalse();
        assertThat(s.subscriptions()).containsExactlyEntriesOf(subs);
        assertThat(s.watermarks()).isEqualTo(marks);
        assertThat(SessionRecords.decode(SessionRecords.deleted()).deleted()).isTrue();
    }

    @Test
    void decode_truncatedOrUnknown_isRejected() {
        byte[] full = SessionRecords.encode(Map.of("a", 1), Map.of(0, 1L));
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 3);
        assertThatThrownBy(() -> SessionRecords.decode(cut)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionRecords.decode(new byte[] {9, 0})).hasMessageContaining("version 9");
    }
}
