package io.mqttsentinel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final double MIDDLE = 0.5; // jitter factor exactly 1.0

    @Test
    void delay_doublesPerAttemptUpToMax() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
        assertThat(b.delay(1, MIDDLE)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2, MIDDLE)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3, MIDDLE)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(4, MIDDLE)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(5, MIDDLE)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(1_000_000, MIDDLE)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(Integer.MAX_VALUE, MIDDLE)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void delay_attemptBelowOne_countsAsFirst() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
        assertThat(b.delay(0, 0.9)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(-5, 0.1)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void delay_jitterSpreadsWithinFactor() {
        Backoff b = Backoff.exponential(Duration.ofMillis(1000), Duration.ofSeconds(60), 0.2);
        assertThat(b.delay(1, 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(1, 0.75)).isEqualTo(Duration.ofMillis(1100));
        assertThat(b.delay(1, 0.999_999)).isBetween(Duration.ofMillis(1199), Duration.ofMillis(1200));
    }

    @Test
    void delay_jitterNeverExceedsMax() {
        Backoff b = Backoff.exponential(Duration.ofMillis(1000), Duration.ofSeconds(2), 1.0);
        assertThat(b.delay(10, 0.999)).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.delay(10, 0.0)).isEqualTo(Duration.ZERO);
    }

    @Test
    void delay_zeroJitter_isExact() {
        Backoff b = Backoff.exponential(Duration.ofMillis(3), Duration.ofMillis(10), 0);
        assertThat(b.delay(2, 0.0)).isEqualTo(Duration.ofMillis(6));
        assertThat(b.delay(2, 0.99)).isEqualTo(Duration.ofMillis(6));
    }

    @Test
    void delay_randomOutsideUnitInterval_isRejected() {
        Backoff b = Backoff.ofDefaults();
        assertThatThrownBy(() -> b.delay(1, 1.0)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> b.delay(1, -0.1)).hasMessageContaining("was -0.1");
    }

    @Test
    void exponential_rejectsOutOfRangeValuesNamingThem() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1), 0))
                .hasMessageContaining("initial").hasMessageContaining("1ms and 1h").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
                .hasMessageContaining("max").hasMessageContaining("PT1S");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(2), 0))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5))
                .hasMessageContaining("jitter").hasMessageContaining("1.5");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1), Double.NaN))
                .hasMessageContaining("jitter");
    }

    @Test
    void ofDefaults_isDocumentedValues() {
        Backoff b = Backoff.ofDefaults();
        assertThat(b.initial()).isEqualTo(Duration.ofMillis(500));
        assertThat(b.max()).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.jitter()).isEqualTo(0.2);
        assertThat(b).isEqualTo(Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
    }
}
