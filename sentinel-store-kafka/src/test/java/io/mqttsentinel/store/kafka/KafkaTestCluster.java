package io.mqttsentinel.store.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka cluster in this JVM (KRaft, from the kafka artifacts pinned in the parent POM): one
 * controller and three brokers on ephemeral loopback ports, deleted on close.
 */
final class KafkaTestCluster {
    final KafkaClusterTestKit kit;
    final Admin admin;

    KafkaTestCluster() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(3)
                .build();
        kit = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "3")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "3")
                .setConfigProp("num.network.threads", "2")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("background.threads", "2")
                .setConfigProp("num.replica.fetchers", "1")
                .setConfigProp("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))
                .build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        admin = kit.admin();
    }

    String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Deletes every record held so far in every partition of {@code topic}, as retention would. */
    void deleteAllRecords(String topic) throws Exception {
        List<TopicPartitionInfo> infos = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo i : infos) {
            latest.put(new TopicPartition(topic, i.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
        admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
    }

    /** @return the broker id leading {@code partition} of {@code topic} */
    int leaderOf(String topic, int partition) throws Exception {
        return admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(partition).leader().id();
    }

    void close() throws Exception {
        admin.close();
        kit.close();
    }
}
