package io.mqttsentinel.broker;

import io.mqttsentinel.store.kafka.KafkaTestCluster;

/**
 * One in-process three-broker Kafka cluster for every broker test class in this JVM (starting one takes
 * seconds); each test uses topics of its own. Closed when the JVM exits.
 */
final class SharedKafka {
    private static KafkaTestCluster cluster;

    private SharedKafka() {
    }

    /** @return the cluster, started on first use */
    static synchronized KafkaTestCluster get() throws Exception {
        if (cluster == null) {
            KafkaTestCluster c = new KafkaTestCluster();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }, "shared-kafka-close"));
            cluster = c;
        }
        return cluster;
    }
}
