package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.store.kafka.KafkaTestCluster;
import io.mqttsentinel.store.kafka.SharedKafka;

/**
 * {@code kill -9} of a broker process while devices publish and a persistent subscriber is away: after a
 * restart on the same log, every message that was acknowledged reaches the subscriber, in order per topic
 * (duplicates allowed for QoS 1, counted). Once on the file log, once on a three-broker Kafka cluster.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafka.class)
class CrashRecoveryTest {
    private static KafkaTestCluster kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = SharedKafka.get();
    }

    @Test
    void kill9_midStream_fileLog_everyAcknowledgedMessageReachesTheOfflineSession() throws Exception {
        crashMidStream(100_000, "file", dir.resolve("log").toString());
    }

    @Test
    void kill9_midStream_kafkaLog_everyAcknowledgedMessageReachesTheOfflineSession() throws Exception {
        crashMidStream(20_000, "kafka", kafka.bootstrapServers(), "crash-" + System.nanoTime());
    }

    private void crashMidStream(int total, String... logArgs) throws Exception {
        BitSet acked = new BitSet();
        BrokerProcess first = BrokerProcess.start(logArgs);
        try {
            try (SeqSubscriber away = SeqSubscriber.connect(first.port(), "away", false, "clients/away/alerts")) {
                away.disconnect();
            }
            SeqPublisher publisher = new SeqPublisher();
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
                try {
                    publisher.run(first.port(), "origin", "clients/away/alerts", 0, total, 64, 1000, 300);
                } catch (Exception e) {
                    // the broker died under it: what was acknowledged is in publisher.acked()
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (publisher.acked().cardinality() < total / 2 && System.nanoTime() < deadline && !publishing.isDone()) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll the publisher's progress, not a core
            }
            first.kill9(); // in the middle of the stream: appends and PUBACKs in flight
            publishing.get(60, TimeUnit.SECONDS);
            acked.or(publisher.acked());
        } finally {
            first.close();
        }
        assertThat(acked.cardinality()).isBetween(total / 2, total - 1);

        try (BrokerProcess second = BrokerProcess.start(logArgs)) {
            // the rest of the stream goes to the restarted broker
            int from = acked.previousSetBit(total) + 1;
            acked.or(new SeqPublisher().run(second.port(), "origin", "clients/away/alerts", from, total, 64, 1000, 300).acked());
            try (SeqSubscriber back = SeqSubscriber.connect(second.port(), "away", false, null)) {
                assertThat(back.sessionPresent).isTrue();
                int want = acked.cardinality();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                BitSet missing;
                do {
                    back.awaitDistinct(want, 1, TimeUnit.SECONDS);
                    missing = (BitSet) acked.clone();
                    missing.andNot(back.received());
                } while (!missing.isEmpty() && System.nanoTime() < deadline);
                System.out.printf(Locale.ROOT, "kill -9 on the %s log: %d acknowledged, %d delivered, %d lost, %d duplicates%n",
                        logArgs[0], want, back.distinct(), missing.cardinality(), back.duplicates());
                assertThat(missing.stream().limit(20).boxed().toList()).as("acknowledged but never delivered").isEmpty();
                assertThat(back.outOfOrder()).isZero();
            }
        }
    }
}
