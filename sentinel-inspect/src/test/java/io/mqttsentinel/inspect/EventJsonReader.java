package io.mqttsentinel.inspect;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;

/** Reads back what the sinks write, so that their contract tests compare events, not text. */
final class EventJsonReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJsonReader() {
    }

    static SecurityEvent read(byte[] json) throws IOException {
        return event(JSON.readTree(json));
    }

    /** @return the events of a JSON array, in its order (the body of an {@link HttpEventSink} request) */
    static List<SecurityEvent> readArray(byte[] json) throws IOException {
        JsonNode array = JSON.readTree(json);
        if (!array.isArray()) {
            throw new IOException("not a JSON array: " + array.getNodeType());
        }
        List<SecurityEvent> events = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            events.add(event(n));
        }
        return events;
    }

    private static SecurityEvent event(JsonNode n) {
        return new SecurityEvent(Instant.parse(n.get("time").asText()), n.get("layer").asText(),
                n.get("client_id").asText(), n.get("topic").asText(), n.get("category").asText(),
                n.get("rule_id").asText(), Severity.valueOf(n.get("severity").asText().toUpperCase(Locale.ROOT)),
                Action.valueOf(n.get("action").asText().toUpperCase(Locale.ROOT)), n.get("excerpt").asText());
    }
}
