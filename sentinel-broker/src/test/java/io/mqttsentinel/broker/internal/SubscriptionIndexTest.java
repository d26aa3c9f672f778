package io.mqttsentinel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.broker.BrokerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class SubscriptionIndexTest {
    private final BrokerContext context = new BrokerContext(BrokerConfig.ofDefaults(),
            new BrokerMetrics(new SimpleMeterRegistry()));
    private final SubscriptionIndex index = new SubscriptionIndex();

    private Session session(String id) {
        return new Session(id, false, context);
    }

    private Map<String, Integer> matches(String topic) {
        Map<String, Integer> out = new HashMap<>();
        index.forEachMatch(topic, (s, qos) -> out.put(s.clientId(), qos));
        return out;
    }

    @Test
    void exact_matchesOnlyItsTopic() {
        index.subscribe("clients/a/alerts", session("a"), 1);
        index.subscribe("clients/b/alerts", session("b"), 0);
        assertThat(matches("clients/a/alerts")).containsExactly(Map.entry("a", 1));
        assertThat(matches("clients/b/alerts")).containsExactly(Map.entry("b", 0));
        assertThat(matches("clients/c/alerts")).isEmpty();
        assertThat(index.exactTopics()).isEqualTo(2);
    }

    @Test
    void wildcards_followTheSpecification() {
        index.subscribe("a/+/c", session("plus"), 1);
        index.subscribe("a/#", session("hash"), 1);
        index.subscribe("#", session("all"), 0);
        index.subscribe("+/+", session("two"), 0);

        assertThat(matches("a/b/c")).containsOnlyKeys("plus", "hash", "all");
        assertThat(matches("a")).containsOnlyKeys("hash", "all"); // "a/#" matches the parent level
        assertThat(matches("a/b")).containsOnlyKeys("hash", "all", "two");
        assertThat(matches("a//c")).containsOnlyKeys("plus", "hash", "all"); // '+' matches an empty level
        assertThat(matches("$SYS/x")).isEmpty(); // wildcards at the first level never match '$' topics
        assertThat(matches("b/x/c")).containsOnlyKeys("all");
    }

    @Test
    void overlapping_deliversOncePerSessionWithHighestQos() {
        Session s = session("s");
        index.subscribe("a/b", s, 0);
        index.subscribe("a/+", s, 1);
        index.subscribe("a/#", s, 0);
        int[] calls = new int[1];
        index.forEachMatch("a/b", (session, qos) -> {
            calls[0]++;
            assertThat(qos).isEqualTo(1);
        });
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void resubscribe_replacesQos_unsubscribeRemovesAndPrunes() {
        Session s = session("s");
        index.subscribe("x/+", s, 0);
        index.subscribe("x/+", s, 1);
        assertThat(index.wildcardSubscriptions()).isEqualTo(1);
        assertThat(matches("x/y")).containsExactly(Map.entry("s", 1));

        index.unsubscribe("x/+", s);
        index.unsubscribe("x/+", s); // twice is harmless
        assertThat(matches("x/y")).isEmpty();
        assertThat(index.wildcardSubscriptions()).isZero();

        index.subscribe("e/1", s, 1);
        index.unsubscribe("e/1", s);
        assertThat(index.exactTopics()).isZero();
    }

    @Test
    void manyExactTopics_eachLookupFindsOnlyItsDevice() {
        for (int i = 0; i < 100_000; i++) {
            index.subscribe("clients/d" + i + "/alerts", session("d" + i), 1);
        }
        assertThat(index.exactTopics()).isEqualTo(100_000);
        assertThat(matches("clients/d77777/alerts")).containsExactly(Map.entry("d77777", 1));
    }
    @Test
    void concurrentChangesAndLookups_endConsistent() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        Session stable = session("stable");
        index.subscribe("stable/+", stable, 1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads + 1);
        java.util.concurrent.atomic.AtomicInteger missed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            java.util.concurrent.Future<?> reader = pool.submit(() -> {
                while (!done.get()) { // bounded by the writers below
                    int[] seen = new int[1];
                    index.forEachMatch("stable/x", (s, q) -> seen[0]++);
                    if (seen[0] != 1) {
                        missed.incrementAndGet();
                    }
                }
            });
            java.util.List<java.util.concurrent.Future<?>> writers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Session s = session("w" + id + "-" + i);
                        String exact = "clients/w" + id + "-" + i + "/alerts";
                        String wild = "w/" + id + "/+/" + (i % 7);
                        index.subscribe(exact, s, 1);
                        index.subscribe(wild, s, 0);
                        if (i % 2 == 0) {
                            index.unsubscribe(exact, s);
                            index.unsubscribe(wild, s);
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> w : writers) {
                w.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            done.set(true);
            reader.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(missed.get()).isZero();
        assertThat(index.exactTopics()).isEqualTo(threads * perThread / 2);
        assertThat(index.wildcardSubscriptions()).isEqualTo(1 + threads * perThread / 2);
        assertThat(matches("clients/w1-1/alerts")).containsOnlyKeys("w1-1");
        assertThat(matches("clients/w1-2/alerts")).isEmpty();
    }
}
