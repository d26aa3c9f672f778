package io.mqttsentinel.broker;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.mqttsentinel.store.kafka.KafkaTestCluster;

/**
 * One in-process three-broker Kafka cluster for every broker test class of a run (starting one takes
 * seconds); each test uses topics of its own. A class declares {@code @ExtendWith(SharedKafka.class)} and
 * takes the cluster with {@link #get()}; JUnit closes it once, when the whole run ends (before the JVM exits,
 * so Kafka's shutdown never races the JVM's).
 */
final class SharedKafka implements BeforeAllCallback {
    private static volatile KafkaTestCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedKafka.class, k -> new Holder(), Holder.class);
    }

    /** @return the cluster started for this run */
    static KafkaTestCluster get() {
        KafkaTestCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("declare @ExtendWith(SharedKafka.class) on the test class");
        }
        return c;
    }

    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        Holder() {
            try {
                cluster = new KafkaTestCluster();
            } catch (Exception e) {
                throw new IllegalStateException("the in-process Kafka cluster did not start", e);
            }
        }

        @Override
        public void close() throws Exception {
            KafkaTestCluster c = cluster;
            cluster = null;
            if (c != null) {
                c.close();
            }
        }
    }
}
