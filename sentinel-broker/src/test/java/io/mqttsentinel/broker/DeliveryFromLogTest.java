package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.testkit.MqttPackets;


/**
 * Delivery reads the log: a subscriber that falls behind, or is away, never loses an acknowledged message
 * and never costs memory per message; a slow subscriber never slows the others.
 */
class DeliveryFromLogTest {
    private static final long MB = 1 << 20;

    @TempDir
    Path dir;
    BrokerFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void stuckSubscriber_besideANormalOne_theNormalOneGetsEveryMessage_heapStaysBounded() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        try (RawMqttClient stuck = RawMqttClient.connect(fx.port(), "stuck", true, null, null, 0);
             SeqSubscriber normal = SeqSubscriber.connect(fx.port(), "normal", true, "load/#")) {
            stuck.send(MqttPackets.subscribe(1, "load/#", 1));
            assertThat(stuck.read().type()).isEqualTo(9); // SUBACK; from now on the stuck client never reads
            long heapBefore = usedHeapAfterGc();

            int publishers = 4;
            int each = 25_000;
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            List<Future<SeqPublisher>> runs = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int from = p * each;
                runs.add(pool.submit(() -> new SeqPublisher().run(fx.port(), "pub-" + from, "load/" + from, from,
                        from + each, 200, 1000, 300)));
            }
            BitSet acked = new BitSet();
            for (Future<SeqPublisher> f : runs) {
                acked.or(f.get(310, TimeUnit.SECONDS).acked());
            }
            pool.shutdown();

            assertThat(acked.cardinality()).as("publishers were not stalled: every message acknowledged").isEqualTo(publishers * each);
            assertThat(normal.awaitDistinct(acked.cardinality(), 120, TimeUnit.SECONDS)).isEqualTo(acked.cardinality());
            BitSet missing = (BitSet) acked.clone();
            missing.andNot(normal.received());
            assertThat(missing.cardinality()).as("acknowledged but not delivered to the normal subscriber").isZero();
            assertThat(normal.outOfOrder()).isZero();

