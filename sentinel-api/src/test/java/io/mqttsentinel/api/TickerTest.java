package io.mqttsentinel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickerTest {

    @Test
    void system_isTheJvmsMonotonicClock_andNeverGoesBack() {
        Ticker t = Ticker.system();
        long before = System.nanoTime();
        long a = t.nanoTime();
        long b = t.nanoTime();
        long after = System.nanoTime();
        assertThat(a - before).isGreaterThanOrEqualTo(0);
        assertThat(b - a).isGreaterThanOrEqualTo(0);
        assertThat(after - b).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aTestMovesItsOwnByHand() {
        AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 10);
        Ticker t = nanos::get;
        long start = t.nanoTime();
        nanos.addAndGet(20); // wraps around: only differences mean something
        assertThat(t.nanoTime() - start).isEqualTo(20);
    }
}
