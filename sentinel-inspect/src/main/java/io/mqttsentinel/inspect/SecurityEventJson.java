package io.mqttsentinel.inspect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mqttsentinel.api.SecurityEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The one JSON form of a {@link SecurityEvent}, shared by every sink that writes JSON
 * ({@link JsonLinesEventSink}, {@link HttpEventSink}, {@link MqttEventSink}, the Kafka sink of
 * {@code sentinel-events-kafka}), so that a SIEM parses the same object whatever carried it.
 *
 * <p>One object with snake_case fields, all strings, in this order: {@code time} (ISO-8601 instant, UTC,
 * nanoseconds kept), {@code layer}, {@code client_id}, {@code topic}, {@code category}, {@code rule_id},
 * {@code severity} (the severity's {@linkplain io.mqttsentinel.api.Severity#label() label}), {@code action}
 * (the action's name, lower case) and {@code excerpt}. Every string is escaped by Jackson, so control
 * characters, quotes and non-ASCII text in an attacker's excerpt cannot break the object; the encoding is
 * UTF-8. No newline follows the object: a sink that frames events (JSON lines, a JSON array) adds its own.
 */
public final class SecurityEventJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SecurityEventJson() {
    }

    /**
     * Writes the JSON object of an event.
     *
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
            g.writeStringField("action", event.action().name().toLowerCase(Locale.ROOT));
            g.writeStringField("excerpt", event.excerpt());
            g.writeEndObject();
        }
    }

    /**
     * Returns the JSON object of an event as UTF-8 bytes.
     *
     * @param event the event
     * @return its JSON bytes, one object without a trailing newline
     */
    public static byte[] toJson(SecurityEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            write(event, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
