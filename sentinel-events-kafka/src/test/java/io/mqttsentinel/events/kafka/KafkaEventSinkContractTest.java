package io.mqttsentinel.events.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.store.kafka.SharedKafka;
import io.mqttsentinel.testkit.events.SecurityEventSinkContract;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each sink produces to a topic of its own on the in-process cluster; what it delivered is read back from the
 * topic. The stalled sink's bootstrap is a closed port on the loopback address: its thread waits for
 * metadata that never comes.
 */
@ExtendWith(SharedKafka.class)
class KafkaEventSinkContractTest extends SecurityEventSinkContract<KafkaEventSink> {
    private final Map<KafkaEventSink, String> topics = new ConcurrentHashMap<>();

    @Override
    protected KafkaEventSink newSink() throws Exception {
        String topic = KafkaTopics.create(SharedKafka.get());
        KafkaEventSink sink = KafkaEventSink.builder(SharedKafka.get().bootstrapServers()).topic(topic).build();
        topics.put(sink, topic);
        return sink;
    }

    @Override
    protected KafkaEventSink newStalledSink() throws Exception {
        return KafkaEventSink.builder(KafkaTopics.closedPort()).queueCapacity(100)
                .closeTimeout(Duration.ofSeconds(1)).build();
    }

    @Override
    protected List<SecurityEvent> delivered(KafkaEventSink sink) throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTopics.records(SharedKafka.get(), topics.get(sink))) {
            events.add(KafkaTopics.event(r.value()));
        }
        return events;
    }
}
