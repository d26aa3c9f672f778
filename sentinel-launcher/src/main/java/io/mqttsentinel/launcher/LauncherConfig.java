package io.mqttsentinel.launcher;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mqttsentinel.config.LayeredSettings;
import io.mqttsentinel.config.SettingsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
 * map ({@code ProxyConfig.fromEnvironment(map)} and so on). The layering, and the warnings for keys that no engine
 * knows, are {@link LayeredSettings}'s.
 *
 * <p>Immutable and thread-safe.
 */
public final class LauncherConfig {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** {@code SENTINEL_*} variables of the environment that are not settings: never read, never "unknown". */
    private static final Set<String> NOT_READ = Stream.concat(Settings.NOT_SETTINGS.stream(), Stream.of("SENTINEL_CONFIG"))
            .collect(Collectors.toUnmodifiableSet());

    private final LayeredSettings settings;
    private final Map<String, String> values;
    private final List<String> warnings;
    private volatile LauncherSettings own; // the launcher's own settings, once read

    private LauncherConfig(LayeredSettings settings) {
        this.settings = settings;
        this.values = settings.values();
        this.warnings = settings.unknownKeys(Settings.CATALOGUE, Settings.NOT_SETTINGS);
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
        Path yaml = file;
        if (yaml == null) {
            String named = environment.get("SENTINEL_CONFIG");
            yaml = named == null || named.isBlank() ? null : Path.of(named);
        }
        Map<String, String> fromFile = yaml == null ? Map.of() : readYaml(yaml);
        return new LauncherConfig(LayeredSettings.layer(fromFile, environment, NOT_READ));
    }

    /**
     * @param values settings by environment-variable name, as a program sets them
     * @return a configuration of exactly these values (tests, the demo, embedding applications)
     */
    public static LauncherConfig of(Map<String, String> values) {
        return new LauncherConfig(LayeredSettings.of(values));
    }

    /**
     * @param key   a setting's name
     * @param value its new value, or {@code null}/empty to unset it
     * @return a copy with {@code key} set by the program
     */
    public LauncherConfig with(String key, String value) {
        return new LauncherConfig(settings.with(key, value));
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
     * @return where its value came from ({@link LayeredSettings.Source#DEFAULT} when unset)
     */
    public LayeredSettings.Source source(String key) {
        return settings.source(key);
    }

    /** @return the values with their sources */
    LayeredSettings layered() {
        return settings;
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
     * @return the launcher's own settings ({@link LauncherSettings}), read with their ranges
     * @throws ConfigException naming the key, the value and what is allowed
     */
    LauncherSettings own() {
        LauncherSettings read = own;
        if (read == null) { // read once: the values never change (a refusal is thrown again at every call)
            try {
                read = SettingsReader.apply(LauncherSettings.SETTINGS, values, new LauncherSettings());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
            own = read;
        }
        return read;
    }

    /**
     * @return the data directory, {@code SENTINEL_DATA_DIR} (default {@code ./data}), as an absolute path
     * @throws ConfigException when the value is not a path
     */
    public Path dataDir() {
        return own().dataDir();
    }

    /**
     * @return {@code SENTINEL_SHUTDOWN_DELAY}: how long a stopping process keeps serving while {@code /readyz}
     *         answers 503, 0s to 5m (default 0s)
     * @throws ConfigException naming the key, the value and the range
     */
    public Duration shutdownDelay() {
        return own().shutdownDelay();
    }

    /**
     * @return {@code SENTINEL_SHUTDOWN_GRACE}: how long a stopping proxy then waits for the core's acknowledgements
     *         of what it forwarded, 0s to 10m (default 30s)
     * @throws ConfigException naming the key, the value and the range
     */
    public Duration shutdownGrace() {
        return own().shutdownGrace();
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
