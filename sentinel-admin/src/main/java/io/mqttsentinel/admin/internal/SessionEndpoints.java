package io.mqttsentinel.admin.internal;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mqttsentinel.broker.BrokerAdmin;
import io.mqttsentinel.broker.SessionInfo;

/**
 * {@code /api/v1/sessions}: list (GET, by client id, paged with {@code after}), show (GET {@code /{clientId}}),
 * disconnect (DELETE {@code /{clientId}} or POST {@code /{clientId}/disconnect}). A client id with {@code /} in it is
 * sent as {@code %2F}.
 */
public final class SessionEndpoints {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final BrokerAdmin admin;

    /** @param admin the broker's admin hooks, or {@code null} when the process runs no broker */
    public SessionEndpoints(BrokerAdmin admin) {
        this.admin = admin;
    }

    /**
     * @param r a request whose first segment is {@code sessions}
     * @return the answer
     */
    public ApiResponse handle(ApiRequest r) {
        List<String> seg = r.segments();
        if (seg.size() > 3 || (seg.size() == 3 && !seg.get(2).equals("disconnect"))) {
            throw ApiException.notFound("no endpoint /sessions/" + String.join("/", seg.subList(1, seg.size()))
                    + " (sessions/{clientId}/disconnect)");
        }
        String method = r.method();
        if (seg.size() == 1) {
            QuarantineEndpoints.requireMethod(method, "GET");
            r.onlyParams(Set.of("limit", "after", "connected"));
            return list(broker(), r);
        }
        String clientId = seg.get(1);
        if (seg.size() == 2 && method.equals("GET")) {
            r.onlyParams(Set.of());
            SessionInfo s = broker().session(clientId).orElseThrow(() -> notFound(clientId));
            return ApiResponse.ok(ApiJson.session(s));
        }
        QuarantineEndpoints.requireMethod(method, seg.size() == 2 ? "GET, DELETE" : "POST");
        r.onlyParams(Set.of());
        BrokerAdmin b = broker();
        if (b.session(clientId).isEmpty()) {
            throw notFound(clientId);
        }
        if (!b.disconnect(clientId, r.actor())) {
            throw ApiException.conflict("client " + clientId + " is not connected to this node");
        }
        return ApiResponse.ok(ApiJson.object().put("client_id", clientId).put("disconnected", true));
    }

    private BrokerAdmin broker() {
        if (admin == null) {
            throw ApiException.notFound("this process runs no broker: sessions are served where the broker runs");
        }
        return admin;
    }

    private static ApiException notFound(String clientId) {
        return ApiException.notFound("no session of client " + clientId + " on this node");
    }

    private static ApiResponse list(BrokerAdmin admin, ApiRequest r) {
        int limit = r.intParam("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        boolean connectedOnly = r.boolParam("connected").orElse(false);
        List<SessionInfo> found = admin.sessions(r.param("after").orElse(null), limit + 1, connectedOnly);
        ObjectNode out = ApiJson.object();
        ArrayNode items = out.putArray("items");
        found.stream().limit(limit).forEach(s -> items.add(ApiJson.session(s)));
        if (found.size() > limit) {
            out.put("next_after", found.get(limit - 1).clientId());
        } else {
            out.putNull("next_after");
        }
        out.put("limit", limit);
        out.put("sessions", admin.sessionCount());
        return ApiResponse.ok(out);
    }
}
