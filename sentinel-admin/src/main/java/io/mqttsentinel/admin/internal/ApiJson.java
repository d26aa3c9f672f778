package io.mqttsentinel.admin.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.broker.QuarantinedMessage;
import io.mqttsentinel.broker.SessionInfo;
import io.mqttsentinel.inspect.SecurityEventJson;

/**
 * The JSON forms of the admin API: snake_case fields, instants as ISO-8601 UTC text, security events exactly as the
 * event sinks write them ({@link SecurityEventJson}).
 */
public final class ApiJson {
    /** The API's one mapper (thread-safe once configured). */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiJson() {
    }

    /** @return a new empty object */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * @param m a quarantined message
     * @return its JSON object, without payload
     */
    public static ObjectNode message(QuarantinedMessage m) {
        ObjectNode o = object();
        o.put("id", m.id());
        o.put("client_id", m.clientId());
        o.put("topic", m.topic());
        o.put("qos", m.qos());
        o.put("size", m.size());
        o.put("time", m.time().toString());
        o.put("state", m.state().label());
        ArrayNode reasons = o.putArray("reasons");
        for (Finding f : m.findings()) {
            ObjectNode r = reasons.addObject();
            r.put("category", f.category().label());
            r.put("rule_id", f.ruleId());
            r.put("severity", f.severity().label());
            r.put("action", f.action().name().toLowerCase(Locale.ROOT));
            r.put("excerpt", f.excerpt());
        }
        Instant released = m.releasedAt();
        if (released == null) {
            o.putNull("released_at");
        } else {
            o.put("released_at", released.toString());
        }
        o.put("released_by", m.releasedBy());
        return o;
    }

    /**
     * @param s a session
     * @return its JSON object
     */
    public static ObjectNode session(SessionInfo s) {
        ObjectNode o = object();
        o.put("client_id", s.clientId());
        o.put("connected", s.connected());
        o.put("persistent", s.persistent());
        o.put("remote_address", s.remoteAddress());
        ArrayNode subs = o.putArray("subscriptions");
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(s.subscriptions()).entrySet()) {
            subs.addObject().put("filter", e.getKey()).put("qos", e.getValue());
        }
        o.put("inflight", s.inflight());
        o.put("queued", s.queued());
        o.put("behind", s.behind());
        return o;
    }

    /**
     * @param e a security event
     * @return its JSON object, as the event sinks write it
     */
    public static JsonNode event(SecurityEvent e) {
        try {
            return MAPPER.readTree(SecurityEventJson.toJson(e));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param error   the short error code
     * @param message the message for the operator
     * @return the error's JSON object
     */
    public static ObjectNode error(String error, String message) {
        return object().put("error", error).put("message", message);
    }

    /**
     * @param node a JSON value
     * @return its UTF-8 bytes
     */
    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
