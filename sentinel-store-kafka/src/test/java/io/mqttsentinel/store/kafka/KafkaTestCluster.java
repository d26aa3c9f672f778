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
 * controller and three brokers on ephemeral loopback ports, deleted on close. Start one per test class
 * ({@code @BeforeAll}) and give each test a topic of its own; starting takes a few seconds.
 *
 * <p>Other modules' tests use it through this module's test-jar. Test dependencies are not transitive, so
 * such a module declares, all in test scope, the test-jar and the Kafka artifacts this module's tests
 * use (versions from the parent's dependencyManagement, except the clients' test jar, which is copied
 * from this module's POM with its version, its exclusions and the reason for both):
 * <pre>{@code
 * <dependency><groupId>io.mqttsentinel</groupId><artifactId>sentinel-store-kafka</artifactId><type>test-jar</type></dependency>
 * <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-test-common-runtime</artifactId></dependency>
 * <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId></dependency>
 * <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-server</artifactId></dependency>
 * <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId><classifier>test</classifier>...</dependency>
 * <dependency><groupId>org.bouncycastle</groupId><artifactId>bcpkix-jdk18on</artifactId></dependency>
 * }</pre>
 * plus {@code sentinel-store-kafka} itself for {@link KafkaMessageLog}.
 *
 * <p>Not thread-safe to start or close concurrently; the cluster itself serves any number of clients.
 */
public final class KafkaTestCluster implements AutoCloseable {
    /** Kafka's own test kit behind this cluster, for tests that stop or restart a broker. */
    final KafkaClusterTestKit kit;
    private final Admin admin;

    /**
     * Formats and starts the cluster, and waits until every broker is ready.
     *
     * @throws Exception when the cluster does not start
     */
    public KafkaTestCluster() throws Exception {
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

    /** @return the {@code bootstrap.servers} of the cluster, {@code host:port[,host:port...]} */
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** @return an admin client of the cluster, closed with it; do not close it yourself */
    public Admin admin() {
        return admin;
    }

    /**
     * Deletes every record held so far in every partition of {@code topic}, as retention would.
     *
     * @param topic an existing topic
     * @throws Exception when the cluster does not delete them within 30 seconds
     */
    public void deleteAllRecords(String topic) throws Exception {
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

    /**
     * @param topic     an existing topic
     * @param partition one of its partitions
     * @return the broker id leading {@code partition} of {@code topic}
     * @throws Exception when the cluster does not answer within 30 seconds
     */
    public int leaderOf(String topic, int partition) throws Exception {
        return admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(partition).leader().id();
    }

    /**
     * Shuts one broker down (its partitions' leadership moves to the others), as a failed or restarted Kafka node
     * would leave the cluster. It stays down until the cluster closes.
     *
     * @param brokerId a broker of this cluster, e.g. {@link #leaderOf(String, int)}
     * @throws IllegalArgumentException when there is no such broker
     */
    public void stopBroker(int brokerId) {
        var broker = kit.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + brokerId + " in " + kit.brokers().keySet());
        }
        broker.shutdown();
    }

    /**
     * Stops the brokers and the controller and deletes their data.
     *
     * @throws IllegalStateException when the cluster does not shut down cleanly, or the thread is interrupted
     *                               meanwhile (its interrupt flag is then set again)
     */
    @Override
    public void close() {
        try {
            admin.close();
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the Kafka test cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("the Kafka test cluster did not stop cleanly: " + e, e);
        }
    }
}
