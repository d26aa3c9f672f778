package io.mqttsentinel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Settings from a file and the environment as one flat map of environment-variable names to values, each
 * remembering where it came from: the file's values ({@link SettingsReader#flatten(Object)} of a YAML document),
 * overridden key by key by the environment's {@code SENTINEL_*} variables. An environment variable set to the empty
 * string unsets the key, even when the file sets it. A program may then set or unset keys ({@link #with}).
 *
 * <pre>{@code
 * LayeredSettings settings = LayeredSettings.layer(SettingsReader.flatten(yaml), System.getenv(), Set.of());
 * ProxyConfig proxy = ProxyConfig.fromEnvironment(settings.values());
 * settings.unknownKeys(catalogue, Set.of()).forEach(log::warn);
 * }</pre>
 *
 * <p>The map holds only what was set: every engine applies its own defaults when it parses it. Keys that no engine
 * knows are kept; {@link #unknownKeys} names them with the closest known key.
 *
 * <p>Immutable and thread-safe.
 */
public final class LayeredSettings {
    /** Where a value came from. */
    public enum Source {
        /** Not set: the engine's default applies. */
        DEFAULT,
        /** The configuration file. */
        FILE,
        /** A {@code SENTINEL_*} environment variable. */
        ENVIRONMENT,
        /** Set by the program (tests, the demo, an embedding application). */
        PROGRAM
    }

    private final Map<String, String> values;
    private final Map<String, Source> sources;

    private LayeredSettings(Map<String, String> values, Map<String, Source> sources) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
    }

    /**
     * @param file        the file's values by variable name, e.g. {@link SettingsReader#flatten(Object)} of its YAML
     * @param environment the environment, e.g. {@link System#getenv()}: its {@code SENTINEL_*} variables override
     *                    the file's values; other variables are not read
     * @param notSettings {@code SENTINEL_*} variables that are not settings (read by a start script, say): not read
     * @return the layered settings
     */
    public static LayeredSettings layer(Map<String, String> file, Map<String, String> environment,
                                        Set<String> notSettings) {
        Objects.requireNonNull(environment, "environment");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        file.forEach((k, v) -> {
            values.put(k, v);
            sources.put(k, Source.FILE);
        });
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(Setting.PREFIX) || notSettings.contains(key)) {
                continue;
            }
            if (e.getValue() == null || e.getValue().isEmpty()) {
                values.remove(key);
                sources.remove(key);
            } else {
                values.put(key, e.getValue());
                sources.put(key, Source.ENVIRONMENT);
            }
        }
        return new LayeredSettings(values, sources);
    }

    /**
     * @param values settings by variable name, as a program sets them; {@code null} or empty values are left unset
     * @return settings of exactly these values, each from {@link Source#PROGRAM}
     * @throws IllegalArgumentException when a key does not start with {@value Setting#PREFIX}
     */
    public static LayeredSettings of(Map<String, String> values) {
        LayeredSettings settings = new LayeredSettings(Map.of(), Map.of());
        for (Map.Entry<String, String> e : values.entrySet()) {
            settings = settings.with(e.getKey(), e.getValue());
        }
        return settings;
    }

    /**
     * @param key   a setting's name
     * @param value its new value, or {@code null}/empty to unset it
     * @return a copy with {@code key} set by the program
     * @throws IllegalArgumentException when {@code key} does not start with {@value Setting#PREFIX}
     */
    public LayeredSettings with(String key, String value) {
        Objects.requireNonNull(key, "key");
        if (!key.startsWith(Setting.PREFIX)) {
            throw new IllegalArgumentException("key must start with " + Setting.PREFIX + ": " + key);
        }
        Map<String, String> v = new LinkedHashMap<>(values);
        Map<String, Source> s = new LinkedHashMap<>(sources);
        if (value == null || value.isEmpty()) {
            v.remove(key);
            s.remove(key);
        } else {
            v.put(key, value);
            s.put(key, Source.PROGRAM);
        }
        return new LayeredSettings(v, s);
    }

    /** @return what was set, by variable name, sorted (what the engines' {@code fromEnvironment} read) */
    public Map<String, String> values() {
        return values;
    }

    /**
     * @param key a setting's name
     * @return its value when set
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * @param key a setting's name
     * @return where its value came from ({@link Source#DEFAULT} when unset)
     */
    public Source source(String key) {
        return sources.getOrDefault(key, Source.DEFAULT);
    }

    /**
     * @param catalogue   every known setting
     * @param notSettings variables that are known although they are not settings
     * @return one line per key that is neither, naming where it came from and the closest known key, e.g.
     *         {@code unknown setting SENTINEL_BROKR_PORT from the environment is ignored; did you mean
     *         SENTINEL_BROKER_PORT?}
     */
    public List<String> unknownKeys(SettingsCatalogue catalogue, Set<String> notSettings) {
        List<String> out = new ArrayList<>();
        for (String key : values.keySet()) {
            if (catalogue.find(key).isPresent() || notSettings.contains(key)) {
                continue;
            }
            String from = switch (source(key)) {
                case FILE -> "the config file (YAML key " + Setting.yamlPathOf(key) + ")";
                case ENVIRONMENT -> "the environment";
                default -> "the program";
            };
            out.add("unknown setting " + key + " from " + from + " is ignored"
                    + catalogue.closest(key).map(c -> "; did you mean " + c + "?").orElse(""));
        }
        return List.copyOf(out);
    }
}
