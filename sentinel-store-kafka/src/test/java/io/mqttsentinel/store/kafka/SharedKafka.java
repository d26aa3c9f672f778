package io.mqttsentinel.store.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process three-broker Kafka cluster for every test class of a module's run (starting one takes
 * seconds; the broker's and the Kafka event sink's tests get this class from this module's test-jar); each test
 * uses topics of its own. A class declares {@code @ExtendWith(SharedKafka.class)} and
 * takes the cluster with {@link #get()}; JUnit closes it once, when the whole run ends (before the JVM exits,
 * so Kafka's shutdown never races the JVM's).
 */
public final class SharedKafka implements BeforeAllCallback {
    private static volatile KafkaTestCluster cluster;

    /** Starts the run's cluster on first use. */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(SharedKafka.class, k -> new Holder(), Holder.class);
    }

    /** @return the cluster started for this run */
    public static KafkaTestCluster get() {
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
