package io.mqttsentinel.admin;

import io.mqttsentinel.config.LayeredSettings;
import io.mqttsentinel.config.SettingsCatalogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    /**
     * The effective configuration: every setting of {@code catalogue} in its order, with its default's text when
     * unset, then the keys of {@code settings} that the catalogue does not know, from {@code unknown (ignored)};
     * secrets masked ({@link SettingsCatalogue#printable(String, String)}).
     *
     * @param settings  what is set, and where it came from
     * @param catalogue every known setting
     * @return the settings, e.g. for {@link AdminApi.Builder#configuration}
     */
    public static List<EffectiveSetting> of(LayeredSettings settings, SettingsCatalogue catalogue) {
        List<EffectiveSetting> out = new ArrayList<>();
        for (SettingsCatalogue.Entry s : catalogue.all()) {
            LayeredSettings.Source source = settings.source(s.key());
            String value = settings.get(s.key()).map(v -> catalogue.printable(s.key(), v)).orElse(s.defaultValue());
            out.add(new EffectiveSetting(s.key(), value, source.name().toLowerCase(Locale.ROOT), s.secret()));
        }
        settings.values().forEach((key, value) -> {
            if (catalogue.find(key).isEmpty()) {
                out.add(new EffectiveSetting(key, catalogue.printable(key, value), "unknown (ignored)",
                        catalogue.isSecret(key)));
            }
        });
        return out;
    }
}
