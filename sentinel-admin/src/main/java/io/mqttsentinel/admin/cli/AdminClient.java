package io.mqttsentinel.admin.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The admin API as the command line uses it: one request per call, the bearer token and the operator's name sent
 * with each, JSON answers parsed, error answers turned into {@link AdminException}s that carry the API's message.
 */
final class AdminClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String OPERATOR_HEADER = "X-Sentinel-Operator";

    private final URI base;
    private final String token;
    private final String operator;
    private final HttpClient http;

    AdminClient(URI base, String token, String operator) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.operator = operator;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    URI base() {
        return base;
    }

    /** @return the JSON answer of a GET */
    JsonNode get(String path, Map<String, String> query) throws AdminException {
        return json(send("GET", path, query));
    }

    /** @return the body of a GET, as bytes */
    byte[] getBytes(String path) throws AdminException {
        return send("GET", path, Map.of()).body();
    }

    /** @return the JSON answer of a POST without body */
    JsonNode post(String path) throws AdminException {
        return json(send("POST", path, Map.of()));
    }

    /** @return the JSON answer of a DELETE */
    JsonNode delete(String path) throws AdminException {
        return json(send("DELETE", path, Map.of()));
    }

    /** @return {@code segment} percent-encoded for a path (a client id may hold {@code /} or spaces) */
    static String segment(String segment) {
        return encode(segment);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpResponse<byte[]> send(String method, String path, Map<String, String> query) throws AdminException {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                q.add(encode(k) + "=" + encode(v));
            }
        });
        URI uri = URI.create(base + "/api/v1" + path + q);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (operator != null) {
            request.header(OPERATOR_HEADER, operator);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AdminException(0, "cannot reach the admin API at " + base + " (" + e.getClass().getSimpleName()
                    + "): is the process running with " + "SENTINEL_ADMIN_TOKEN set, and is the URL right "
                    + "(--url or SENTINEL_ADMIN_URL)?");
        } catch (HttpTimeoutException e) {
            throw new AdminException(0, "the admin API at " + base + " did not answer within 60 s");
        } catch (IOException e) {
            throw new AdminException(0, "request to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(0, "interrupted");
        }
        if (response.statusCode() >= 300) {
            throw new AdminException(response.statusCode(), message(response));
        }
        return response;
    }

    private static String message(HttpResponse<byte[]> response) {
        try {
            JsonNode error = MAPPER.readTree(response.body());
            if (error != null && error.hasNonNull("message")) {
                return error.get("message").asText() + " (HTTP " + response.statusCode() + ")";
            }
        } catch (IOException e) {
            // not the API's JSON: something else answers at this URL
        }
        return "HTTP " + response.statusCode() + " from " + response.uri() + " (is this the admin API?)";
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws AdminException {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AdminException(0, "the answer of " + response.uri() + " is not JSON: " + e.getMessage());
        }
    }

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return node.toString();
        }
    }

    /** An answer other than success, or no answer at all (status 0). */
    static final class AdminException extends Exception {
        private final int status;

        AdminException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }

        /** @return 2 for what the operator must fix in the call (bad parameters, token), else 1 */
        int exitCode() {
            return status == 400 || status == 401 ? 2 : 1;
        }
    }
}
