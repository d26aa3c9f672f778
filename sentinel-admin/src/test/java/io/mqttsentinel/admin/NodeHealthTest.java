package io.mqttsentinel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NodeHealthTest {
    private final NodeHealth health = new NodeHealth();

    @Test
    void notReady_isStartingUntilStarted_thenNamesTheComponentsThatAreNotReady() {
        AtomicBoolean brokerReady = new AtomicBoolean();
        health.add("broker", () -> { }, brokerReady::get);
        health.add("events", () -> { });
        brokerReady.set(true);

        assertThat(health.notReady()).containsExactly("node (starting)");

        health.started();
        assertThat(health.notReady()).isEmpty();

        brokerReady.set(false);
        assertThat(health.notReady()).containsExactly("broker");
    }

    @Test
    void notReady_whileDrainingAndAfterClose_namesTheNode() {
        health.add("proxy", () -> { });
        health.started();

        health.draining();
        assertThat(health.notReady()).containsExactly("node (draining)");

        health.close();
        assertThat(health.isClosed()).isTrue();
        assertThat(health.notReady()).containsExactly("node (closed)");
    }

    @Test
    void close_closesInReverseOrder_onceEven_whenOneFails() {
        List<String> closed = new ArrayList<>();
        health.add("log", () -> closed.add("log"));
        health.add("broken", () -> {
            closed.add("broken");
            throw new IllegalStateException("boom");
        });
        health.add("broker", () -> closed.add("broker"), () -> true);

        health.close();
        health.close();

        assertThat(closed).containsExactly("broker", "broken", "log");
    }

    @Test
    void bindJvmMetrics_registersTheJvmMeters_andClosesTheGcListenerWithTheComponents() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        health.bindJvmMetrics(registry);
        health.started();

        assertThat(registry.find("jvm.memory.used").meters()).isNotEmpty();
        assertThat(registry.find("process.uptime").meters()).isNotEmpty();
        assertThat(health.notReady()).isEmpty();
        health.close();
    }
}
