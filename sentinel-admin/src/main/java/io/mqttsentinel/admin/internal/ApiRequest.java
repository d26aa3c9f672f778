package io.mqttsentinel.admin.internal;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * One request to the admin API, parsed: method, the path's segments after {@code /api/v1/} (each percent-decoded, so a
 * client id may hold {@code /} as {@code %2F}), the query parameters, and who asks. A malformed request fails as
 * {@link ApiException#badRequest} naming what is wrong.
 *
 * <p>Percent-decoding leaves {@code +} as it is (RFC 3986): a topic filter {@code clients/+/telemetry} may be sent
 * as written.
 */
public final class ApiRequest {
    /** The header that names the operator; recorded with every release, deletion and disconnect. */
    public static final String OPERATOR_HEADER = "X-Sentinel-Operator";
    private static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._@+-]{1,64}");

    private final String method;
    private final List<String> segments;
    private final Map<String, String> params;
    private final String actor;

    /**
     * @param exchange the exchange
     * @param prefix   the path the API's segments follow, e.g. {@code /api/v1}
     */
    public ApiRequest(HttpExchange exchange, String prefix) {
        this.method = exchange.getRequestMethod();
        String raw = exchange.getRequestURI().getRawPath();
        if (!raw.equals(prefix) && !raw.startsWith(prefix + "/")) {
            throw ApiException.notFound("no endpoint " + raw + " (the API is under " + prefix + "/)");
        }
        List<String> parts = new ArrayList<>();
        for (String s : raw.substring(prefix.length()).split("/")) {
            if (!s.isEmpty()) {
                parts.add(decode(s, "path"));
            }
        }
        this.segments = List.copyOf(parts);
        this.params = parseQuery(exchange.getRequestURI().getRawQuery());
        String operator = exchange.getRequestHeaders().getFirst(OPERATOR_HEADER);
        if (operator != null && !OPERATOR.matcher(operator).matches()) {
            throw ApiException.badRequest(OPERATOR_HEADER + " must be 1 to 64 of A-Z a-z 0-9 . _ @ + -");
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        String from = remote == null || remote.getAddress() == null ? "?" : remote.getAddress().getHostAddress();
        this.actor = (operator == null ? "an unnamed operator" : operator) + " (admin API from " + from + ")";
    }

    /** @return the HTTP method */
    public String method() {
        return method;
    }

    /** @return the decoded path segments after the API's prefix */
    public List<String> segments() {
        return segments;
    }

    /** @return who asks: the operator's name (or "an unnamed operator") and the client's address */
    public String actor() {
        return actor;
    }

    /**
     * Refuses parameters the endpoint does not know: a misspelt filter must not silently list everything.
     *
     * @param allowed the endpoint's parameters
     */
    public void onlyParams(Set<String> allowed) {
        for (String name : params.keySet()) {
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("unknown parameter '" + name + "'"
                        + (allowed.isEmpty() ? " (this endpoint takes none)" : " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
        }
    }

    /**
     * @param name a parameter
     * @return its value, when given and not empty
     */
    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name)).filter(v -> !v.isEmpty());
    }

    /**
     * @param name         a parameter
     * @param defaultValue the value when absent
     * @param min          smallest allowed
     * @param max          largest allowed
     * @return the value
     */
    public int intParam(String name, int defaultValue, int min, int max) {
        Optional<String> v = param(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max + ", was '" + v.get() + "'");
    }

    /**
     * @param name a parameter
     * @return the instant, given as ISO-8601 ({@code 2026-03-01T12:00:00Z}) or as epoch milliseconds
     */
    public Optional<Instant> instantParam(String name) {
        return param(name).map(v -> {
            try {
                return v.chars().allMatch(Character::isDigit) && v.length() <= 15 ? Instant.ofEpochMilli(Long.parseLong(v))
                        : Instant.parse(v);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw ApiException.badRequest(name + " must be an ISO-8601 instant (2026-03-01T12:00:00Z) or epoch "
                        + "milliseconds, was '" + v + "'");
            }
        });
    }

    /**
     * @param name a parameter
     * @return {@code true}/{@code false}, or empty when absent
     */
    public Optional<Boolean> boolParam(String name) {
        return param(name).map(v -> {
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw ApiException.badRequest(name + " must be true or false, was '" + v + "'");
        });
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "query");
            if (out.put(name, value) != null) {
                throw ApiException.badRequest("parameter '" + name + "' is given twice");
            }
        }
        return out;
    }

    /** Percent-decodes UTF-8; {@code +} stays {@code +}. */
    static String decode(String s, String where) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            int c = s.codePointAt(i);
            if (c != '%') {
                bytes.writeBytes(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c) - 1;
                continue;
            }
            if (i + 2 >= s.length()) {
                throw ApiException.badRequest("malformed percent-encoding in the " + where);
            }
            int hi = Character.digit(s.charAt(i + 1), 16);
            int lo = Character.digit(s.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw ApiException.badRequest("malformed percent-encoding in the " + where);
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the " + where + " is not UTF-8 once percent-decoded");
        }
    }
}
