package io.mqttsentinel.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventSinksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SecurityEvent event(int i, String excerpt) {
        return new SecurityEvent(Instant.parse("2026-11-25T04:00:00Z").plusSeconds(i), "broker", "dev-" + i, "t/" + i,
                "sql_injection", "sqli-union", Severity.HIGH, Action.BLOCK, excerpt);
    }

    @Test
    void jsonLines_writesOneEscapedObjectPerLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events/broker.jsonl");
        try (JsonLinesEventSink sink = JsonLinesEventSink.builder(file).build()) {
            sink.accept(event(1, "1 union select \"x\"\n</script>"));
            sink.accept(event(2, ""));
        }
        List<String> lines = Files.readAllLines(file);

        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("time").asText()).isEqualTo("2026-11-25T04:00:01Z");
        assertThat(first.get("client_id").asText()).isEqualTo("dev-1");
        assertThat(first.get("topic").asText()).isEqualTo("t/1");
        assertThat(first.get("category").asText()).isEqualTo("sql_injection");
        assertThat(first.get("rule_id").asText()).isEqualTo("sqli-union");
        assertThat(first.get("severity").asText()).isEqualTo("high");
        assertThat(first.get("action").asText()).isEqualTo("block");
        assertThat(first.get("excerpt").asText()).isEqualTo("1 union select \"x\"\n</script>");
    }

    @Test
    void jsonLines_afterClose_dropsAndCounts(@TempDir Path dir) {
        JsonLinesEventSink sink = JsonLinesEventSink.builder(dir.resolve("e.jsonl")).queueCapacity(4).build();
        sink.accept(event(1, "a"));
        sink.close();
        sink.accept(event(2, "b"));

        assertThat(sink.written()).isEqualTo(1);
        assertThat(sink.dropped()).isEqualTo(1);
    }

    @Test
    void jsonLines_invalidCapacity_namesParameter(@TempDir Path dir) {
        assertThatThrownBy(() -> JsonLinesEventSink.builder(dir.resolve("x")).queueCapacity(0))
                .hasMessage("queueCapacity must be in [1, 10000000], was 0");
    }

    @Test
    void jsonLines_rotatesBySize_keepsTheNewestFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broker-events.jsonl");
        int lineBytes = EventJsonLength.of(event(1, "x".repeat(100))) + 1;
        // four lines fill a file: ten events make files of 4, 4 and 2 lines; keep(1) leaves the last full one
        try (JsonLinesEventSink sink = JsonLinesEventSink.builder(file).maxBytes(4L * lineBytes).keep(1).build()) {
            for (int i = 1; i <= 10; i++) {
                sink.accept(event(i, "x".repeat(100)));
            }
        }
        assertThat(clientIds(file)).containsExactly("dev-9", "dev-10");
        assertThat(clientIds(dir.resolve("broker-events.jsonl.1"))).containsExactly("dev-5", "dev-6", "dev-7", "dev-8");
        assertThat(dir.resolve("broker-events.jsonl.2")).doesNotExist();
        assertThat(Files.size(dir.resolve("broker-events.jsonl.1"))).isEqualTo(4L * lineBytes);
    }

    @Test
    void jsonLines_rotatesByAge_onTheInjectedClock(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("e.jsonl");
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));
        JsonLinesEventSink sink = JsonLinesEventSink.builder(file).maxAge(Duration.ofHours(1)).keep(3).clock(clock).build();
        sink.accept(event(1, "a"));
        awaitWritten(sink, 1);
        clock.advance(Duration.ofMinutes(59));
        sink.accept(event(2, "b"));
        awaitWritten(sink, 2);
        clock.advance(Duration.ofMinutes(1));
        sink.accept(event(3, "c"));
        sink.close();

        assertThat(clientIds(dir.resolve("e.jsonl.1"))).containsExactly("dev-1", "dev-2");
        assertThat(clientIds(file)).containsExactly("dev-3");
    }

    @Test
    void jsonLines_reportsItsCountersAsMeters(@TempDir Path dir) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonLinesEventSink sink = JsonLinesEventSink.builder(dir.resolve("e.jsonl")).meterRegistry(registry, "file-broker").build();
        sink.accept(event(1, "a"));
        sink.close();
        sink.accept(event(2, "b"));

        assertThat(registry.get("sentinel.events.delivered").tag("sink", "file-broker").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("sentinel.events.dropped").tag("sink", "file-broker").tag("reason", "queue_full")
                .functionCounter().count()).isEqualTo(1);
    }

    private static List<String> clientIds(Path file) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ids.add(JSON.readTree(line).get("client_id").asText());
        }
        return ids;
    }

    static void awaitWritten(JsonLinesEventSink sink, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sink.written() < n) {
            assertThat(System.nanoTime()).as("written %d within 10 s", n).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static final class EventJsonLength {
        static int of(SecurityEvent e) {
            return SecurityEventJson.toJson(e).length;
        }
    }

    @Test
    void mqtt_publishesJsonOnTheTopic_andCountsFailures() throws Exception {
        List<String> topics = new CopyOnWriteArrayList<>();
        List<String> payloads = new CopyOnWriteArrayList<>();
        MqttEventSink sink = MqttEventSink.builder((topic, payload) -> {
            topics.add(topic);
            payloads.add(new String(payload, StandardCharsets.UTF_8));
            return payloads.size() == 2 ? CompletableFuture.failedFuture(new IllegalStateException("broker full"))
                    : CompletableFuture.completedFuture(null);
        }).topic("sentinel/events").topicPerCategory(true).build();

        sink.accept(event(1, "a"));
        sink.accept(event(2, "b"));
        sink.close();

        assertThat(topics).containsExactly("sentinel/events/sql_injection", "sentinel/events/sql_injection");
        assertThat(JSON.readTree(payloads.get(0)).get("client_id").asText()).isEqualTo("dev-1");
        assertThat(sink.published()).isEqualTo(1);
        assertThat(sink.failed()).isEqualTo(1);
        sink.accept(event(3, "c"));
        assertThat(sink.dropped()).isEqualTo(1);
    }

    @Test
    void mqtt_publisherThatThrows_isCountedNotPropagated() {
        MqttEventSink sink = MqttEventSink.builder((t, p) -> {
            throw new IllegalStateException("down");
        }).build();
        sink.accept(event(1, "a"));
        sink.close();

        assertThat(sink.failed()).isEqualTo(1);
    }

    @Test
    void mqtt_wildcardTopic_isRejected() {
        assertThatThrownBy(() -> MqttEventSink.builder((t, p) -> CompletableFuture.completedFuture(null)).topic("a/#"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wildcards");
    }

    @Test
    void eventSinks_handEachEventToTheFileAndEveryRemoteSink(@TempDir Path dir) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path remoteFile = dir.resolve("remote.jsonl");
        EventsConfig config = EventsConfig.builder().fileKeep(3).build();
        JsonLinesEventSink file;
        try (EventSinks sinks = EventSinks.open(config, registry,
                (c, r) -> java.util.Optional.of(JsonLinesEventSink.builder(remoteFile).meterRegistry(r, "other").build()))) {
            file = sinks.file(dir.resolve("events/broker-events.jsonl"), "file-broker");
            file.andThen(sinks).accept(event(1, "a"));
            awaitWritten(file, 1);
            file.close();
        }

        assertThat(Files.readAllLines(dir.resolve("events/broker-events.jsonl"))).hasSize(1);
        assertThat(Files.readAllLines(remoteFile)).hasSize(1);
        assertThat(registry.get("sentinel.events.delivered").tag("sink", "file-broker").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("sentinel.events.delivered").tag("sink", "other").functionCounter().count()).isEqualTo(1.0);
    }

    @Test
    void eventSinks_withoutRemoteSettings_openNone_andAcceptDropsNothing() {
        try (EventSinks sinks = EventSinks.open(EventsConfig.ofDefaults(), new SimpleMeterRegistry())) {
            sinks.accept(event(1, "a"));
        }
    }

    @Test
    void eventSinks_anOpenerThatFails_closesTheSinksOpenedBeforeIt(@TempDir Path dir) {
        List<JsonLinesEventSink> opened = new CopyOnWriteArrayList<>();
        EventSinks.Opener first = (c, r) -> {
            JsonLinesEventSink s = JsonLinesEventSink.builder(dir.resolve("first.jsonl")).build();
            opened.add(s);
            return java.util.Optional.of(s);
        };
        EventSinks.Opener failing = (c, r) -> {
            throw new IllegalStateException("no cluster");
        };

        assertThatThrownBy(() -> EventSinks.open(EventsConfig.ofDefaults(), new SimpleMeterRegistry(), first, failing))
                .hasMessage("no cluster");
        opened.get(0).accept(event(1, "a"));
        assertThat(opened.get(0).dropped()).as("accepted after close").isEqualTo(1);
    }

    @Test
    void remoteDestinations_nameEachConfiguredSink_withoutTheirSecrets() {
        EventsConfig config = EventsConfig.builder().syslog(java.net.URI.create("tls://siem.example:6514"))
                .http(java.net.URI.create("https://svc:hunter2@siem.example/in?tenant=a&token=t1"))
                .kafkaBootstrap("k1:9092").build();

        assertThat(config.remoteDestinations()).containsExactly("syslog tls://siem.example:6514",
                "http https://****@siem.example/in?tenant=a&token=****", "kafka k1:9092 topic sentinel-security-events");
        assertThat(EventsConfig.ofDefaults().remoteDestinations()).isEmpty();
    }
}
