package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The customer's application behind the origin: subscribed to {@code sentinel/clients/+/telemetry} on the
 * origin's broker (where the bridge delivers), it books every fleet message it receives in the {@link Ledger} and
 * answers every {@value #ALERT_EVERY}th message of a device with an alert to {@code sentinel/alerts/{id}}, which
 * the bridge carries back to the core and the core fans out to that device's {@code clients/{id}/alerts}.
 *
 * <p>What reaches it from an attacker's client id is credited to that attacker as "got through" (for a flood
 * that is what fits the limits, for a high-entropy blob what was flagged and delivered by design, for anything
 * else a miss). A message on a fleet device's topic that is not the device's own telemetry is a spoof by the
 * topic prober.
 */
final class OriginApp implements AutoCloseable {
    /** A device gets an alert for every this many of its messages. */
    static final int ALERT_EVERY = 5;

    private final Mqtt3AsyncClient client;
    private final Ledger ledger;
    private final Map<String, Attacker> attackers;
    private final Attacker prober;
    private final LongAdder received = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private volatile boolean answering = true;

    private OriginApp(Mqtt3AsyncClient client, Ledger ledger, Map<String, Attacker> attackers, Attacker prober) {
        this.client = client;
        this.ledger = ledger;
        this.attackers = attackers;
        this.prober = prober;
    }

    /**
     * @param mqttPort  the origin broker's plain MQTT port on 127.0.0.1
     * @param ledger    the books
     * @param attackers the attackers by client id
     * @param prober    the topic prober, credited with spoofed fleet telemetry, or {@code null} when none runs
     * @return the application, connected and subscribed
     * @throws Exception when it cannot connect or subscribe within 10 s
     */
    static OriginApp start(int mqttPort, Ledger ledger, Map<String, Attacker> attackers, Attacker prober) throws Exception {
        Mqtt3AsyncClient c = Mqtt3Client.builder().identifier("origin-app").serverHost("127.0.0.1").serverPort(mqttPort)
                .buildAsync();
        OriginApp app = new OriginApp(c, ledger, attackers, prober);
        c.connect().get(10, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter("sentinel/clients/+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .callback(app::onTelemetry).send().get(10, TimeUnit.SECONDS);
        return app;
    }

    private void onTelemetry(Mqtt3Publish p) {
        received.increment();
        String topic = p.getTopic().toString(); // sentinel/clients/{id}/telemetry
        int from = "sentinel/clients/".length();
        int to = topic.indexOf('/', from);
        String id = to < 0 ? "" : topic.substring(from, to);
        int device = Fleet.index(id);
        if (device < 0) {
            Attacker a = attackers.get(id);
            if (a != null) {
                a.gotThrough();
            } else {
                unknown.increment();
            }
            return;
        }
        byte[] payload = p.getPayloadAsBytes();
        long seq = Messages.field(payload, "seq");
        long sentAt = Messages.field(payload, "t");
        if (seq <= 0 || seq > Integer.MAX_VALUE || sentAt < 0) {
            if (prober != null) {
                prober.gotThrough();
            } else {
                unknown.increment();
            }
            return;
        }
        ledger.delivered(device, (int) seq, sentAt);
        if (answering && seq % ALERT_EVERY == 0) {
            alert(device, id);
        }
    }

    private void alert(int device, String id) {
        int n = ledger.alertSent(device);
        client.publishWith().topic("sentinel/alerts/" + id).payload(Messages.alert(n, ledger.now()))
                .qos(MqttQos.AT_LEAST_ONCE).send()
                .whenComplete((p, error) -> {
                    if (error == null) {
                        ledger.alertAcked(device, n);
                    }
                });
    }

    /** Stops answering with alerts (the end of the run: what was sent is left to arrive). */
    void stopAnswering() {
        answering = false;
    }

    /** @return messages received on the telemetry topics, from anyone */
    long received() {
        return received.sum();
    }

    /** @return messages from client ids that are neither a device nor an attacker */
    long unknown() {
        return unknown.sum();
    }

    /** Disconnects. */
    @Override
    public void close() {
        if (client.getState().isConnectedOrReconnect()) {
            try {
                client.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the origin's broker closes it when it stops
            }
        }
    }
}
