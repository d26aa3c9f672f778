package io.mqttsentinel.inspect.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mqttsentinel.api.SecurityEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** The JSON form of a {@link SecurityEvent}: one object, snake_case fields, every string escaped by Jackson. */
public final class EventJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {
    }

    /**
     * @param event the event
     * @param out   where the object is written (not closed, not followed by a newline)
     * @throws IOException when {@code out} fails
     */
    public static void write(SecurityEvent event, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("time", event.time().toString());
            g.writeStringField("layer", event.layer());
            g.writeStringField("client_id", event.clientId());
            g.writeStringField("topic", event.topic());
            g.writeStringField("category", event.category());
            g.writeStringField("rule_id", event.ruleId());
            g.writeStringField("severity", event.severity().label());
            g.writeStringField("action", event.action().name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("excerpt", event.excerpt());
            g.writeEndObject();
        }
    }

    /**
     * @param event the event
     * @return its JSON bytes
     */
    public static byte[] bytes(SecurityEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            write(event, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
