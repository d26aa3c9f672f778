package io.mqttsentinel.admin;

import java.util.Objects;

/**
 * One setting as the process runs with it, for the admin API's {@code /api/v1/config}. The caller masks secrets
 * before it hands the value over: the API prints what it is given.
 *
 * @param key    the environment variable, e.g. {@code SENTINEL_PROXY_TLS_PORT}
 * @param value  the effective value, a secret's masked ({@code ****}); empty when unset without default
 * @param source where the value came from: {@code default}, {@code file}, {@code environment} or {@code program}
 * @param secret {@code true} when the value is a secret (and masked)
 */
public record EffectiveSetting(String key, String value, String source, boolean secret) {

    /**
     * @param key    the key
     * @param value  the masked value
     * @param source the source
     * @param secret whether secret
     */
    public EffectiveSetting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
    }
}
