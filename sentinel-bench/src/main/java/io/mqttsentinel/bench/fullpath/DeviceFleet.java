package io.mqttsentinel.bench.fullpath;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

/**
 * {@code N} devices: MQTT 3.1.1 over TLS (hivemq-mqtt-client), client id and user name {@code dev-i}, each
 * publishing QoS 1 telemetry to its own topic. {@link #publish} paces all of them together in an open loop.
 */
final class DeviceFleet implements AutoCloseable {
    private static final long CONNECT_TIMEOUT_SECONDS = 60;

    private final List<Mqtt3AsyncClient> clients;
    private final String[] topics;

    private DeviceFleet(List<Mqtt3AsyncClient> clients, String[] topics) {
        this.clients = clients;
        this.topics = topics;
    }

    /** @return device {@code i}'s client id and user name */
    static String id(int i) {
        return "dev-" + i;
    }

    /** @return device {@code i}'s password */
    static String password(int i) {
        return "pw-" + i + "-fullpath";
    }

    /**
     * Connects the devices, {@code connectsPerSecond} at a time (the proxy's connection-rate defenses judge a
     * source's CONNECTs per second, and a fleet does not reconnect all at once).
     *
     * @param port              the TLS port on 127.0.0.1
     * @param trust             trusts the server's certificate
     * @param devices           how many
     * @param topicPrefix       {@code clients/} (through Sentinel) or the origin's {@code sentinel/clients/}
     * @param connectsPerSecond the connection pace
     * @return the connected fleet
     * @throws Exception when a device is refused or does not connect within a minute
     */
    static DeviceFleet connect(int port, TrustManagerFactory trust, int devices, String topicPrefix, int connectsPerSecond)
            throws Exception {
        List<Mqtt3AsyncClient> clients = new ArrayList<>(devices);
        String[] topics = new String[devices];
        DeviceFleet fleet = new DeviceFleet(clients, topics);
        try {
            List<CompletableFuture<?>> pending = new ArrayList<>(devices);
            long begin = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) / connectsPerSecond;
            for (int i = 0; i < devices; i++) {
                LockSupport.parkNanos(begin + i * interval - System.nanoTime());
                Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(id(i))
                        .serverHost("127.0.0.1").serverPort(port)
                        .sslConfig().trustManagerFactory(trust).applySslConfig()
                        .buildAsync();
                clients.add(c);
                topics[i] = topicPrefix + id(i) + "/telemetry";
                pending.add(c.connectWith().cleanSession(true).keepAlive(60)
                        .simpleAuth().username(id(i)).password(password(i).getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                        .send());
            }
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return fleet;
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    /**
     * Open loop: message {@code k} (device {@code k % N}, that device's sequence number {@code k / N}) is due at a
     * fixed time and carries that due time; a late start is not made up by waiting less later, it shows as latency.
     * During the warm-up the rate grows linearly from a tenth of {@code rate} to {@code rate} (a cold JVM compiles
     * the whole path meanwhile: at the full rate from the first second it builds a backlog that later seconds drain
     * and that says nothing of the sustained rate); the measured seconds run at {@code rate}. Returns when every
     * message was handed to its client; PUBACKs arrive later, in the tracker.
     *
     * @return messages sent
     */
    long publish(DeliveryTracker tracker, int rate, int warmupSeconds, int seconds) {
        int n = clients.size();
        long warmupNanos = TimeUnit.SECONDS.toNanos(warmupSeconds);
        long endNanos = warmupNanos + TimeUnit.SECONDS.toNanos(seconds);
        long begin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        tracker.measureWindow(TelemetryPayload.micros(begin + warmupNanos), TelemetryPayload.micros(begin + endNanos));
        long k = 0;
        for (double at = 0; at < endNanos; at += 1e9 / rateAt(rate, at, warmupNanos), k++) {
            long due = begin + (long) at;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int device = (int) (k % n);
            long seq = k / n;
            long dueMicros = TelemetryPayload.micros(due);
            byte[] payload = new TelemetryPayload(tracker.run(), device, seq, dueMicros).encode();
            tracker.sent();
            clients.get(device).publishWith().topic(topics[device]).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                    .whenComplete((ack, error) -> {
                        if (error == null) {
                            tracker.acked(device, seq, dueMicros);
                        } else {
                            tracker.ackFailed(error);
                        }
                    });
        }
        return k;
    }

    /** @return the offered rate {@code atNanos} into the run: a linear ramp over the warm-up, then {@code rate} */
    static double rateAt(int rate, double atNanos, long warmupNanos) {
        return atNanos >= warmupNanos ? rate : rate * (0.1 + 0.9 * atNanos / warmupNanos);
    }

    /** @return devices still connected */
    long connected() {
        return clients.stream().filter(c -> c.getState().isConnected()).count();
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> gone = new ArrayList<>();
        for (Mqtt3AsyncClient c : clients) {
            if (c.getState().isConnected()) {
                gone.add(c.disconnect().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(gone.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: the JVM or the broker drops what is left
        }
    }
}
