package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.broker.internal.SessionStateWriter;

/**
 * A start reads the newest snapshot of the broker's state and what followed it, never the whole log; and
 * what it restores is complete: every session's backlog is read back from the log when it returns.
 */
class StartupTest {
    @TempDir
    Path dir;
    BrokerFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void restartAfterASnapshot_readsOnlyTheStateAndItsTail_andEverySessionStillGetsItsBacklog() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.checkpointInterval(Duration.ofMillis(20)).snapshotInterval(Duration.ofSeconds(1)));
        int sessions = 20;
        for (int i = 0; i < sessions; i++) {
            try (SeqSubscriber s = SeqSubscriber.connect(fx.port(), "dev-" + i, false, "clients/dev-" + i + "/alerts")) {
                s.disconnect();
            }
        }
        int perSession = 1000;
        publish(sessions, 0, perSession);
        awaitSnapshotAfter(fx.log.nextOffset());
        publish(sessions, perSession, perSession + 10); // after the snapshot: the tail
        fx.restart(b -> b.checkpointInterval(Duration.ofMillis(20)));

        double stateRecords = gauge("mqtt_broker_recovery_state_records");
        double messages = gauge("mqtt_broker_recovery_messages");
        try (LogReader r = fx.log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
            System.out.println("snapshot group at " + r.positions() + ", log end " + fx.log.nextOffset());
        }
        System.out.printf("restart after a snapshot: %.0f state-partition records read, %.0f messages after the checkpoint%n",
                stateRecords, messages);
        assertThat(stateRecords).as("records read from the snapshot on").isBetween(1.0, sessions * perSession / 2.0);
        assertThat(messages).as("messages read again after the last checkpoint (a clean close writes one)").isZero();
        for (int i = 0; i < sessions; i++) {
            try (SeqSubscriber back = SeqSubscriber.connect(fx.port(), "dev-" + i, false, null)) {
                assertThat(back.sessionPresent).isTrue();
                assertThat(back.awaitDistinct(perSession + 10, 60, TimeUnit.SECONDS)).as("dev-" + i).isEqualTo(perSession + 10);
                assertThat(back.outOfOrder()).isZero();
            }
        }
    }

    @Test
    void firstStart_onAnEmptyLog_takesASnapshotAtOnce() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.checkpointInterval(Duration.ofMillis(20)));
        awaitSnapshotAfter(0);
        fx.restart(b -> b);
        assertThat(gauge("mqtt_broker_recovery_messages")).isZero();
    }

    private void publish(int sessions, int from, int to) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            for (int i = 0; i < sessions; i++) {
                // one sequence space per device: device i's message k carries k
                all.add(fx.broker.publish("clients/dev-" + i + "/alerts", SeqSubscriber.payload(seq, 32), 1, false)
                        .toCompletableFuture());
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    }

    /** Waits (bounded) until the broker's own schedule committed a snapshot that begins at or after {@code offset}. */
    private void awaitSnapshotAfter(long offset) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (LogReader r = fx.log.openReader(SessionStateWriter.SNAPSHOT_GROUP)) {
                if (r.positions().getOrDefault(0, 0L) > offset) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20); // the broker's checkpoint thread runs on real time
        }
        throw new AssertionError("no snapshot within 60 s");
    }

    private double gauge(String name) {
        var g = fx.meters.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }
}
