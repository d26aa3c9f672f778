package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;
import io.mqttsentinel.testkit.MutableClock;

/** The quarantine store over a file log: listing, filters, paging, deletion, release once, restart, retention. */
class QuarantineStoreTest {
    private static final Finding SIZE = new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE,
            "anomaly-size", "12288 bytes");
    private static final Finding RULE = new Finding(ThreatCategory.SQL_INJECTION, Severity.HIGH, Action.QUARANTINE,
            "operator-sqli", "' OR 1=1");

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private SegmentedFileLog log;
    private QuarantineStore store;
    private final List<QuarantineStore> others = new ArrayList<>();

    @BeforeEach
    void open() {
        log = SegmentedFileLog.builder(dir).fsyncPolicy(FsyncPolicy.OS).retention(Duration.ofDays(7)).clock(clock).open();
        store = newStore();
    }

    private QuarantineStore newStore() {
        return QuarantineStore.builder(log).clock(clock).meterRegistry(meters).open();
    }

    @AfterEach
    void close() {
        others.forEach(QuarantineStore::close);
        store.close();
        log.close();
    }

    private QuarantinedMessage add(String client, String topic, String payload, Finding... findings) {
        LogEntry entry = new LogEntry(topic, payload.getBytes(StandardCharsets.UTF_8), 1, client, clock.millis());
        clock.advance(Duration.ofSeconds(1));
        return store.add(entry, List.of(findings)).toCompletableFuture().join();
    }

    private static QuarantineQuery.Builder query() {
        return QuarantineQuery.builder();
    }

    private static List<String> ids(QuarantinePage page) {
        return page.items().stream().map(QuarantinedMessage::id).toList();
    }

    @Test
    void add_keepsIdClientTopicSizeTimeReasonsAndPayload() {
        Instant received = clock.instant();
        QuarantinedMessage m = add("dev-1", "clients/dev-1/telemetry", "x".repeat(12_288), SIZE);

        assertThat(m.id()).isEqualTo("0-0");
        assertThat(store.find(m.id())).hasValueSatisfying(found -> {
            assertThat(found.clientId()).isEqualTo("dev-1");
            assertThat(found.topic()).isEqualTo("clients/dev-1/telemetry");
            assertThat(found.size()).isEqualTo(12_288);
            assertThat(found.qos()).isEqualTo(1);
            assertThat(found.time()).isEqualTo(received);
            assertThat(found.findings()).containsExactly(SIZE);
            assertThat(found.state()).isEqualTo(QuarantinedMessage.State.QUARANTINED);
        });
        assertThat(store.payload(m.id())).hasValueSatisfying(p -> assertThat(p).hasSize(12_288));
        assertThat(meters.get("sentinel_quarantine_messages").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void find_unknownOrMalformedId_isEmpty() {
        add("dev-1", "t", "a", SIZE);

        assertThat(store.find("0-7")).isEmpty();
        assertThat(store.find("9-0")).isEmpty();
        assertThat(store.find("zero")).isEmpty();
        assertThat(store.payload("0-7")).isEmpty();
        assertThat(store.payload("9-0")).isEmpty();
    }

    @Test
    void list_newestFirst_filteredByClientTopicReasonTimeAndState() {
        Instant start = clock.instant();
        QuarantinedMessage a = add("dev-1", "clients/dev-1/telemetry", "a", SIZE);
        QuarantinedMessage b = add("dev-2", "clients/dev-2/telemetry", "b", RULE);
        Instant middle = clock.instant();
        QuarantinedMessage c = add("dev-1", "clients/dev-1/events", "c", SIZE, RULE);

        assertThat(ids(store.list(QuarantineQuery.all()))).containsExactly(c.id(), b.id(), a.id());
        assertThat(ids(store.list(query().clientId("dev-1").build()))).containsExactly(c.id(), a.id());
        assertThat(ids(store.list(query().topicFilter("clients/+/telemetry").build()))).containsExactly(b.id(), a.id());
        assertThat(ids(store.list(query().reason("sql_injection").build()))).containsExactly(c.id(), b.id());
        assertThat(ids(store.list(query().reason("ANOMALY-SIZE").build()))).containsExactly(c.id(), a.id());
        assertThat(ids(store.list(query().since(middle).build()))).containsExactly(c.id());
        assertThat(ids(store.list(query().since(start).until(middle).build()))).containsExactly(b.id(), a.id());

        store.release(b.id(), "alice", (m, p) -> CompletableFuture.completedFuture(null)).toCompletableFuture().join();
        assertThat(ids(store.list(query().state(QuarantinedMessage.State.RELEASED).build()))).containsExactly(b.id());
        assertThat(ids(store.list(query().state(QuarantinedMessage.State.QUARANTINED).build()))).containsExactly(c.id(), a.id());
    }

    @Test
    void list_pagesByCursor_withoutGapsOrRepeats() {
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            added.add(0, add("dev-" + (i % 2), "t/" + i, "p" + i, SIZE).id());
        }

        List<String> seen = new ArrayList<>();
        QuarantinePage page = store.list(query().limit(10).build());
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            seen.addAll(ids(page));
            sizes.add(page.items().size());
            if (page.next().isEmpty()) {
                break;
            }
            page = store.list(query().limit(10).cursor(page.next().get()).build());
        }

        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(seen).isEqualTo(added);
        QuarantinePage exact = store.list(query().limit(25).build());
        assertThat(exact.items()).hasSize(25);
        assertThat(exact.next()).as("no next page when the last one is exactly full").isEmpty();
    }

    @Test
    void query_badValues_areRefusedWithTheParameterNamed() {
        assertThatThrownBy(() -> query().limit(0)).hasMessageContaining("limit must be 1 to 1000, was 0");
        assertThatThrownBy(() -> query().limit(1001)).hasMessageContaining("limit");
        assertThatThrownBy(() -> query().topicFilter("a/#/b")).hasMessageContaining("topic");
        assertThatThrownBy(() -> query().cursor("x")).hasMessageContaining("cursor");
        assertThatThrownBy(() -> query().since(Instant.parse("2026-03-02T00:00:00Z")).until(Instant.parse("2026-03-01T00:00:00Z")))
                .hasMessageContaining("until must not be before since");
    }

    @Test
    void delete_isGoneFromListFindAndPayload_alsoAfterRestart() {
        QuarantinedMessage a = add("dev-1", "t", "a", SIZE);
        QuarantinedMessage b = add("dev-1", "t", "b", SIZE);

        assertThat(store.delete(a.id(), "alice").toCompletableFuture().join()).isTrue();

        assertThat(ids(store.list(QuarantineQuery.all()))).containsExactly(b.id());
        assertThat(store.find(a.id())).isEmpty();
        assertThat(store.payload(a.id())).isEmpty();
        assertThat(store.delete(a.id(), "alice").toCompletableFuture().join()).as("deleting twice").isFalse();
        assertThat(store.delete("0-99", "alice").toCompletableFuture().join()).isFalse();
        assertThat(meters.get("sentinel_quarantine_deleted_total").counter().count()).isEqualTo(1.0);

        store.close();
        store = newStore();
        assertThat(ids(store.list(QuarantineQuery.all()))).containsExactly(b.id());
        assertThat(store.find(a.id())).isEmpty();
    }

    @Test
    void restart_keepsEntriesAndTheirState() {
        QuarantinedMessage a = add("dev-1", "clients/dev-1/telemetry", "a", SIZE, RULE);
        QuarantinedMessage b = add("dev-2", "clients/dev-2/telemetry", "b", SIZE);
        store.release(b.id(), "alice", (m, p) -> CompletableFuture.completedFuture(null)).toCompletableFuture().join();
        List<QuarantinedMessage> before = store.list(QuarantineQuery.all()).items();

        store.close();
        store = newStore();

        assertThat(store.list(QuarantineQuery.all()).items()).isEqualTo(before);
        assertThat(store.find(b.id())).hasValueSatisfying(m -> {
            assertThat(m.state()).isEqualTo(QuarantinedMessage.State.RELEASED);
            assertThat(m.releasedBy()).isEqualTo("alice");
        });
        assertThat(store.payload(a.id())).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("a"));
    }

    @Test
    void release_deliversOnce_twiceIsRefused_alsoAfterRestart() {
        QuarantinedMessage a = add("dev-1", "clients/dev-1/telemetry", "payload-a", SIZE);
        List<String> delivered = new ArrayList<>();
        QuarantineStore.Delivery delivery = (m, p) -> {
            delivered.add(m.topic() + "=" + new String(p, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        };

        QuarantinedMessage released = store.release(a.id(), "alice", delivery).toCompletableFuture().join();

        assertThat(released.state()).isEqualTo(QuarantinedMessage.State.RELEASED);
        assertThat(released.releasedBy()).isEqualTo("alice");
        assertThat(released.releasedAt()).isEqualTo(clock.instant());
        assertThat(delivered).containsExactly("clients/dev-1/telemetry=payload-a");
        assertThatThrownBy(() -> store.release(a.id(), "bob", delivery).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released already").hasMessageContaining("alice");
        assertThat(meters.get("sentinel_quarantine_released_total").counter().count()).isEqualTo(1.0);

        store.close();
        store = newStore();
        assertThatThrownBy(() -> store.release(a.id(), "bob", delivery).toCompletableFuture().join())
                .cause().isInstanceOf(IllegalStateException.class);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void release_whileOneIsUnderWay_isRefused_andDeleteWaits() throws Exception {
        QuarantinedMessage a = add("dev-1", "t", "a", SIZE);
        CompletableFuture<Void> slow = new CompletableFuture<>();
        AtomicInteger deliveries = new AtomicInteger();

        CompletableFuture<QuarantinedMessage> first = store.release(a.id(), "alice", (m, p) -> {
            deliveries.incrementAndGet();
            return slow;
        }).toCompletableFuture();

        assertThatThrownBy(() -> store.release(a.id(), "bob", (m, p) -> {
            deliveries.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }).toCompletableFuture().join()).cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("under way");
        assertThatThrownBy(() -> store.delete(a.id(), "bob").toCompletableFuture().join())
                .cause().isInstanceOf(IllegalStateException.class);
        slow.complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS).state()).isEqualTo(QuarantinedMessage.State.RELEASED);
        assertThat(deliveries).hasValue(1);
    }

    @Test
    void release_failedDelivery_leavesItQuarantined_andCanBeRetried() {
        QuarantinedMessage a = add("dev-1", "t", "a", SIZE);

        assertThatThrownBy(() -> store.release(a.id(), "alice",
                (m, p) -> CompletableFuture.failedFuture(new MessageLogException("disk full"))).toCompletableFuture().join())
                .cause().isInstanceOf(MessageLogException.class);
        assertThat(store.find(a.id()).orElseThrow().state()).isEqualTo(QuarantinedMessage.State.QUARANTINED);

        assertThat(store.release(a.id(), "alice", (m, p) -> CompletableFuture.completedFuture(null))
                .toCompletableFuture().join().state()).isEqualTo(QuarantinedMessage.State.RELEASED);
    }

    @Test
    void release_unknownOrDeleted_isNotFound() {
        QuarantinedMessage a = add("dev-1", "t", "a", SIZE);
        store.delete(a.id(), "alice").toCompletableFuture().join();

        for (String id : List.of(a.id(), "0-42", "nonsense")) {
            assertThatThrownBy(() -> store.release(id, "bob", (m, p) -> CompletableFuture.completedFuture(null))
                    .toCompletableFuture().join()).cause().isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void retention_olderThanItAreGone_fromTheIndexAndThenFromTheLog() {
        QuarantinedMessage old = add("dev-1", "t", "old", SIZE);
        clock.advance(Duration.ofDays(6));
        QuarantinedMessage young = add("dev-1", "t", "young", SIZE);

        clock.advance(Duration.ofDays(1));

        assertThat(ids(store.list(QuarantineQuery.all()))).containsExactly(young.id());
        assertThat(store.find(old.id())).isEmpty();
        clock.advance(Duration.ofDays(7));
        log.enforceRetention();
        assertThat(store.list(QuarantineQuery.all()).items()).isEmpty();
        store.close();
        store = newStore();
        assertThat(store.list(QuarantineQuery.all()).items()).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void maxEntries_boundsTheIndex_oldestLeaveFirst() {
        store.close();
        store = QuarantineStore.builder(log).clock(clock).meterRegistry(meters)
                .config(QuarantineConfig.builder().maxEntries(100).build()).open();
        for (int i = 0; i < 130; i++) {
            add("dev-1", "t/" + i, "p", SIZE);
        }

        assertThat(store.size()).isEqualTo(100);
        assertThat(store.find("0-29")).isEmpty();
        assertThat(store.find("0-30")).isPresent();
        assertThat(meters.get("sentinel_quarantine_evicted_total").functionCounter().count()).isEqualTo(30.0);
    }

    @Test
    void anotherStoreOnTheSameLog_seesAdditionsAndDeletionsAtItsNextQuery() {
        QuarantineStore other = QuarantineStore.builder(log).clock(clock).open();
        others.add(other);
        QuarantinedMessage a = add("dev-1", "t", "a", SIZE);
        QuarantinedMessage b = add("dev-1", "t", "b", SIZE);

        assertThat(ids(other.list(QuarantineQuery.all()))).containsExactly(b.id(), a.id());
        other.delete(a.id(), "bob").toCompletableFuture().join();
        other.release(b.id(), "bob", (m, p) -> CompletableFuture.completedFuture(null)).toCompletableFuture().join();

        assertThat(ids(store.list(QuarantineQuery.all()))).containsExactly(b.id());
        assertThat(store.find(b.id()).orElseThrow().state()).isEqualTo(QuarantinedMessage.State.RELEASED);
    }

    @Test
    void config_fromEnvironment_defaultsAndRefusals() {
        assertThat(QuarantineConfig.fromEnvironment(java.util.Map.of())).isEqualTo(QuarantineConfig.ofDefaults());
        assertThat(QuarantineConfig.ofDefaults().retention()).isEqualTo(Duration.ofDays(7));
        assertThat(QuarantineConfig.fromEnvironment(java.util.Map.of(QuarantineConfig.ENV_RETENTION, "2d")).retention())
                .isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> QuarantineConfig.fromEnvironment(java.util.Map.of(QuarantineConfig.ENV_RETENTION, "10s")))
                .hasMessageContaining(QuarantineConfig.ENV_RETENTION).hasMessageContaining("retention must be");
        assertThatThrownBy(() -> QuarantineConfig.fromEnvironment(java.util.Map.of(QuarantineConfig.ENV_KAFKA_TOPIC, "a b")))
                .hasMessageContaining("kafkaTopic");
    }
}
