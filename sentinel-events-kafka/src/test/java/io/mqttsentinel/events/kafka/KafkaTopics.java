package io.mqttsentinel.events.kafka;

import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.store.kafka.KafkaTestCluster;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topics of the test cluster and what they hold, read back as events: the tests compare events, not text. */
final class KafkaTopics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaTopics() {
    }

    /** @return a new topic of three partitions, replicated three times, with a name no other test uses */
    static String create(KafkaTestCluster cluster) throws Exception {
        String topic = "events-" + UUID.randomUUID();
        cluster.admin().createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        return topic;
    }

    /** @return every record of the topic, up to the end offsets at the time of the call, partition by partition */
    static List<ConsumerRecord<byte[], byte[]>> records(KafkaTestCluster cluster, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("topic " + topic + " not read to " + end + " within 30 s");
                }
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    static SecurityEvent event(byte[] json) throws Exception {
        JsonNode n = JSON.readTree(json);
        if (n.size() != 9) {
            throw new AssertionError("expected the 9 fields of the JSON form, got " + n);
        }
        return new SecurityEvent(Instant.parse(n.get("time").asText()), n.get("layer").asText(),
                n.get("client_id").asText(), n.get("topic").asText(), n.get("category").asText(),
                n.get("rule_id").asText(), Severity.valueOf(n.get("severity").asText().toUpperCase(Locale.ROOT)),
                Action.valueOf(n.get("action").asText().toUpperCase(Locale.ROOT)), n.get("excerpt").asText());
    }

    /** @return {@code 127.0.0.1:port} where nothing listens: a port just bound and closed again */
    static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

}
