package io.mqttsentinel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.api.LogPosition;

class DeliveryProgressTest {
    private final DeliveryProgress p = new DeliveryProgress();

    private static LogPosition at(long offset) {
        return new LogPosition(0, offset);
    }

    @Test
    void watermark_stopsBelowTheOldestUnacknowledged() {
        p.routed(at(3), true);
        p.routed(at(5), true);
        p.routed(at(9), true);
        assertThat(p.watermarks()).containsExactly(Map.entry(0, 2L));

        p.settled(at(5)); // acknowledged out of order: 3 still holds the watermark
        assertThat(p.watermarks()).containsExactly(Map.entry(0, 2L));
        p.settled(at(3));
        assertThat(p.watermarks()).containsExactly(Map.entry(0, 8L));
        p.settled(at(9));
        assertThat(p.watermarks()).containsExactly(Map.entry(0, 9L));
    }

    @Test
    void droppedMessages_countAsSettled() {
        p.routed(at(1), true);
        p.routed(at(2), false);
        p.settled(at(1));
        assertThat(p.watermarks()).containsExactly(Map.entry(0, 2L));
    }

    @Test
    void restore_marksEverythingAtOrBelowAsSettled() {
        p.restore(Map.of(0, 10L, 1, 4L));
        assertThat(p.isSettled(at(10))).isTrue();
        assertThat(p.isSettled(at(11))).isFalse();
        assertThat(p.isSettled(new LogPosition(1, 5))).isFalse();
        p.routed(at(12), true);
        assertThat(p.watermarks()).containsEntry(0, 11L).containsEntry(1, 4L);
    }
}
