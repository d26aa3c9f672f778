package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.MutableClock;

/**
 * Retention is the only bound on a session's backlog: what retention deleted before the session read it is
 * counted ({@code mqtt_broker_expired_undelivered_total}) and the session carries on with what the log
 * still holds, in order.
 */
class RetentionTest {
    @TempDir
    Path dir;

    @Test
    void backlogDeletedByRetention_isCounted_andTheSessionGetsWhatIsLeft() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (SegmentedFileLog log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).clock(clock)
                .retention(Duration.ofHours(1)).segmentBytes(16 * 1024).retentionCheckInterval(Duration.ofDays(1)).open();
             SentinelBroker broker = SentinelBroker.builder().port(0).messageLog(log).clock(clock).meterRegistry(meters)
                     .build().start()) {
            try (SeqSubscriber device = SeqSubscriber.connect(broker.port(), "away", false, "clients/away/alerts")) {
                device.disconnect();
            }
            publish(broker, 0, 1000); // old: about 10 segments
            clock.advance(Duration.ofHours(2));
            publish(broker, 1000, 1010); // fresh
            assertThat(log.enforceRetention()).as("segments deleted").isPositive();

            try (SeqSubscriber back = SeqSubscriber.connect(broker.port(), "away", false, null)) {
                assertThat(back.sessionPresent).isTrue();
                java.util.BitSet fresh = new java.util.BitSet();
                fresh.set(1000, 1010);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!containsAll(back.received(), fresh) && System.nanoTime() < deadline) {
                    back.awaitDistinct(back.distinct() + 1, 100, TimeUnit.MILLISECONDS);
                }
                assertThat(containsAll(back.received(), fresh)).as("the fresh messages arrive").isTrue();
                assertThat(back.outOfOrder()).isZero();
                double expired = meters.find("mqtt_broker_expired_undelivered_total").counter().count();
                assertThat(expired).as("backlog records lost to retention are counted").isPositive();
                assertThat(expired + back.distinct()).isGreaterThanOrEqualTo(1010);
            }
        }
    }

    private static boolean containsAll(java.util.BitSet have, java.util.BitSet want) {
        java.util.BitSet missing = (java.util.BitSet) want.clone();
        missing.andNot(have);
        return missing.isEmpty();
    }

    private static void publish(SentinelBroker broker, int from, int to) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            all.add(broker.publish("clients/away/alerts", SeqSubscriber.payload(seq, 100), 1, false).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    }
}
