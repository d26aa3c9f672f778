package io.mqttsentinel.config;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns environment variables (or YAML already flattened to their keys) into a config builder's arguments: every
 * setting of the list whose key has a non-blank value is parsed and applied, in the list's order; blank and
 * missing keys keep the builder's defaults; keys not in the list are not this reader's business (the launcher
 * warns about them). A YAML file's settings become such a map by {@link #flatten(Object)}.
 *
 * <pre>{@code
 * ProxyConfig config = SettingsReader.apply(ProxyConfig.settings(), System.getenv(), ProxyConfig.builder()).build();
 * }</pre>
 */
public final class SettingsReader {
    private SettingsReader() {
    }

    /**
     * @param <B>      the builder
     * @param settings the settings the builder understands
     * @param values   values by key
     * @param builder  the builder to fill
     * @return the builder
     * @throws InvalidSettingException for the first value (in the list's order) that is not allowed
     */
    public static <B> B apply(List<Setting<B>> settings, Map<String, String> values, B builder) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(builder, "builder");
        for (Setting<B> s : settings) {
            String v = values.get(s.key());
            if (v != null && !v.isBlank()) {
                s.apply(builder, v);
            }
        }
        return builder;
    }

    /**
     * Turns a YAML document, parsed into plain values (maps, lists, strings, numbers, booleans, nulls), into settings
     * by environment-variable name, the inverse of {@link Setting#yamlPathOf(String)}: a key path is joined with
     * {@code _}, dots and dashes become {@code _}, letters are upper-cased and {@code SENTINEL_} is prepended unless the
     * top-level key has it ({@code proxy: {tls_port: 8883}} and {@code proxy.tls-port: 8883} are both
     * {@code SENTINEL_PROXY_TLS_PORT}). A list becomes its items separated by commas; {@code null} leaves a key unset.
     *
     * @param document the parsed document; {@code null} (an empty document) holds no settings
     * @return values by key, in the document's order
     * @throws IllegalArgumentException when the document is not a map, a list holds a map or a list, or two spellings
     *                                  name one key; the message says which
     */
    public static Map<String, String> flatten(Object document) {
        Map<String, String> out = new LinkedHashMap<>();
        if (document == null) {
            return out;
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("must be a YAML map of settings, found a " + kind(document));
        }
        flatten("", root, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> node, Map<String, String> out) {
        for (Map.Entry<?, ?> e : node.entrySet()) {
            String part = String.valueOf(e.getKey()).trim().replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
            String key = prefix.isEmpty()
                    ? (part.startsWith(Setting.PREFIX) ? part : Setting.PREFIX + part)
                    : prefix + "_" + part;
            Object v = e.getValue();
            if (v instanceof Map<?, ?> map) {
                flatten(key, map, out);
                continue;
            }
            if (v == null) {
                continue;
            }
            String value;
            if (v instanceof List<?> list) {
                List<String> items = new ArrayList<>();
                for (Object item : list) {
                    if (item instanceof Map || item instanceof List) {
                        throw new IllegalArgumentException(Setting.yamlPathOf(key)
                                + " must be a list of plain values, found a " + kind(item));
                    }
                    items.add(text(item));
                }
                value = String.join(",", items);
            } else {
                value = text(v);
            }
            if (out.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException(key + " is set twice (as " + Setting.yamlPathOf(key)
                        + " in two spellings); keep one");
            }
        }
    }

    /** A scalar as YAML wrote it; binary ({@code !!binary}) in base64. */
    private static String text(Object scalar) {
        return scalar instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : String.valueOf(scalar);
    }

    private static String kind(Object value) {
        if (value instanceof Map) {
            return "map";
        } else if (value instanceof List) {
            return "list";
        } else if (value instanceof CharSequence) {
            return "string";
        } else if (value instanceof Number) {
            return "number";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof byte[]) {
            return "binary";
        }
        return value == null ? "null" : value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
