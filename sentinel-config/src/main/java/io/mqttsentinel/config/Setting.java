package io.mqttsentinel.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;
import java.util.stream.Collectors;

/**
 * One setting of an engine, described once: its environment variable, YAML path, builder parameter, type,
 * default, allowed range, whether it is secret, a line of documentation, and how its text becomes an argument of
 * the engine's config builder. The engine's config class owns the list of its settings; the launcher, the
 * {@code config} command and the configuration reference read that list instead of restating it.
 *
 * <pre>{@code
 * static final List<Setting<Builder>> SETTINGS = List.of(
 *         Setting.integer("SENTINEL_PROXY_TLS_PORT", "tlsPort", 0, 65535, 8883,
 *                 "TLS listener for devices (0 = ephemeral)", Builder::tlsPort),
 *         Setting.duration("SENTINEL_PROXY_AUTH_CACHE_TTL", "authCacheTtl", Duration.ofSeconds(1), Duration.ofHours(1),
 *                 Duration.ofSeconds(60), "How long an auth decision is cached", Builder::authCacheTtl));
 * }</pre>
 *
 * <p>A value that does not parse, or that the builder refuses, fails as {@link InvalidSettingException}:
 * {@code SENTINEL_X='v' is invalid: <parameter> must be <range>}. A secret's value is never shown.
 *
 * @param <B> the builder the setting applies to
 */
public final class Setting<B> {
    /** Prefix of every key. */
    public static final String PREFIX = "SENTINEL_";

    /**
     * Turns a value into a builder argument.
     *
     * @param <B> the builder
     */
    @FunctionalInterface
    public interface Applier<B> {
        /**
         * @param builder the builder
         * @param value   the value, stripped, not empty
         * @throws IllegalArgumentException when the value is not allowed (the message says why)
         */
        void apply(B builder, String value);
    }

    private final String key;
    private final String yamlPath;
    private final String parameter;
    private final String type;
    private final String defaultValue;
    private final String allowed;
    private final String doc;
    private final boolean secret;
    private final Applier<B> applier;

    private Setting(String key, String yamlPath, String parameter, String type, String defaultValue, String allowed,
                    String doc, boolean secret, Applier<B> applier) {
        this.key = Objects.requireNonNull(key, "key");
        if (!key.startsWith(PREFIX) || !key.equals(key.toUpperCase(Locale.ROOT)) || key.length() == PREFIX.length()) {
            throw new IllegalArgumentException("key must be upper case and start with " + PREFIX + ": " + key);
        }
        this.yamlPath = Objects.requireNonNull(yamlPath, "yamlPath");
        this.parameter = Objects.requireNonNull(parameter, "parameter");
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.secret = secret;
        this.applier = Objects.requireNonNull(applier, "applier");
    }

