package io.mqttsentinel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void until_conditionTurnsTrue_returns() {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the third poll", Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3);
        assertThat(polls).hasValue(3);
    }

    @Test
    void until_conditionNeverTrue_failsNamingWhatAndHowLong() {
        assertThatThrownBy(() -> Await.until("the moon", Duration.ofMillis(50), () -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("timed out after PT0.05S waiting for the moon");
    }

    @Test
    void untilPasses_lastFailure_isTheCause() {
        assertThatThrownBy(() -> Await.untilPasses("a count of 2", Duration.ofMillis(30),
                () -> assertThat(1).as("count").isEqualTo(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a count of 2")
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void until_zeroTimeout_isRejected() {
        assertThatThrownBy(() -> Await.until("x", Duration.ZERO, () -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    }
}
