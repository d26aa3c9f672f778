package io.mqttsentinel.store.kafka;

import java.util.concurrent.TimeUnit;

/**
 * Runs the in-process 3-broker test cluster on its own, for the Kafka log benchmark in sentinel-bench:
 * prints {@code bootstrap.servers=...}, then stops after the given number of minutes (default 10) or
 * when standard input closes, whichever comes first.
 */
public final class InProcessKafkaClusterMain {
    private InProcessKafkaClusterMain() {
    }

    /**
     * @param args the most minutes to run
     * @throws Exception when the cluster fails
     */
    public static void main(String[] args) throws Exception {
        long minutes = args.length > 0 ? Long.parseLong(args[0]) : 10;
        KafkaTestCluster cluster = new KafkaTestCluster();
        try {
            System.out.println("bootstrap.servers=" + cluster.bootstrapServers());
            System.out.flush();
            Thread stdin = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for end of input
                    }
                } catch (java.io.IOException ignored) {
                    // treated as end of input
                }
            });
            stdin.setDaemon(true);
            stdin.start();
            stdin.join(TimeUnit.MINUTES.toMillis(minutes));
        } finally {
            cluster.close();
        }
    }
}
