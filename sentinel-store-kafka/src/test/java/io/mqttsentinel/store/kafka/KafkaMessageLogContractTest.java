package io.mqttsentinel.store.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.api.MessageLogException;
import io.mqttsentinel.testkit.store.MessageLogContract;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka log against the compatibility kit, on one in-process 3-broker cluster for the whole class;
 * each test gets a topic of its own. Also checks the topic's durability settings.
 */
class KafkaMessageLogContractTest extends MessageLogContract {
    private static KafkaTestCluster cluster;
    private static int topics;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new KafkaTestCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Duration patience() {
        return Duration.ofSeconds(60);
    }

    private static KafkaMessageLog.Builder builder(String topic) {
        return KafkaMessageLog.builder(cluster.bootstrapServers()).topic(topic).partitions(3)
                .requestTimeout(Duration.ofSeconds(60));
    }

    @Override
    protected MessageLog newLog() {
        return builder("contract-" + topics++).build();
    }

    @Override
    protected MessageLog reopen(MessageLog closed) {
        return builder(((KafkaMessageLog) closed).topic()).build();
    }

    @Override
    protected void expireAllRecords(MessageLog log) throws Exception {
        cluster.deleteAllRecords(((KafkaMessageLog) log).topic());
    }

    @Test
    void build_createsTopicWithReplicationThreeMinIsrTwoAndNoUncleanElection() throws Exception {
        try (KafkaMessageLog log = builder("durable").build()) {
            TopicDescription d = cluster.admin().describeTopics(Set.of(log.topic())).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(log.topic());
            assertThat(d.partitions()).hasSize(3).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, log.topic());
            Config c = cluster.admin().describeConfigs(Set.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertThat(c.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(c.get("unclean.leader.election.enable").value()).isEqualTo("false");
            assertThat(c.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofHours(72).toMillis()));
            assertThat(c.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        }
    }

    @Test
    void build_existingTopicWithWeakerDurability_isRefusedWithTheReason() throws Exception {
        cluster.admin().createTopics(Set.of(new NewTopic("weak", 3, (short) 2)
                .configs(Map.of("min.insync.replicas", "1")))).all().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> builder("weak").build()).isInstanceOf(MessageLogException.class)
                .hasMessageContaining("has 2 replicas, expected at least 3")
                .hasMessageContaining("min.insync.replicas is 1, expected at least 2");
    }

    @Test
    void builder_invalidValues_namedWithRange() {
        KafkaMessageLog.Builder b = KafkaMessageLog.builder("localhost:1");
        assertThatThrownBy(() -> b.partitions(0)).hasMessage("partitions must be 1 to 10000, was 0");
        assertThatThrownBy(() -> b.topic("bad topic")).hasMessageContaining("topic must be");
        assertThatThrownBy(() -> b.retention(Duration.ofSeconds(1))).hasMessage("retention must be 1m to 3650d, was 1s");
        assertThatThrownBy(() -> b.replicationFactor(1).minInsyncReplicas(2).build())
                .hasMessage("SENTINEL_STORE_KAFKA_MIN_INSYNC (minInsyncReplicas) must be 1 to SENTINEL_STORE_KAFKA_REPLICATION "
                        + "(replicationFactor, 1), was 2");
    }

    @Test
    void twoLogsFromOneBuilder_areIndependent() {
        KafkaMessageLog.Builder b = builder("independent-a");
        try (KafkaMessageLog first = b.build()) {
            b.topic("independent-b").partitions(2);
            try (KafkaMessageLog second = b.build()) {
                assertThat(first.topic()).isEqualTo("independent-a");
                assertThat(first.partitions()).isEqualTo(3);
                assertThat(first.config().partitions()).isEqualTo(3);
                assertThat(second.topic()).isEqualTo("independent-b");
                assertThat(second.partitions()).isEqualTo(2);
            }
        }
    }
}
