package io.mqttsentinel.bench.broker;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.broker.BrokerConfig;
import io.mqttsentinel.broker.internal.BrokerContext;
import io.mqttsentinel.broker.internal.BrokerMetrics;
import io.mqttsentinel.broker.internal.Session;
import io.mqttsentinel.broker.internal.SubscriptionIndex;

/**
 * Cost of finding the subscribers of one per-device topic among {@code devices} exact subscriptions,
 * with and without a few wildcard subscriptions present (which add a trie walk).
 *
 * <pre>java -jar sentinel-bench/target/benchmarks.jar SubscriptionIndexBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SubscriptionIndexBenchmark {
    @Param({"10000", "1000000"})
    int devices;

    @Param({"false", "true"})
    boolean wildcards;

    SubscriptionIndex index;
    String[] topics;
    int next;

    @Setup
    public void setUp() {
        BrokerContext context = new BrokerContext(BrokerConfig.ofDefaults(), new BrokerMetrics(new SimpleMeterRegistry()));
        index = new SubscriptionIndex();
        topics = new String[devices];
        for (int i = 0; i < devices; i++) {
            topics[i] = "clients/dev-" + i + "/alerts";
            index.subscribe(topics[i], new Session("dev-" + i, false, context), 1);
        }
        if (wildcards) {
            index.subscribe("ops/#", new Session("ops", false, context), 0);
            index.subscribe("clients/+/status", new Session("status", false, context), 0);
            index.subscribe("$SYS/#", new Session("sys", false, context), 0);
        }
    }

    @Benchmark
    public void lookup(Blackhole bh) {
        String topic = topics[next];
        next = next + 1 == topics.length ? 0 : next + 1;
        index.forEachMatch(topic, (session, qos) -> bh.consume(session));
    }
}
