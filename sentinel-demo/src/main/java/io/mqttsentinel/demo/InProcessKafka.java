package io.mqttsentinel.demo;

import java.io.OutputStream;
import java.io.PrintStream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * The cluster demo's Kafka: a real KRaft cluster in this JVM, one controller and three brokers on ephemeral ports
 * of the loopback interface, built on Kafka's own {@link KafkaClusterTestKit} (as the tests' {@code
 * KafkaTestCluster} is), so that {@code sentinel demo --cluster} needs nothing but a JDK. Its data lives in
 * temporary directories that {@link #close()} deletes. Kafka's own logging stays at {@code warn} unless the
 * operator set it.
 *
 * <p>Not thread-safe to start or close concurrently; the cluster serves any number of clients.
 */
final class InProcessKafka implements AutoCloseable {
    /** Kafka brokers; the log's topic is replicated to all of them. */
    static final int BROKERS = 3;

    private final KafkaClusterTestKit kit;

    private InProcessKafka(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /**
     * Formats and starts the cluster and waits until every broker is ready (a few seconds).
     *
     * @return the running cluster
     * @throws Exception when it does not start; nothing is left running
     */
    static InProcessKafka start() throws Exception {
        quietLogging();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(BROKERS)
                .build();
        // small thread pools: the demo shares two cores with the broker nodes, the bridges and the fleet
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", Integer.toString(BROKERS))
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", Integer.toString(BROKERS))
                .setConfigProp("num.network.threads", "2")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("background.threads", "2")
                .setConfigProp("num.replica.fetchers", "1")
                .setConfigProp("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))
                .build();
        try {
            formatQuietly(kit);
            kit.startup();
            kit.waitForReadyBrokers();
            return new InProcessKafka(kit);
        } catch (Exception | Error e) {
            try {
                kit.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Kafka's formatter prints its bootstrap records to {@code System.out}, between the demo's lines: not there. */
    private static void formatQuietly(KafkaClusterTestKit kit) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kit.format();
        } finally {
            System.setOut(stdout);
        }
    }

    /** @return {@code bootstrap.servers} for {@code SENTINEL_STORE_KAFKA_BOOTSTRAP} */
    String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Stops the brokers and the controller and deletes their data; a failure to stop cleanly is ignored. */
    @Override
    public void close() {
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the demo is ending; the JVM's exit ends what did not stop
        }
    }

    /** Kafka's server classes log under {@code kafka.*} and {@code org.apache.kafka.*}: warnings only. */
    private static void quietLogging() {
        for (String logger : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
            String property = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(property) == null) {
                System.setProperty(property, "warn");
            }
        }
    }
}
