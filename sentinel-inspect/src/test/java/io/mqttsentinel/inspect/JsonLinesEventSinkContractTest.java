package io.mqttsentinel.inspect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.testkit.events.SecurityEventSinkContract;
import org.junit.jupiter.api.io.TempDir;

/** No stalled destination: a local file does not hang. */
class JsonLinesEventSinkContractTest extends SecurityEventSinkContract<JsonLinesEventSink> {
    @TempDir
    Path dir;

    @Override
    protected JsonLinesEventSink newSink() {
        return JsonLinesEventSink.builder(dir.resolve("events-" + System.nanoTime() + ".jsonl")).build();
    }

    @Override
    protected List<SecurityEvent> delivered(JsonLinesEventSink sink) throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(sink.file(), StandardCharsets.UTF_8)) {
            events.add(EventJsonReader.read(line.getBytes(StandardCharsets.UTF_8)));
        }
        return events;
    }
}