            long growth = usedHeapAfterGc() - heapBefore;
            System.out.printf(Locale.ROOT, "stuck subscriber: heap growth %.1f MB with the stuck session still connected; "
                    + "sessions behind %.0f%n", growth / (double) MB, gauge("mqtt_broker_sessions_behind"));
            assertThat(growth).as("heap growth while a subscriber is stuck").isLessThan(50 * MB);
            assertThat(gauge("mqtt_broker_sessions_behind")).isEqualTo(1);
            assertThat(fx.counter("mqtt_broker_queue_dropped_total", "qos", "1")).isZero();
        }
    }

    @Test
    void offlinePersistentSession_aMillionMessagesWhileAway_allArriveInOrder_withoutHeapPerMessage() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b);
        try (SeqSubscriber device = SeqSubscriber.connect(fx.port(), "away", false, "clients/away/alerts")) {
            device.disconnect();
        }
        long heapBefore = usedHeapAfterGc();
        int total = 1_000_000;
        Semaphore window = new Semaphore(20_000);
        List<CompletableFuture<Void>> last = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int seq = 0; seq < total; seq++) {
            window.acquire();
            CompletableFuture<Void> f = fx.broker.publish("clients/away/alerts", SeqSubscriber.payload(seq, 64), 1, false)
                    .toCompletableFuture().whenComplete((ok, err) -> window.release());
            if (seq >= total - 10) {
                last.add(f);
            }
        }
        window.acquire(20_000);
        CompletableFuture.allOf(last.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        double publishSeconds = (System.nanoTime() - t0) / 1e9;
        long growth = usedHeapAfterGc() - heapBefore;
        assertThat(growth).as("heap growth while the session is away with a million messages").isLessThan(50 * MB);

        long c0 = System.nanoTime();
        try (SeqSubscriber back = SeqSubscriber.connect(fx.port(), "away", false, null)) {
            assertThat(back.sessionPresent).isTrue();
            assertThat(back.awaitDistinct(total, 600, TimeUnit.SECONDS)).isEqualTo(total);
            double catchUpSeconds = (System.nanoTime() - c0) / 1e9;
            System.out.printf(Locale.ROOT, "offline session: %d messages published in %.1f s while away, heap growth "
                            + "%.1f MB; caught up in %.1f s (%.0f msg/s), %d duplicates%n", total, publishSeconds,
                    growth / (double) MB, catchUpSeconds, total / catchUpSeconds, back.duplicates());
            assertThat(back.outOfOrder()).isZero();
        }
        assertThat(fx.counter("mqtt_broker_queue_dropped_total", "qos", "1")).isZero();
    }

    @Test
    void reconnectWhileCatchingUp_resumesWhereItStopped_andLosesNothing() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.maxQueuedPerSession(50).maxInflightPerSession(8));
        try (SeqSubscriber device = SeqSubscriber.connect(fx.port(), "flaky", false, "clients/flaky/alerts")) {
            device.disconnect();
        }
        int total = 20_000;
        publishInJvm("clients/flaky/alerts", 0, total / 2);
        BitSet seen;
        try (SeqSubscriber first = SeqSubscriber.connect(fx.port(), "flaky", false, null)) {
            first.awaitDistinct(1000, 60, TimeUnit.SECONDS);
            first.disconnect(); // leaves in the middle of catching up
            seen = first.received();
            assertThat(first.outOfOrder()).isZero();
        }
        publishInJvm("clients/flaky/alerts", total / 2, total);
        try (SeqSubscriber again = SeqSubscriber.connect(fx.port(), "flaky", false, null)) {
            assertThat(again.sessionPresent).isTrue();
            assertThat(again.awaitTogether(seen, total, 120, TimeUnit.SECONDS))
                    .as("the two connections together received every message").isEqualTo(total);
            assertThat(again.outOfOrder()).isZero();
        }
        assertThat(fx.counter("mqtt_broker_queue_dropped_total", "qos", "1")).isZero();
    }

    @Test
    void slowSubscriberAcknowledgingOutOfOrder_fallsBehindAndCatchesUp_losingNothing() throws Exception {
        fx = new BrokerFixture(dir).start(b -> b.maxInflightByClient(java.util.Map.of("bridge-like", 200)).maxQueuedPerSession(100));
        java.util.concurrent.ScheduledExecutorService acker = Executors.newScheduledThreadPool(2);
        java.util.Random random = new java.util.Random(7);
        BitSet got = new BitSet();
        com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient sub = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
                .identifier("bridge-like").serverHost("127.0.0.1").serverPort(fx.port()).buildAsync();
        sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> {
            int seq = (int) java.nio.ByteBuffer.wrap(p.getPayloadAsBytes()).getLong();
            synchronized (got) {
                got.set(seq);
                got.notifyAll();
            }
            int delay;
            synchronized (random) {
                delay = random.nextInt(3);
            }
            acker.schedule(p::acknowledge, delay, TimeUnit.MILLISECONDS); // acknowledged late and out of order
        }, true);
        sub.connectWith().cleanSession(false).send().get(10, TimeUnit.SECONDS);
        sub.subscribeWith().topicFilter("devices/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send()
                .get(10, TimeUnit.SECONDS);
        int publishers = 4;
        int each = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        List<Future<SeqPublisher>> runs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int from = p * each;
            runs.add(pool.submit(() -> new SeqPublisher().run(fx.port(), "dev-" + from, "devices/" + from, from,
                    from + each, 100, 500, 300)));
        }
        BitSet acked = new BitSet();
        for (Future<SeqPublisher> f : runs) {
            acked.or(f.get(310, TimeUnit.SECONDS).acked());
        }
        pool.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        BitSet missing;
        synchronized (got) {
            while (true) {
                missing = (BitSet) acked.clone();
                missing.andNot(got);
                if (missing.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                got.wait(1000);
            }
        }
        acker.shutdownNow();
        sub.disconnect().get(10, TimeUnit.SECONDS);
        assertThat(acked.cardinality()).isEqualTo(publishers * each);
        assertThat(missing.stream().limit(20).boxed().toList()).as("acknowledged but never delivered").isEmpty();
        assertThat(fx.counter("mqtt_broker_catchup_delivered_total")).as("the subscriber fell behind").isPositive();
    }

    private void publishInJvm(String topic, int from, int to) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            all.add(fx.broker.publish(topic, SeqSubscriber.payload(seq, 32), 1, false).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    }

    private double gauge(String name) {
        var g = fx.meters.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
