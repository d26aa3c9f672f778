package io.mqttsentinel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.inspect.InspectorConfig;
import io.mqttsentinel.inspect.Inspectors;
import io.mqttsentinel.testkit.MqttPackets;
import io.mqttsentinel.testkit.MutableClock;

/**
 * The broker's message-rate anomaly follows the seed's rejection rule: a rate-limited QoS 1 PUBLISH gets no
 * PUBACK (the connection stays open, the client sends it again), QoS 0 is dropped, the anomaly is reported
 * and counted; nothing that was acknowledged is discarded.
 */
class RateLimitTest {
    @TempDir
    Path dir;
    BrokerFixture fx;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void qos1OverTheMessageRate_getsNoPuback_isSentAgainLater_andEverythingAcknowledgedIsDelivered() throws Exception {
        fx = new BrokerFixture(dir);
        fx.start(b -> b.clock(clock).eventSink(events::add)
                .inspector(Inspectors.standard(InspectorConfig.builder().rateLimit(10).build(), fx.meters, clock.ticker())));
        try (SeqSubscriber sub = SeqSubscriber.connect(fx.port(), "watcher", true, "devices/fast");
             RawMqttClient fast = RawMqttClient.connect(fx.port(), "fast", true, null, null, 0)) {
            for (int id = 1; id <= 30; id++) {
                fast.send(MqttPackets.publish("devices/fast", SeqSubscriber.payload(id, 16), 1, id));
            }
            Set<Integer> acked = readPubacks(fast, sub, 30);
            assertThat(acked).as("only what the rate admits is acknowledged").hasSizeBetween(1, 20);
            assertThat(sub.awaitDistinct(acked.size(), 10, TimeUnit.SECONDS)).isEqualTo(acked.size());

            // a second later the client sends the unacknowledged ones again (DUP), on the same connection
            clock.advance(Duration.ofSeconds(1));
            List<Integer> again = new ArrayList<>();
            for (int id = 1; id <= 30; id++) {
                if (!acked.contains(id)) {
                    again.add(id);
                    fast.send(dup(MqttPackets.publish("devices/fast", SeqSubscriber.payload(id, 16), 1, id)));
                }
                if (again.size() == 5) {
                    break;
                }
            }
            Set<Integer> later = readPubacks(fast, sub, 35);
            assertThat(later).containsExactlyInAnyOrderElementsOf(again);
            acked.addAll(later);

            assertThat(sub.awaitDistinct(acked.size(), 10, TimeUnit.SECONDS)).isEqualTo(acked.size());
            assertThat(sub.received().stream().boxed().toList()).as("delivered exactly what was acknowledged")
                    .containsExactlyInAnyOrderElementsOf(acked);
            assertThat(fast.closedByPeer()).as("the connection stays open").isFalse();
        }
        assertThat(fx.counter("mqtt_broker_messages_refused_total", "reason", "rate_limited")).isPositive();
        assertThat(events).extracting(SecurityEvent::category).containsOnly("rate");
    }

    @Test
    void qos0OverTheMessageRate_isDropped() throws Exception {
        fx = new BrokerFixture(dir);
        fx.start(b -> b.clock(clock)
                .inspector(Inspectors.standard(InspectorConfig.builder().rateLimit(10).build(), fx.meters, clock.ticker())));
        try (SeqSubscriber sub = SeqSubscriber.connect(fx.port(), "watcher", true, "devices/fast");
             RawMqttClient fast = RawMqttClient.connect(fx.port(), "fast", true, null, null, 0)) {
            for (int id = 1; id <= 30; id++) {
                fast.send(MqttPackets.publish("devices/fast", SeqSubscriber.payload(id, 16), 0, 0));
            }
            fast.send(MqttPackets.pingreq()); // answered once the publishes were handled
            assertThat(fast.read().type()).isEqualTo(13);
            long delivered = sub.awaitDistinct(30, 2, TimeUnit.SECONDS);
            assertThat(delivered).isBetween(1L, 20L);
            assertThat(fx.counter("mqtt_broker_messages_refused_total", "reason", "rate_limited")).isEqualTo(30 - delivered);
        }
    }

    /**
     * Waits until the broker decided on all {@code decided} publishes so far (stored or rate limited), reads
     * one PUBACK per stored message, then checks that nothing else is acknowledged: the answer to a PINGREQ
     * sent after them comes next.
     */
    private Set<Integer> readPubacks(RawMqttClient client, SeqSubscriber sub, int decided) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double stored = 0;
        while (System.nanoTime() < deadline) {
            stored = fx.counter("mqtt_broker_messages_stored_total");
            double refused = fx.counter("mqtt_broker_messages_refused_total", "reason", "rate_limited");
            if (stored + refused >= decided) {
                break;
            }
            sub.awaitDistinct((long) stored + 1, 50, TimeUnit.MILLISECONDS); // a bounded wait for the broker
        }
        int expected = (int) stored - ackedSoFar;
        Set<Integer> acked = new HashSet<>();
        while (acked.size() < expected) {
            RawMqttClient.Packet p = client.read();
            assertThat(p.type()).as("only PUBACKs").isEqualTo(4);
            acked.add(((p.body()[0] & 0xFF) << 8) | (p.body()[1] & 0xFF));
        }
        ackedSoFar += expected;
        client.send(MqttPackets.pingreq());
        assertThat(client.read().type()).as("nothing acknowledged beyond what was stored: PINGRESP comes next").isEqualTo(13);
        return acked;
    }

    private int ackedSoFar;

    private static byte[] dup(byte[] publish) {
        publish[0] |= 0x08;
        return publish;
    }
}
