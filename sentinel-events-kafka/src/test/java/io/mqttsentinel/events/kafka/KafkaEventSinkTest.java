package io.mqttsentinel.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.inspect.SecurityEventJson;
import io.mqttsentinel.store.kafka.SharedKafka;
import io.mqttsentinel.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class KafkaEventSinkTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static SecurityEvent event(String client, int n) {
        return new SecurityEvent(T0.plusMillis(n), "broker", client, "devices/" + client + "/telemetry",
                "sql_injection", "sqli-union", Severity.HIGH, Action.BLOCK, "event " + n);
    }

    @Test
    void events_ofTwoClients_arriveAsJson_keyedByClient_eachClientInOrder() throws Exception {
        String topic = KafkaTopics.create(SharedKafka.get());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<SecurityEvent> sent = new ArrayList<>();
        try (KafkaEventSink sink = KafkaEventSink.builder(SharedKafka.get().bootstrapServers()).topic(topic)
                .meterRegistry(registry).name("siem").build()) {
            for (int i = 0; i < 200; i++) {
                for (String client : List.of("dev-a", "dev-b")) {
                    SecurityEvent e = event(client, i);
                    sent.add(e);
                    sink.accept(e);
                }
            }
            Await.until("200 events per client acknowledged", Duration.ofSeconds(30), () -> sink.delivered() == 400);
            assertThat(registry.get("sentinel.events.delivered").tag("sink", "siem").functionCounter().count())
                    .isEqualTo(400.0);
            assertThat(sink.dropped()).isZero();
            assertThat(sink.failed()).isZero();
        }

        List<ConsumerRecord<byte[], byte[]>> records = KafkaTopics.records(SharedKafka.get(), topic);
        assertThat(records).hasSize(400);
        Map<String, List<SecurityEvent>> byClient = new LinkedHashMap<>();
        Map<String, Integer> partitionOf = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            SecurityEvent e = KafkaTopics.event(r.value());
            assertThat(e.clientId()).as("the record key is the client id").isEqualTo(key);
            assertThat(r.value()).as("the value is the one JSON form").isEqualTo(SecurityEventJson.toJson(e));
            assertThat(partitionOf.computeIfAbsent(key, k -> r.partition())).as("one partition per client")
                    .isEqualTo(r.partition());
            byClient.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        for (String client : List.of("dev-a", "dev-b")) {
            assertThat(byClient.get(client)).as("%s's events, in the order accepted", client)
                    .containsExactlyElementsOf(sent.stream().filter(e -> e.clientId().equals(client)).toList());
        }
    }

    @Test
    void unreachableKafka_acceptReturnsAtOnce_closeIsBounded_andEveryEventIsCounted() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaEventSink sink = KafkaEventSink.builder(KafkaTopics.closedPort()).queueCapacity(1_000)
                .closeTimeout(Duration.ofSeconds(2)).meterRegistry(registry).name("down").build();
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            sink.accept(event("dev-" + (i % 7), i));
        }
        // loose bound: a loaded CI machine is slow, but a sink that waited for Kafka would take max.block.ms
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        // the queue holds 1,000 and the sink's thread at most one batch of 256, waiting for metadata
        assertThat(sink.dropped()).as("beyond the queue and the batch in hand, events are dropped")
                .isGreaterThanOrEqualTo(10_000 - 1_000 - 256);

        start = System.nanoTime();
        sink.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close within its 2 s bound, plus slack")
                .isLessThan(Duration.ofSeconds(6));

        Await.until("every event counted as dropped or undeliverable",
                () -> sink.dropped() + sink.failed() == 10_000);
        assertThat(sink.delivered()).isZero();
        assertThat(registry.get("sentinel.events.dropped").tag("sink", "down").tag("reason", "queue_full")
                .functionCounter().count()).isEqualTo(sink.dropped());
        assertThat(registry.get("sentinel.events.dropped").tag("sink", "down").tag("reason", "undeliverable")
                .functionCounter().count()).isEqualTo(sink.failed());
        sink.accept(event("late", 1));
        assertThat(sink.dropped() + sink.failed()).as("accepted after close: dropped, counted").isEqualTo(10_001);
    }
}
