package io.mqttsentinel.admin.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.admin.EffectiveSetting;
import io.mqttsentinel.admin.RecentEvents;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.broker.BrokerAdmin;

/**
 * The admin API's one handler: checks the bearer token (in constant time; a missing or wrong one is answered 401 and
 * counted), parses the request, routes it by its first segment, and writes the JSON answer. Errors are JSON too:
 * {@code {"error": "...", "message": "..."}}, never a stack trace.
 */
public final class AdminHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final Set<String> METHODS = Set.of("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS");
    private static final List<String> ENDPOINTS = List.of(
            "GET /api/v1/quarantine", "GET /api/v1/quarantine/{id}", "GET /api/v1/quarantine/{id}/payload",
            "POST /api/v1/quarantine/{id}/release", "DELETE /api/v1/quarantine/{id}", "POST /api/v1/quarantine/{id}/delete",
            "GET /api/v1/events", "GET /api/v1/sessions", "GET /api/v1/sessions/{clientId}",
            "DELETE /api/v1/sessions/{clientId}", "POST /api/v1/sessions/{clientId}/disconnect", "GET /api/v1/config");

    private final byte[] tokenDigest;
    private final String prefix;
    private final QuarantineEndpoints quarantine;
    private final SessionEndpoints sessions;
    private final RecentEvents events;
    private final Supplier<List<EffectiveSetting>> configuration;
    private final MeterRegistry registry;
    private final Counter missingToken;
    private final Counter invalidToken;

    /**
     * @param token         the bearer token
     * @param prefix        the path of the API, e.g. {@code /api/v1}
     * @param admin         the broker's admin hooks, or {@code null} when the process runs no broker
     * @param events        the recent security events, or {@code null}
     * @param configuration the effective settings, secrets masked
     * @param registry      where the API's meters go
     */
    public AdminHandler(String token, String prefix, BrokerAdmin admin, RecentEvents events,
                        Supplier<List<EffectiveSetting>> configuration, MeterRegistry registry) {
        this.tokenDigest = sha256(token);
        this.prefix = prefix;
        this.quarantine = new QuarantineEndpoints(admin);
        this.sessions = new SessionEndpoints(admin);
        this.events = events;
        this.configuration = configuration;
        this.registry = registry;
        this.missingToken = Counter.builder("sentinel_admin_unauthorized_total").tag("reason", "missing")
                .description("Admin API requests refused for a missing bearer token").register(registry);
        this.invalidToken = Counter.builder("sentinel_admin_unauthorized_total").tag("reason", "invalid")
                .description("Admin API requests refused for a wrong bearer token").register(registry);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        ApiResponse response;
        try {
            if (!authorized(ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sentinel-admin\"");
                response = error(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer <SENTINEL_ADMIN_TOKEN>)");
            } else {
                response = route(new ApiRequest(ex, prefix));
            }
        } catch (ApiException e) {
            if (e.allow() != null) {
                ex.getResponseHeaders().set("Allow", e.allow());
            }
            response = error(e.status(), e.error(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("admin API: {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            response = error(500, "internal", "the request failed: " + e.getClass().getSimpleName()
                    + " (see the server's log)");
        }
        write(ex, response);
    }

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            missingToken.increment();
            LOG.debug("admin API: no bearer token from {}", ex.getRemoteAddress());
            return false;
        }
        String given = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
        // digests of equal length, compared in constant time: neither the token nor its length leaks through timing
        if (!MessageDigest.isEqual(sha256(given), tokenDigest)) {
            invalidToken.increment();
            LOG.debug("admin API: wrong bearer token from {}", ex.getRemoteAddress());
            return false;
        }
        return true;
    }

    private ApiResponse route(ApiRequest r) {
        List<String> seg = r.segments();
        if (seg.isEmpty()) {
            QuarantineEndpoints.requireMethod(r.method(), "GET");
            ObjectNode out = ApiJson.object().put("version", "v1");
            ArrayNode list = out.putArray("endpoints");
            ENDPOINTS.forEach(list::add);
            return ApiResponse.ok(out);
        }
        return switch (seg.get(0)) {
            case "quarantine" -> quarantine.handle(r);
            case "sessions" -> sessions.handle(r);
            case "events" -> events(r);
            case "config" -> config(r);
            default -> throw ApiException.notFound("no endpoint " + prefix + "/" + String.join("/", seg)
                    + " (GET " + prefix + " lists them)");
        };
    }

    private ApiResponse events(ApiRequest r) {
        if (r.segments().size() > 1) {
            throw ApiException.notFound("no endpoint " + prefix + "/events/" + r.segments().get(1));
        }
        QuarantineEndpoints.requireMethod(r.method(), "GET");
        r.onlyParams(Set.of("limit", "client", "category", "layer", "since"));
        if (events == null) {
            throw ApiException.notFound("this process keeps no recent security events");
        }
        int limit = r.intParam("limit", Math.min(100, events.capacity()), 1, events.capacity());
        String client = r.param("client").orElse(null);
        String category = r.param("category").orElse(null);
        String layer = r.param("layer").orElse(null);
        java.time.Instant since = r.instantParam("since").orElse(null);
        Predicate<SecurityEvent> filter = e -> (client == null || client.equals(e.clientId()))
                && (category == null || category.equalsIgnoreCase(e.category()))
                && (layer == null || layer.equalsIgnoreCase(e.layer()))
                && (since == null || !e.time().isBefore(since));
        ObjectNode out = ApiJson.object();
        ArrayNode items = out.putArray("items");
        events.newest(limit, filter).forEach(e -> items.add(ApiJson.event(e)));
        out.put("limit", limit);
        out.put("capacity", events.capacity());
        out.put("received", events.received());
        return ApiResponse.ok(out);
    }

    private ApiResponse config(ApiRequest r) {
        if (r.segments().size() > 1) {
            throw ApiException.notFound("no endpoint " + prefix + "/config/" + r.segments().get(1));
        }
        QuarantineEndpoints.requireMethod(r.method(), "GET");
        r.onlyParams(Set.of());
        ObjectNode out = ApiJson.object();
        ArrayNode items = out.putArray("settings");
        for (EffectiveSetting s : configuration.get()) {
            items.addObject().put("key", s.key()).put("value", s.value()).put("source", s.source()).put("secret", s.secret());
        }
        return ApiResponse.ok(out);
    }

    private static ApiResponse error(int status, String error, String message) {
        return new ApiResponse(status, ApiResponse.JSON, ApiJson.bytes(ApiJson.error(error, message)));
    }

    private void write(HttpExchange ex, ApiResponse r) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            registry.counter("sentinel_admin_requests_total", "method", METHODS.contains(method) ? method : "OTHER",
                    "status", Integer.toString(r.status())).increment();
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(r.status(), -1);
                return;
            }
            ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body());
                }
            }
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
