package io.mqttsentinel.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.LogReader;
import io.mqttsentinel.api.LogRecord;
import io.mqttsentinel.api.MessageLog;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * Starts a broker on an ephemeral port over a {@link SegmentedFileLog} in a test directory, hands out
 * hivemq-mqtt-client devices, and closes everything it made.
 */
final class BrokerFixture implements AutoCloseable {
    final Path logDir;
    /** The meters of the broker started last (a restart gets a fresh registry, as a new process would). */
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private int started;
    SegmentedFileLog log;
    SentinelBroker broker;
    private final List<Mqtt3BlockingClient> clients = new ArrayList<>();
    private final List<SentinelBroker> crashed = new ArrayList<>();

    BrokerFixture(Path logDir) {
        this.logDir = logDir;
    }

    /** Opens the log and starts a broker configured by {@code customize}. */
    BrokerFixture start(UnaryOperator<SentinelBroker.Builder> customize) {
        return start(customize, null);
    }

    BrokerFixture start(UnaryOperator<SentinelBroker.Builder> customize, UnaryOperator<MessageLog> wrapLog) {
        if (started++ > 0) {
            meters = new SimpleMeterRegistry();
        }
        log = SegmentedFileLog.builder(logDir).fsyncPolicy(FsyncPolicy.OS).open();
        MessageLog used = wrapLog == null ? log : wrapLog.apply(log);
        broker = customize.apply(SentinelBroker.builder().port(0).messageLog(used).meterRegistry(meters)).build().start();
        return this;
    }

    /** Closes the broker and the log, as a process exit would, and starts both again on the same directory. */
    BrokerFixture restart(UnaryOperator<SentinelBroker.Builder> customize) {
        stop();
        return start(customize);
    }

    /**
     * Simulates a crash of the broker: the log is closed under it (as a dying process leaves it) without
     * the broker's last checkpoint, then a new broker starts on the same directory. The old broker is
     * closed only at the end of the test.
     */
    BrokerFixture crashAndRestart(UnaryOperator<SentinelBroker.Builder> customize) {
        for (Mqtt3BlockingClient c : clients) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException e) {
                // already gone
            }
        }
        clients.clear();
        crashed.add(broker);
        log.close();
        return start(customize);
    }

    int port() {
        return broker.port();
    }

    Mqtt3BlockingClient client(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port()).buildBlocking();
        clients.add(c);
        return c;
    }

    /** A connected clean-session client subscribed to {@code filter} with QoS 1, and its inbox. */
    Inbox subscriber(String clientId, String filter) {
        Mqtt3BlockingClient c = client(clientId);
        Mqtt3BlockingClient.Mqtt3Publishes publishes = c.publishes(MqttGlobalPublishFilter.ALL);
        c.connectWith().cleanSession(true).send();
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return new Inbox(c, publishes);
    }

    /** A connected clean-session client. */
    Mqtt3BlockingClient publisher(String clientId) {
        Mqtt3BlockingClient c = client(clientId);
        c.connectWith().cleanSession(true).send();
        return c;
    }

    static void publish(Mqtt3BlockingClient c, String topic, String payload, MqttQos qos) {
        c.publishWith().topic(topic).qos(qos).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /**
     * @return the records of {@code log} other than the broker's own state records ({@code $sentinel/...}:
     *         session state, retained state, recovery markers)
     */
    static List<LogRecord> messages(MessageLog log) throws InterruptedException {
        try (LogReader reader = log.openReader("test-" + System.nanoTime())) {
            return reader.poll(10_000, Duration.ZERO).stream().filter(r -> !r.topic().startsWith("$sentinel/")).toList();
        }
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private void stop() {
        for (Mqtt3BlockingClient c : clients) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException e) {
                // already gone
            }
        }
        clients.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (log != null) {
            log.close();
            log = null;
        }
    }

    @Override
    public void close() {
        stop();
        crashed.forEach(SentinelBroker::close);
    }

    /** The messages a client received, in order. */
    record Inbox(Mqtt3BlockingClient client, Mqtt3BlockingClient.Mqtt3Publishes publishes) {
        Mqtt3Publish next() {
            try {
                Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
                return p.orElseThrow(() -> new AssertionError("no message within 10 s"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        String nextText() {
            return new String(next().getPayloadAsBytes(), StandardCharsets.UTF_8);
        }
    }
}
