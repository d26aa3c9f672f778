package io.mqttsentinel.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.testkit.events.SecurityEventSinkContract;
import org.junit.jupiter.api.AfterEach;

/** The publisher is a recorder; the stalled one never answers until the test ends. */
class MqttEventSinkContractTest extends SecurityEventSinkContract<MqttEventSink> {
    private final Map<MqttEventSink, List<byte[]>> published = new ConcurrentHashMap<>();
    private final List<CompletableFuture<Void>> stalled = new CopyOnWriteArrayList<>();
    private volatile boolean testOver;

    @Override
    protected MqttEventSink newSink() {
        List<byte[]> payloads = new CopyOnWriteArrayList<>();
        MqttEventSink sink = MqttEventSink.builder((topic, payload) -> {
            payloads.add(payload);
            return CompletableFuture.completedFuture(null);
        }).build();
        published.put(sink, payloads);
        return sink;
    }

    @Override
    protected MqttEventSink newStalledSink() {
        return MqttEventSink.builder((topic, payload) -> {
            if (testOver) {
                return CompletableFuture.failedFuture(new IllegalStateException("test over"));
            }
            CompletableFuture<Void> never = new CompletableFuture<>();
            stalled.add(never);
            return never;
        }).queueCapacity(100).maxInFlight(1).build();
    }

    @Override
    protected List<SecurityEvent> delivered(MqttEventSink sink) throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        for (byte[] p : published.get(sink)) {
            events.add(EventJsonReader.read(p));
        }
        return events;
    }

    /** Runs before the kit closes the sinks: a stalled broker gives up, so that close does not wait 10 s. */
    @AfterEach
    void brokerGivesUp() {
        testOver = true;
        stalled.forEach(f -> f.completeExceptionally(new IllegalStateException("test over")));
    }
}
