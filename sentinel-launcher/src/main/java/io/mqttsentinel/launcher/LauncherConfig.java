package io.mqttsentinel.launcher;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The launcher's effective configuration: an optional YAML file, overridden key by key by
 * {@code SENTINEL_*} environment variables, as one flat map of environment-variable names to values.
 *
 * <p><b>YAML keys map 1:1 to variable names</b> ({@link SettingsReader#flatten(Object)}). A key path is joined with
 * {@code _}, dots and dashes become {@code _}, letters are upper-cased and {@code SENTINEL_} is prepended, so
 * <pre>{@code
 * proxy:
 *   tls_port: 8883          # SENTINEL_PROXY_TLS_PORT
 * rl.global_rate: 20000     # SENTINEL_RL_GLOBAL_RATE
 * SENTINEL_BROKER_PORT: 1884
 * }</pre>
 * Lists become comma-separated values; {@code null} leaves the key unset. An environment variable set to
 * the empty string unsets the key (its default applies), even when the file sets it.
 *
 * <p>The map holds only what the operator set: every engine applies its own defaults when it parses the
 * map ({@code ProxyConfig.fromEnvironment(map)} and so on). Keys that no engine knows are kept, and
 * reported by {@link #warnings()} with the closest known name.
 *
 * <p>Immutable and thread-safe.
 */
public final class LauncherConfig {
    /** Where a value came from. */
    public enum Source {
        /** Not set: the engine's default applies. */
        DEFAULT,
        /** The YAML file. */
        FILE,
        /** A {@code SENTINEL_*} environment variable. */
        ENVIRONMENT,
        /** Set by the program (tests, the demo, an embedding application). */
        PROGRAM
    }

    private static final YAMLMapper YAML = new YAMLMapper();

    private final Map<String, String> values;
    private final Map<String, Source> sources;
    private final List<String> warnings;

    private LauncherConfig(Map<String, String> values, Map<String, Source> sources, List<String> warnings) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads the YAML file (if any) and overrides it with the environment's {@code SENTINEL_*} variables.
     *
     * @param file        the YAML file, or {@code null} to use {@code SENTINEL_CONFIG} from the environment,
     *                    or no file when that is unset too
     * @param environment the environment, e.g. {@link System#getenv()}
     * @return the merged configuration
     * @throws ConfigException when the file cannot be read or is not a YAML map of scalars
     */
    public static LauncherConfig load(Path file, Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        Path yaml = file;
        if (yaml == null) {
            String named = environment.get("SENTINEL_CONFIG");
            yaml = named == null || named.isBlank() ? null : Path.of(named);
        }
        if (yaml != null) {
            readYaml(yaml).forEach((k, v) -> {
                values.put(k, v);
                sources.put(k, Source.FILE);
            });
        }
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(Setting.PREFIX) || Settings.NOT_SETTINGS.contains(key) || key.equals("SENTINEL_CONFIG")) {
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
        return new LauncherConfig(values, sources, unknownKeys(values, sources));
    }

    /**
     * @param values settings by environment-variable name, as a program sets them
     * @return a configuration of exactly these values (tests, the demo, embedding applications)
     */
    public static LauncherConfig of(Map<String, String> values) {
        Map<String, Source> sources = new LinkedHashMap<>();
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            String key = checkKey(k);
            if (v != null && !v.isEmpty()) {
                copy.put(key, v);
                sources.put(key, Source.PROGRAM);
            }
        });
        return new LauncherConfig(copy, sources, unknownKeys(copy, sources));
    }

    /**
     * @param key   a setting's name
     * @param value its new value, or {@code null}/empty to unset it
     * @return a copy with {@code key} set by the program
     */
    public LauncherConfig with(String key, String value) {
        String k = checkKey(key);
        Map<String, String> v = new LinkedHashMap<>(values);
        Map<String, Source> s = new LinkedHashMap<>(sources);
        if (value == null || value.isEmpty()) {
            v.remove(k);
            s.remove(k);
        } else {
            v.put(k, value);
            s.put(k, Source.PROGRAM);
        }
        return new LauncherConfig(v, s, unknownKeys(v, s));
    }

    /**
     * @param key     a setting's name
     * @param value   the value to use when the operator did not set {@code key}
     * @return a copy in which {@code key} has {@code value} unless it was set already
     */
    public LauncherConfig withDefault(String key, String value) {
        return values.containsKey(key) ? this : with(key, value);
    }

    /** @return what the operator set, by environment-variable name (what the engines' {@code fromEnvironment} read) */
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

    /** @return one line per key that no engine knows, naming the closest known key */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * @param key a setting's name
     * @return its value fit for printing: secrets as {@code ****}, passwords in URLs masked; empty if unset
     */
    public String printable(String key) {
        String v = values.get(key);
        return v == null ? "" : Settings.CATALOGUE.printable(key, v);
    }

    /**
     * @return the data directory, {@code SENTINEL_DATA_DIR} (default {@code ./data}), as an absolute path
     * @throws ConfigException when the value is not a path
     */
    public Path dataDir() {
        String v = values.getOrDefault("SENTINEL_DATA_DIR", "./data");
        try {
            return Path.of(v).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw ConfigException.invalid("SENTINEL_DATA_DIR", v, "a directory path");
        }
    }

    /** The default of {@code SENTINEL_SHUTDOWN_DELAY}: stop draining at once, no load balancer to wait for. */
    public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;
    /** The default of {@code SENTINEL_SHUTDOWN_GRACE}: how long a stopping proxy waits for the core's PUBACKs. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    /**
     * @return {@code SENTINEL_SHUTDOWN_DELAY}: how long a stopping process keeps serving while {@code /readyz}
     *         answers 503, 0s to 5m (default {@link #DEFAULT_SHUTDOWN_DELAY})
     * @throws ConfigException naming the key, the value and the range
     */
    public Duration shutdownDelay() {
        return durationValue("SENTINEL_SHUTDOWN_DELAY", DEFAULT_SHUTDOWN_DELAY, Duration.ZERO, Duration.ofMinutes(5));
    }

    /**
     * @return {@code SENTINEL_SHUTDOWN_GRACE}: how long a stopping proxy then waits for the core's acknowledgements
     *         of what it forwarded, 0s to 10m (default {@link #DEFAULT_SHUTDOWN_GRACE})
     * @throws ConfigException naming the key, the value and the range
     */
    public Duration shutdownGrace() {
        return durationValue("SENTINEL_SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofMinutes(10));
    }

    /**
     * @param key          a setting's name
     * @param defaultValue the value when unset
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @return the value as an integer
     * @throws ConfigException naming the key, the value and the range when it is not an integer in range
     */
    public int intValue(String key, int defaultValue, int min, int max) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw ConfigException.invalid(key, v, "an integer in [" + min + ", " + max + "]");
    }

    /**
     * @param key          a setting's name
     * @param defaultValue the value when unset
     * @param min          the shortest allowed value
     * @param max          the longest allowed value
     * @return the value, in the one duration grammar ({@code 500ms}, {@code 10s}, {@code 5m}; a bare number is seconds)
     * @throws ConfigException naming the key, the value and the range when it is not a duration in range
     */
    public Duration durationValue(String key, Duration defaultValue, Duration min, Duration max) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        Duration[] out = {defaultValue};
        try {
            Setting.<Duration[]>duration(key, Setting.yamlPathOf(key), min, max, defaultValue, key, (o, d) -> o[0] = d)
                    .apply(out, v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return out[0];
    }

    /**
     * @param key          a setting's name
     * @param defaultValue the value when unset
     * @param allowed      the allowed values, lower case
     * @return the value, lower-cased
     * @throws ConfigException when it is not one of {@code allowed}
     */
    public String choice(String key, String defaultValue, List<String> allowed) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        String lower = v.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw ConfigException.invalid(key, v, "one of " + String.join(", ", allowed));
        }
        return lower;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("LauncherConfig{");
        String sep = "";
        for (String k : values.keySet()) {
            b.append(sep).append(k).append('=').append(printable(k));
            sep = ", ";
        }
        return b.append('}').toString();
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!key.startsWith(Setting.PREFIX)) {
            throw new IllegalArgumentException("key must start with " + Setting.PREFIX + ": " + key);
        }
        return key;
    }

    private static List<String> unknownKeys(Map<String, String> values, Map<String, Source> sources) {
        List<String> out = new ArrayList<>();
        for (String key : values.keySet()) {
            if (Settings.CATALOGUE.find(key).isPresent() || Settings.NOT_SETTINGS.contains(key)) {
                continue;
            }
            String from = switch (sources.getOrDefault(key, Source.PROGRAM)) {
                case FILE -> "the config file (YAML key " + Setting.yamlPathOf(key) + ")";
                case ENVIRONMENT -> "the environment";
                default -> "the program";
            };
            out.add("unknown setting " + key + " from " + from + " is ignored"
                    + Settings.CATALOGUE.closest(key).map(c -> "; did you mean " + c + "?").orElse(""));
        }
        return out;
    }

    static Map<String, String> readYaml(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("--config '" + file + "': must be a readable YAML file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException("--config '" + file + "': not valid YAML"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        try {
            return SettingsReader.flatten(root == null || root.isMissingNode() ? null : YAML.treeToValue(root, Object.class));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ConfigException("--config '" + file + "': " + e.getMessage());
        }
    }
}
