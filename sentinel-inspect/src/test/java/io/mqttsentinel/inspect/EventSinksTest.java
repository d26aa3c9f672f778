package io.mqttsentinel.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
