package io.mqttsentinel.admin.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mqttsentinel.broker.BrokerAdmin;
import io.mqttsentinel.broker.QuarantinePage;
import io.mqttsentinel.broker.QuarantineQuery;
import io.mqttsentinel.broker.QuarantineStore;
import io.mqttsentinel.broker.QuarantinedMessage;

/**
 * {@code /api/v1/quarantine}: list (GET, filters and pages), show (GET {@code /{id}}, payload as text or base64), the
 * raw payload (GET {@code /{id}/payload}), release (POST {@code /{id}/release}) and delete (DELETE {@code /{id}} or
 * POST {@code /{id}/delete}).
 */
public final class QuarantineEndpoints {
    private static final Set<String> LIST_PARAMS = Set.of("limit", "cursor", "client", "topic", "reason", "since", "until",
            "state");

    private final BrokerAdmin admin;

    /** @param admin the broker's admin hooks, or {@code null} when the process runs no broker */
    public QuarantineEndpoints(BrokerAdmin admin) {
        this.admin = admin;
    }

    /**
     * @param r a request whose first segment is {@code quarantine}
     * @return the answer
     */
    public ApiResponse handle(ApiRequest r) {
        List<String> seg = r.segments();
        if (seg.size() > 3) {
            throw ApiException.notFound("no endpoint /quarantine/" + String.join("/", seg.subList(1, seg.size())));
        }
        if (seg.size() == 3 && !Set.of("payload", "release", "delete").contains(seg.get(2))) {
            throw ApiException.notFound("no endpoint /quarantine/{id}/" + seg.get(2) + " (payload, release, delete)");
        }
        String method = r.method();
        if (seg.size() == 1) {
            requireMethod(method, "GET");
            r.onlyParams(LIST_PARAMS);
            return list(store(), r);
        }
        String id = seg.get(1);
        if (seg.size() == 2) {
            if (method.equals("GET")) {
                r.onlyParams(Set.of("format"));
                return show(store(), checkId(id), r);
            }
            requireMethod(method, "GET, DELETE");
            r.onlyParams(Set.of());
            return delete(checkId(id), r);
        }
        switch (seg.get(2)) {
            case "payload" -> {
                requireMethod(method, "GET");
                r.onlyParams(Set.of());
                byte[] payload = store().payload(checkId(id)).orElseThrow(() -> notFound(id));
                return new ApiResponse(200, "application/octet-stream", payload);
            }
            case "release" -> {
                requireMethod(method, "POST");
                r.onlyParams(Set.of());
                checkId(id);
                store();
                return ApiResponse.ok(ApiJson.message(ApiResponse.await(admin.release(id, r.actor()))));
            }
            default -> {
                requireMethod(method, "POST");
                r.onlyParams(Set.of());
                return delete(checkId(id), r);
            }
        }
    }

    static void requireMethod(String method, String allow) {
        for (String m : allow.split(", ")) {
            if (m.equals(method)) {
                return;
            }
        }
        throw ApiException.methodNotAllowed(allow, method + " is not allowed here; allowed: " + allow);
    }

    private QuarantineStore store() {
        if (admin == null) {
            throw ApiException.notFound("this process runs no broker: the quarantine is served where the broker runs");
        }
        return admin.quarantine().orElseThrow(() -> ApiException.notFound("this broker keeps no quarantine store"));
    }

    private static String checkId(String id) {
        if (QuarantineStore.parseId(id).isEmpty()) {
            throw ApiException.badRequest("id must be <partition>-<offset> as listed (e.g. 0-17), was '" + id + "'");
        }
        return id;
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no quarantined message " + id);
    }

    private static ApiResponse list(QuarantineStore store, ApiRequest r) {
        QuarantineQuery query;
        try {
            QuarantineQuery.Builder b = QuarantineQuery.builder()
                    .limit(r.intParam("limit", QuarantineQuery.DEFAULT_LIMIT, 1, QuarantineQuery.MAX_LIMIT));
            r.param("cursor").ifPresent(b::cursor);
            r.param("client").ifPresent(b::clientId);
            r.param("topic").ifPresent(b::topicFilter);
            r.param("reason").ifPresent(b::reason);
            r.instantParam("since").ifPresent(b::since);
            r.instantParam("until").ifPresent(b::until);
            r.param("state").map(QuarantineEndpoints::state).ifPresent(b::state);
            query = b.build();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        QuarantinePage page = store.list(query);
        ObjectNode out = ApiJson.object();
        ArrayNode items = out.putArray("items");
        page.items().forEach(m -> items.add(ApiJson.message(m)));
        if (page.nextCursor() == null) {
            out.putNull("next_cursor");
        } else {
            out.put("next_cursor", page.nextCursor());
        }
        out.put("limit", query.limit());
        out.put("held", store.size());
        return ApiResponse.ok(out);
    }

    private static QuarantinedMessage.State state(String v) {
        for (QuarantinedMessage.State s : QuarantinedMessage.State.values()) {
            if (s.label().equals(v.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("state must be quarantined or released, was '" + v + "'");
    }

    private static ApiResponse show(QuarantineStore store, String id, ApiRequest r) {
        String format = r.param("format").orElse("auto");
        if (!format.equals("auto") && !format.equals("base64")) {
            throw ApiException.badRequest("format must be auto (text when the payload is UTF-8, else base64) or base64, "
                    + "was '" + format + "'");
        }
        QuarantinedMessage m = store.find(id).orElseThrow(() -> notFound(id));
        byte[] payload = store.payload(id).orElseThrow(() -> notFound(id));
        ObjectNode out = ApiJson.message(m);
        Optional<String> text = format.equals("auto") ? utf8(payload) : Optional.empty();
        out.put("payload_encoding", text.isPresent() ? "utf-8" : "base64");
        out.put("payload", text.orElseGet(() -> Base64.getEncoder().encodeToString(payload)));
        return ApiResponse.ok(out);
    }

    private static Optional<String> utf8(byte[] payload) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private ApiResponse delete(String id, ApiRequest r) {
        store();
        if (!ApiResponse.await(admin.delete(id, r.actor()))) {
            throw notFound(id);
        }
        return ApiResponse.ok(ApiJson.object().put("id", id).put("deleted", true));
    }
}