    /**
     * A setting whose text the builder checks itself (a URL, a host list, a topic filter, a path).
     *
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param defaultValue the default as an operator writes it, or {@code ""} for none
     * @param allowed      the allowed values, in words
     * @param doc          one line of documentation
     * @param setter       the builder setter; it throws {@link IllegalArgumentException} for what it refuses
     * @return the setting
     */
    public static <B> Setting<B> text(String key, String parameter, String defaultValue, String allowed, String doc,
                                      BiConsumer<B, String> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "string", defaultValue, allowed, doc, false, setter::accept);
    }

    /**
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param min          smallest allowed
     * @param max          largest allowed
     * @param defaultValue the default
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> integer(String key, String parameter, int min, int max, int defaultValue, String doc,
                                         ObjIntConsumer<B> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "integer", Integer.toString(defaultValue),
                Values.range(min, max), doc, false,
                (b, v) -> setter.accept(b, Values.checkRange(parameter, Values.integer(v), min, max)));
    }

    /**
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param min          smallest allowed
     * @param max          largest allowed
     * @param defaultValue the default
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> longInteger(String key, String parameter, long min, long max, long defaultValue,
                                             String doc, ObjLongConsumer<B> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "integer", Long.toString(defaultValue),
                Values.range(min, max), doc, false,
                (b, v) -> setter.accept(b, Values.checkRange(parameter, Values.longValue(v), min, max)));
    }

    /**
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param min          smallest allowed
     * @param max          largest allowed
     * @param defaultValue the default
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> decimal(String key, String parameter, double min, double max, double defaultValue,
                                         String doc, BiConsumer<B, Double> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "decimal", Double.toString(defaultValue),
                min + " to " + max, doc, false, (b, v) -> {
                    double d = Values.decimal(v);
                    if (d < min || d > max) {
                        throw new IllegalArgumentException(parameter + " must be " + min + " to " + max + ", was " + d);
                    }
                    setter.accept(b, d);
                });
    }

    /**
     * A duration; a number without a unit is in seconds, or in milliseconds when the key ends in {@code _MS}.
     *
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param min          shortest allowed
     * @param max          longest allowed
     * @param defaultValue the default, or {@code null} for none
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> duration(String key, String parameter, Duration min, Duration max, Duration defaultValue,
                                          String doc, BiConsumer<B, Duration> setter) {
        ChronoUnit bare = key.endsWith("_MS") ? ChronoUnit.MILLIS : ChronoUnit.SECONDS;
        return new Setting<>(key, yamlPathOf(key), parameter, "duration",
                defaultValue == null ? "" : Values.format(defaultValue), Values.range(min, max), doc, false,
                (b, v) -> setter.accept(b, Values.checkRange(parameter, Values.duration(v, bare), min, max)));
    }

    /**
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param min          smallest allowed, in bytes
     * @param max          largest allowed, in bytes
     * @param defaultValue the default, in bytes
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> size(String key, String parameter, long min, long max, long defaultValue, String doc,
                                      ObjLongConsumer<B> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "size", Values.formatSize(defaultValue),
                Values.formatSize(min) + " to " + Values.formatSize(max) + " bytes", doc, false, (b, v) -> {
                    long n = Values.size(v);
                    if (n < min || n > max) {
                        throw new IllegalArgumentException(parameter + " must be " + Values.formatSize(min) + " to "
                                + Values.formatSize(max) + " bytes, was " + n);
                    }
                    setter.accept(b, n);
                });
    }

    /**
     * @param <B>          the builder
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param defaultValue the default
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B> Setting<B> bool(String key, String parameter, boolean defaultValue, String doc,
                                      BiConsumer<B, Boolean> setter) {
        return new Setting<>(key, yamlPathOf(key), parameter, "boolean", Boolean.toString(defaultValue),
                "true or false", doc, false, (b, v) -> setter.accept(b, Values.bool(v)));
    }

    /**
     * One of an enum's constants, written in lower case with {@code -} or {@code _} for {@code _}.
     *
     * @param <B>          the builder
     * @param <E>          the enum
     * @param key          the environment variable
     * @param parameter    the builder parameter
     * @param type         the enum
     * @param defaultValue the default
     * @param doc          one line of documentation
     * @param setter       the builder setter
     * @return the setting
     */
    public static <B, E extends Enum<E>> Setting<B> choice(String key, String parameter, Class<E> type, E defaultValue,
                                                          String doc, BiConsumer<B, E> setter) {
        List<E> constants = Arrays.asList(type.getEnumConstants());
        String words = constants.stream().map(Setting::word).collect(Collectors.joining(", "));
        return new Setting<>(key, yamlPathOf(key), parameter, "choice", defaultValue == null ? "" : word(defaultValue),
                "one of " + words, doc, false, (b, v) -> {
                    String w = v.strip().toLowerCase(Locale.ROOT).replace('-', '_');
                    E found = constants.stream().filter(c -> word(c).equals(w)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(parameter + " must be one of " + words));
                    setter.accept(b, found);
                });
    }

    private static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** @return this setting, its value never shown (passwords, tokens) */
    public Setting<B> secret() {
        return new Setting<>(key, yamlPath, parameter, type, defaultValue, allowed, doc, true, applier);
    }

    /**
     * @param path the YAML path instead of the one derived from the key
     * @return this setting with that YAML path
     */
    public Setting<B> yamlPath(String path) {
        return new Setting<>(key, path, parameter, type, defaultValue, allowed, doc, secret, applier);
    }

    /**
     * @param words the default as the reference should show it (e.g. "the CPU count")
     * @return this setting with that default text
     */
    public Setting<B> defaultText(String words) {
        return new Setting<>(key, yamlPath, parameter, type, words, allowed, doc, secret, applier);
    }

    /**
     * Parses the value and gives it to the builder.
     *
     * @param builder the builder
     * @param value   the value as written
     * @throws InvalidSettingException when it does not parse or the builder refuses it
     */
    public void apply(B builder, String value) {
        Objects.requireNonNull(value, "value");
        try {
            applier.apply(builder, value.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(this, value, e);
        }
    }

    /**
     * The YAML path of a key: the key without {@code SENTINEL_}, lower case, its first underscore a dot
     * ({@code SENTINEL_PROXY_TLS_PORT} is {@code proxy.tls_port}).
     *
     * @param key an environment variable
     * @return its YAML path
     */
    public static String yamlPathOf(String key) {
        String rest = key.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
        int us = rest.indexOf('_');
        return us < 0 ? rest : rest.substring(0, us) + "." + rest.substring(us + 1);
    }

    /** @return the environment variable, e.g. {@code SENTINEL_PROXY_TLS_PORT} */
    public String key() {
        return key;
    }

    /** @return the YAML path, e.g. {@code proxy.tls_port} */
    public String yamlPath() {
        return yamlPath;
    }

    /** @return the builder parameter it sets, e.g. {@code tlsPort} */
    public String parameter() {
        return parameter;
    }

    /** @return {@code string}, {@code integer}, {@code decimal}, {@code duration}, {@code size}, {@code boolean} or {@code choice} */
    public String type() {
        return type;
    }

    /** @return the default as an operator writes it, or {@code ""} when there is none */
    public String defaultValue() {
        return defaultValue;
    }

    /** @return the allowed values or range, in words */
    public String allowed() {
        return allowed;
    }

    /** @return one line of documentation */
    public String doc() {
        return doc;
    }

    /** @return {@code true} when the value must never be printed */
    public boolean isSecret() {
        return secret;
    }

    @Override
    public String toString() {
        return key;
    }
}
