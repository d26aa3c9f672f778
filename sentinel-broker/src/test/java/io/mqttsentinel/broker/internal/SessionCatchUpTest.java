package io.mqttsentinel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.LogPosition;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.broker.BrokerConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * A catch-up reader runs ahead of the router: it reads records of a partition that were not routed to the
 * session yet, and skips them. When the router then adds them to the backlog (the session is still behind on
 * another partition), they lie behind the reader's position: the reader must go back for them, not consume the
 * backlog from where it stands.
 */
class SessionCatchUpTest {
    private static final String TOPIC = "clients/d1/telemetry";

    @Test
    void backlogThatGrowsBehindTheReadersPosition_isReadAgain_notSkipped() {
        Session s = bridgeSession();
        Object owner = new Object();
        EmbeddedChannel ch = new EmbeddedChannel();
        s.claim(owner);
        // offline: partitions 0 and 1 fall behind
        route(s, 0, 100, 120);
        route(s, 1, 200, 210);
        s.attach(owner, ch);

        Session.Plan plan = s.planCatchUp();
        assertThat(plan.starts()).containsEntry(0, 100L).containsEntry(1, 200L);
        // the reader returns partition 0 up to 150: 121..150 are in the log but not routed to the session yet
        assertThat(s.offer(plan, records(0, 100, 150))).isEqualTo(Session.Offered.MORE);
        // the router catches up with them while the session is still behind on partition 1: backlog again
        route(s, 0, 121, 160);
        // the reader goes on where it stands (151..160), then partition 1
        Session.Offered next = s.offer(plan, records(0, 151, 160));
        assertThat(next).as("the backlog starts behind the reader: plan again").isEqualTo(Session.Offered.REPLAN);

        Session.Plan again = s.planCatchUp();
        assertThat(again.starts()).containsEntry(0, 121L);
        assertThat(s.offer(again, records(0, 121, 160))).isEqualTo(Session.Offered.MORE);
        assertThat(s.offer(again, records(1, 200, 210))).isEqualTo(Session.Offered.LIVE);

        List<Long> sent = sentOffsets(ch);
        List<Long> expected = new ArrayList<>();
        for (long o = 100; o <= 160; o++) {
            expected.add(o);
        }
        for (long o = 200; o <= 210; o++) {
            expected.add(o);
        }
        assertThat(sent).as("every routed record reaches the session once, in order per partition")
                .containsExactlyElementsOf(expected);
        ch.finishAndReleaseAll();
    }

    @Test
    void aPartitionThatFallsBehindAfterThePlan_makesTheReaderPlanAgain() {
        Session s = bridgeSession();
        Object owner = new Object();
        EmbeddedChannel ch = new EmbeddedChannel();
        s.claim(owner);
        route(s, 0, 100, 110);
        s.attach(owner, ch);
        Session.Plan plan = s.planCatchUp();
        route(s, 1, 5, 6); // while behind: partition 1 joins the backlog, which the reader was not assigned
        assertThat(s.offer(plan, records(0, 100, 105))).isEqualTo(Session.Offered.REPLAN);
        ch.finishAndReleaseAll();
    }

    /** A persistent session with room for everything, subscribed to every device's telemetry. */
    private static Session bridgeSession() {
        BrokerConfig config = BrokerConfig.builder().maxQueuedPerSession(10_000).maxInflightPerSession(10_000).build();
        Session s = new Session("bridge", true, new BrokerContext(config, new BrokerMetrics(new SimpleMeterRegistry())));
        s.subscriptions().put("clients/+/telemetry", 1);
        return s;
    }

    private static void route(Session s, int partition, long from, long to) {
        for (long o = from; o <= to; o++) {
            s.deliver(new BrokerMessage(TOPIC, payload(partition, o), 1, new LogPosition(partition, o), 1), 1, false, true);
        }
    }

    private static List<LogRecord> records(int partition, long from, long to) {
        List<LogRecord> out = new ArrayList<>();
        for (long o = from; o <= to; o++) {
            out.add(new LogRecord(new LogPosition(partition, o), new LogEntry(TOPIC, payload(partition, o), 1, "d1", 0)));
        }
        return out;
    }

    private static byte[] payload(int partition, long offset) {
        return (partition + ":" + offset).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> sentOffsets(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<Long> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            MqttPublishMessage m = (MqttPublishMessage) o;
            String text = m.payload().toString(StandardCharsets.UTF_8);
            out.add(Long.parseLong(text.substring(text.indexOf(':') + 1)));
            m.release();
        }
        return out;
    }
}
