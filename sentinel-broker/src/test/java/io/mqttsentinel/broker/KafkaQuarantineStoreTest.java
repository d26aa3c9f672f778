package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.store.kafka.KafkaMessageLog;
import io.mqttsentinel.store.kafka.KafkaTestCluster;
import io.mqttsentinel.store.kafka.SharedKafka;

/**
 * The quarantine store on a Kafka topic of several partitions (three brokers): every record lands in one partition,
 * payloads are read back by position, state survives a new store, and two stores on one topic (two broker nodes)
 * see each other's decisions.
 */
@ExtendWith(SharedKafka.class)
class KafkaQuarantineStoreTest {
    private static final Finding SIZE = new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE,
            "anomaly-payload-size", "");
    private static KafkaTestCluster kafka;
    private KafkaMessageLog log;
    private QuarantineStore store;
    private QuarantineStore other;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = SharedKafka.get();
    }

    @BeforeEach
    void open() {
        log = KafkaMessageLog.builder(kafka.bootstrapServers()).topic("quarantine-" + System.nanoTime()).partitions(6)
                .requestTimeout(Duration.ofSeconds(30)).build();
        store = QuarantineStore.builder(log).open();
    }

    @AfterEach
    void close() {
        if (other != null) {
            other.close();
        }
        store.close();
        log.close();
    }

    private QuarantinedMessage add(String client, String payload) {
        return store.add(new LogEntry("clients/" + client + "/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1,
                client, System.currentTimeMillis()), List.of(SIZE)).toCompletableFuture().join();
    }

    @Test
    void addListShowReleaseDelete_andANewStoreReadsTheSameState() {
        QuarantinedMessage a = add("dev-1", "payload-a");
        QuarantinedMessage b = add("dev-2", "payload-b");
        QuarantinedMessage c = add("dev-3", "payload-c");
        assertThat(List.of(a, b, c)).extracting(m -> m.id().split("-")[0]).as("one partition").containsOnly(
                a.id().split("-")[0]);

        assertThat(store.payload(b.id())).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8))
                .isEqualTo("payload-b"));
        store.release(a.id(), "alice", (m, p) -> CompletableFuture.completedFuture(null)).toCompletableFuture().join();
        assertThat(store.delete(c.id(), "alice").toCompletableFuture().join()).isTrue();

        other = QuarantineStore.builder(log).open();
        assertThat(other.list(QuarantineQuery.all()).items()).extracting(QuarantinedMessage::id).containsExactly(b.id(), a.id());
        assertThat(other.find(a.id()).orElseThrow().state()).isEqualTo(QuarantinedMessage.State.RELEASED);
        assertThat(other.payload(a.id())).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8))
                .isEqualTo("payload-a"));
        assertThatThrownBy(() -> other.release(a.id(), "bob", (m, p) -> CompletableFuture.completedFuture(null))
                .toCompletableFuture().join()).cause().isInstanceOf(IllegalStateException.class);

        QuarantinedMessage d = add("dev-4", "payload-d");
        other.delete(b.id(), "bob").toCompletableFuture().join();
        assertThat(other.list(QuarantineQuery.all()).items()).extracting(QuarantinedMessage::id).containsExactly(d.id(), a.id());
        assertThat(store.list(QuarantineQuery.all()).items()).extracting(QuarantinedMessage::id).containsExactly(d.id(), a.id());
    }
}
