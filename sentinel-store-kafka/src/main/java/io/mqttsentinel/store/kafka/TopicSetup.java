package io.mqttsentinel.store.kafka;

import io.mqttsentinel.api.Ticker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.mqttsentinel.api.MessageLogException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the log's topic with the durability the contract needs, or checks that an existing one has it:
 * the replication factor, {@code min.insync.replicas}, unclean leader election off, the retention, and
 * broker-side timestamps (retention then counts from when the cluster stored a record, not from a
 * client's clock).
 */
final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    static Map<String, String> topicConfigs(KafkaLogConfig b) {
        return Map.of(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(b.minInsyncReplicas()),
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false",
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(b.retention().toMillis()),
                TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(b.retentionBytesPerPartition()),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    }

    /** @return the number of partitions of the (created or verified) topic */
    static int ensure(Admin admin, KafkaLogConfig b, Ticker ticker) {
        long timeoutMs = b.requestTimeout().toMillis();
        try {
            TopicDescription d = describe(admin, b.topic(), timeoutMs);
            if (d == null) {
                NewTopic t = new NewTopic(b.topic(), b.partitions(), (short) b.replicationFactor()).configs(topicConfigs(b));
                try {
                    admin.createTopics(List.of(t)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("created topic {}: {} partitions, replication factor {}, {}", b.topic(), b.partitions(),
                            b.replicationFactor(), topicConfigs(b));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                d = awaitCreated(admin, b.topic(), timeoutMs, ticker);
            }
            long deadline = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                try {
                    verify(admin, b, d, timeoutMs);
                    return d.partitions().size();
                } catch (ExecutionException e) {
                    // the broker answering may not have the new topic's metadata yet
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || ticker.nanoTime() - deadline > 0) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (ExecutionException e) {
            throw new MessageLogException("cannot create or verify topic " + b.topic() + " on " + b.requireBootstrapServers()
                    + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new MessageLogException("cannot reach Kafka at " + b.requireBootstrapServers() + " within "
                    + b.requestTimeout() + " to create or verify topic " + b.topic(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessageLogException("interrupted while creating or verifying topic " + b.topic(), e);
        }
    }

    /** Metadata of a new topic reaches the brokers a moment after the controller created it. */
    private static TopicDescription awaitCreated(Admin admin, String topic, long timeoutMs, Ticker ticker)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long pauseMs = 10;
        while (true) {
            TopicDescription d = describe(admin, topic, timeoutMs);
            if (d != null && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return d;
            }
            if (ticker.nanoTime() - deadline > 0) {
                throw new MessageLogException("topic " + topic + " was created but has no leaders after " + timeoutMs + " ms");
            }
            Thread.sleep(pauseMs);
            pauseMs = Math.min(pauseMs * 2, 500);
        }
    }

    private static TopicDescription describe(Admin admin, String topic, long timeoutMs)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(Set.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    private static void verify(Admin admin, KafkaLogConfig b, TopicDescription d, long timeoutMs)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> problems = new ArrayList<>();
        for (TopicPartitionInfo p : d.partitions()) {
            if (p.replicas().size() < b.replicationFactor()) {
                problems.add("partition " + p.partition() + " has " + p.replicas().size() + " replicas, expected at least "
                        + b.replicationFactor());
                break;
            }
        }
        if (d.partitions().size() != b.partitions()) {
            LOG.warn("topic {} has {} partitions, the configuration asks for {}; using {}", b.topic(), d.partitions().size(),
                    b.partitions(), d.partitions().size());
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, b.topic());
        Config config = admin.describeConfigs(Set.of(resource)).all().get(timeoutMs, TimeUnit.MILLISECONDS).get(resource);
        int minIsr = Integer.parseInt(value(config, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1"));
        if (minIsr < b.minInsyncReplicas()) {
            problems.add(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + " is " + minIsr + ", expected at least " + b.minInsyncReplicas());
        }
        if (Boolean.parseBoolean(value(config, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"))) {
            problems.add(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG + " is true, expected false");
        }
        String retention = value(config, TopicConfig.RETENTION_MS_CONFIG, "");
        if (!retention.equals(Long.toString(b.retention().toMillis()))) {
            problems.add(TopicConfig.RETENTION_MS_CONFIG + " is " + retention + ", expected " + b.retention().toMillis());
        }
        if (!problems.isEmpty()) {
            throw new MessageLogException("topic " + b.topic() + " exists but does not have the durability this log needs: "
                    + String.join("; ", problems) + " (fix it with kafka-configs.sh / kafka-reassign-partitions.sh, "
                    + "or choose another topic)");
        }
    }

    private static String value(Config config, String name, String fallback) {
        ConfigEntry e = config.get(name);
        return e == null || e.value() == null ? fallback : e.value();
    }
}
