package io.mqttsentinel.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns environment variables (or YAML already flattened to their keys) into a config builder's arguments: every
 * setting of the list whose key has a non-blank value is parsed and applied, in the list's order; blank and
 * missing keys keep the builder's defaults; keys not in the list are not this reader's business (the launcher
 * warns about them).
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
}
