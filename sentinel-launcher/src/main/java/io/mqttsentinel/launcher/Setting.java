package io.mqttsentinel.launcher;

import java.util.Locale;
import java.util.Objects;

/**
 * One documented setting: its environment variable, YAML key, default, allowed range and owner.
 *
 * <p>The catalogue of settings ({@link Settings}) serves the {@code config} command, the typo warnings and
 * the configuration reference; each engine still parses and validates its own keys.
 *
 * @param key          the environment variable, e.g. {@code SENTINEL_PROXY_TLS_PORT}
 * @param defaultValue the default as the operator would write it, or empty when there is none
 * @param allowed      the allowed values or range, in words
 * @param description  what the setting does
 * @param owner        the module that parses it, e.g. {@code sentinel-proxy}, or {@code launcher}
 * @param secret       {@code true} when the value must never be printed
 */
record Setting(String key, String defaultValue, String allowed, String description, String owner, boolean secret) {

    static final String PREFIX = "SENTINEL_";

    Setting {
        Objects.requireNonNull(key, "key");
        if (!key.startsWith(PREFIX) || !key.equals(key.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("key must be upper case and start with " + PREFIX + ": " + key);
        }
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(allowed, "allowed");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(owner, "owner");
    }

    /**
     * @return the canonical YAML key: the name without {@code SENTINEL_}, lower case, its first
     *         underscore a dot ({@code SENTINEL_PROXY_TLS_PORT} is {@code proxy.tls_port})
     */
    String yamlKey() {
        return yamlKeyOf(key);
    }

    static String yamlKeyOf(String envKey) {
        String rest = envKey.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
        int us = rest.indexOf('_');
        return us < 0 ? rest : rest.substring(0, us) + "." + rest.substring(us + 1);
    }
}
