package io.mqttsentinel.bridge;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.mqttsentinel.api.Egress;
import io.mqttsentinel.api.EgressMessage;
import io.mqttsentinel.testkit.MosquittoProcess;
import io.mqttsentinel.testkit.egress.EgressContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real Mosquitto origin with a WebSocket listener; without the {@code mosquitto} binary the tests
 * are skipped with the reason (or fail, in CI) by {@link io.mqttsentinel.testkit.Services}.
 */
class WebSocketEgressContractTest extends EgressContract {
    private static final Backoff FAST = Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(300), 0.2);

    @TempDir
    Path dir;

    private final MqttTestClients clients = new MqttTestClients();
    private MosquittoProcess origin;

    @BeforeEach
    void startTheOrigin() throws Exception {
        origin = MosquittoProcess.start(Files.createDirectories(dir.resolve("origin")));
    }

    @AfterEach
    void stopTheOrigin() {
        clients.close();
        if (origin != null) {
            origin.close();
        }
    }

    @Override
    protected Egress newEgress() {
        return WebSocketEgress.builder(URI.create("ws://127.0.0.1:" + origin.webSocketPort() + "/mqtt"))
                .clientId("kit-" + UUID.randomUUID().toString().substring(0, 8)).backoff(FAST).build();
    }

    @Override
    protected BlockingQueue<EgressMessage> watchOrigin(String filter) throws Exception {
        BlockingQueue<EgressMessage> out = new LinkedBlockingQueue<>();
        BlockingQueue<com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish> in =
                clients.subscriber("watch-" + UUID.randomUUID().toString().substring(0, 8), origin.plainPort(), filter, false);
        Thread copier = new Thread(() -> {
            try {
                while (true) {
                    var p = in.take();
                    out.add(new EgressMessage(p.getTopic().toString(), p.getPayloadAsBytes(), p.getQos().getCode(), p.isRetain()));
                }
            } catch (InterruptedException e) {
                // test over
            }
        }, "kit-origin-watch");
        copier.setDaemon(true);
        copier.start();
        return out;
    }

    @Override
    protected String inboundTopic() {
        return "sentinel/alerts/dev-1";
    }

    @Override
    protected void sendFromOrigin(EgressMessage message) {
        Mqtt3BlockingClient customer = clients.device("kit-customer-" + UUID.randomUUID().toString().substring(0, 8),
                origin.plainPort());
        customer.publishWith().topic(message.topic()).qos(MqttQos.AT_LEAST_ONCE).payload(message.payload()).send();
    }

    @Override
    protected void stopOrigin() {
        origin.stop();
    }

    @Override
    protected void startOrigin() {
        origin.restart();
    }
}
