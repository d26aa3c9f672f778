package io.mqttsentinel.broker.internal;

import io.mqttsentinel.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

class SessionStateWriterTest {
    @TempDir
    Path dir;
    SegmentedFileLog log;
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final BrokerContext context = new BrokerContext(BrokerConfig.ofDefaults(), new BrokerMetrics(new SimpleMeterRegistry()));
    final RetainedStore retained = new RetainedStore();
    SessionStateWriter writer;

    @BeforeEach
    void open() {
        log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).open();
        writer = new SessionStateWriter(log, context, clock);
    }

    @AfterEach
    void close() {
        writer.close();
        log.close();
    }

    private List<LogRecord> records() throws InterruptedException {
        try (LogReader r = log.openReader("t-" + System.nanoTime())) {
            return r.poll(1000, Duration.ZERO);
        }
    }

    private static BrokerMessage message(String topic, String payload) {
        return new BrokerMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, new LogPosition(0, 0), 0);
    }

    @Test
    void refresh_rewritesRetainedOlderThanADay_andMarksPersistentSessionsDirty() throws Exception {
        Session persistent = new Session("p", true, context);
        Session clean = new Session("c", false, context);
        writer.start(() -> List.of(persistent, clean), retained);
        retained.update(message("old/t", "kept"), clock.millis());
        clock.advance(Duration.ofHours(20));
        retained.update(message("young/t", "fresh"), clock.millis());
        clock.advance(Duration.ofHours(5)); // old/t is now 25 h old, young/t 5 h

        writer.refreshAll().get();

        assertThat(context.dirty()).containsExactly(persistent);
        List<LogRecord> written = records();
        assertThat(written).extracting(LogRecord::topic).containsExactly("$sentinel/retained/old/t");
        assertThat(written.get(0).entry().timestampMillis()).isEqualTo(clock.millis());
        assertThat(new String(written.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("kept");
    }

    @Test
    void refresh_skipsTopicWithPendingLiveWrite_soAnOlderValueNeverLandsLast() throws Exception {
        writer.start(List::of, retained);
        retained.update(message("t", "v1"), clock.millis());
        clock.advance(Duration.ofHours(30));
        retained.beginWrite("t"); // a live retained PUBLISH of v2 is being appended

        writer.refreshAll().get();
        assertThat(records()).isEmpty();

        retained.endWrite("t");
        writer.refreshAll().get();
        assertThat(records()).extracting(LogRecord::topic).containsExactly("$sentinel/retained/t");
    }

    @Test
    void write_ofDiscardedSession_writesNothing_deletedRecordWins() throws Exception {
        Session s = new Session("gone", true, context);
        s.subscriptions().put("clients/gone/alerts", 1);
        writer.write(s).toCompletableFuture().get();
        s.discard();
        writer.writeDeleted(s).toCompletableFuture().get();
        assertThat(writer.write(s).toCompletableFuture().get()).isNull();

        List<LogRecord> written = records();
        assertThat(written).hasSize(2);
        assertThat(SessionRecords.decode(written.get(0).payload()).subscriptions())
                .isEqualTo(Map.of("clients/gone/alerts", 1));
        assertThat(SessionRecords.decode(written.get(1).payload()).deleted()).isTrue();
    }
}
