package io.mqttsentinel.events.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.mqttsentinel.store.kafka.KafkaTestCluster;

/**
 * One in-process three-broker Kafka cluster for every test class of this module in a run (starting one takes
 * seconds); each test uses topics of its own. A class declares {@code @ExtendWith(SharedKafka.class)} and
 * takes the cluster with {@link #get()}; JUnit closes it once, when the whole run ends (before the JVM exits,
 * so Kafka's shutdown never races the JVM's).
 */
final class SharedKafka implements BeforeAllCallback {
    private static volatile KafkaTestCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(SharedKafka.class, k -> new Holder(), Holder.class);
    }

    /** @return the cluster started for this run */
    static KafkaTestCluster get() {
        KafkaTestCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("declare @ExtendWith(SharedKafka.class) on the test class");
        }
        return c;
    }

    /** Closed by JUnit with the root context's store (an {@link AutoCloseable} value is closed at the end of the run). */
    private static final class Holder implements AutoCloseable {
        Holder() {
            try {
                cluster = new KafkaTestCluster();
            } catch (Exception e) {
                throw new IllegalStateException("the in-process Kafka cluster did not start", e);
            }
        }

        @Override
        public void close() {
            KafkaTestCluster c = cluster;
            cluster = null;
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("the in-process Kafka cluster did not close cleanly", e);
                }
            }
        }
    }
}
