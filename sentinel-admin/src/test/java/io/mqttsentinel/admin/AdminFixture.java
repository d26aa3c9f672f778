package io.mqttsentinel.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.LogEntry;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.broker.QuarantineStore;
import io.mqttsentinel.broker.QuarantinedMessage;
import io.mqttsentinel.broker.SentinelBroker;
import io.mqttsentinel.store.FsyncPolicy;
import io.mqttsentinel.store.SegmentedFileLog;

/**
 * A broker on an ephemeral port with a quarantine store (payloads holding "QUARANTINE-ME" are quarantined), and the
 * admin API on an ephemeral port of a JDK server, both on 127.0.0.1; closes all it made.
 */
final class AdminFixture implements AutoCloseable {
    static final String TOKEN = "test-token-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Finding SIZE = new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE, "anomaly-size", "");
    private static final PayloadInspector INSPECTOR = (context, payload) -> {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return new String(b, StandardCharsets.ISO_8859_1).contains("QUARANTINE-ME") ? Verdict.of(List.of(SIZE)) : Verdict.allow();
    };

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RecentEvents events = new RecentEvents(100);
    final SegmentedFileLog log;
    final SegmentedFileLog quarantineLog;
    final QuarantineStore quarantine;
    final SentinelBroker broker;
    final HttpServer http;
    final int port;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<Mqtt3BlockingClient> clients = new ArrayList<>();

    AdminFixture(Path dir) {
        log = SegmentedFileLog.builder(dir.resolve("log")).fsyncPolicy(FsyncPolicy.OS).open();
        quarantineLog = SegmentedFileLog.builder(dir.resolve("quarantine")).fsyncPolicy(FsyncPolicy.OS).open();
        quarantine = QuarantineStore.builder(quarantineLog).open();
        broker = SentinelBroker.builder().port(0).messageLog(log).quarantine(quarantine).inspector(INSPECTOR)
                .eventSink(events).build().start();
        AdminApi api = AdminApi.builder(AdminConfig.builder().token(TOKEN).build()).broker(broker.admin()).events(events)
                .configuration(() -> List.of(new EffectiveSetting("SENTINEL_ADMIN_TOKEN", "****", "environment", true),
                        new EffectiveSetting("SENTINEL_BROKER_PORT", "0", "program", false)))
                .meterRegistry(meters).build();
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.setExecutor(Executors.newFixedThreadPool(2));
        api.register(http);
        http.start();
        port = http.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Quarantines a message without MQTT, as the broker would. */
    QuarantinedMessage quarantine(String clientId, String topic, byte[] payload) {
        return quarantine.add(new LogEntry(topic, payload, 1, clientId, System.currentTimeMillis()), List.of(SIZE))
                .toCompletableFuture().join();
    }

    Mqtt3BlockingClient connect(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        clients.add(c);
        c.connectWith().cleanSession(true).send();
        return c;
    }

    HttpResponse<String> request(String method, String path, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return request("GET", path, TOKEN);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        for (Mqtt3BlockingClient c : clients) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException e) {
                // already gone
            }
        }
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        broker.close();
        quarantine.close();
        quarantineLog.close();
        log.close();
    }
}
