package io.mqttsentinel.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting a program understands, in the order of its configuration reference and grouped in sections: the
 * engines' own {@code settings()} lists, described once by each engine, and the program's own keys. It serves what a
 * launcher shows about settings: the effective configuration with secrets masked ({@link #printable}), the hint for
 * a misspelt key ({@link #closest}) and the Markdown reference ({@link #markdownReference()}). Parsing stays with
 * each engine.
 *
 * <pre>{@code
 * SettingsCatalogue catalogue = SettingsCatalogue.builder()
 *         .add("Launcher", "SENTINEL_DATA_DIR", "./data", "a writable directory", "Local state")
 *         .add("Edge proxy (sentinel-proxy)", ProxyConfig.settings(), Map.of())
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SettingsCatalogue {
    private final Map<String, Entry> entries;

    private SettingsCatalogue(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One setting as the reference shows it.
     *
     * @param key          the environment variable, e.g. {@code SENTINEL_PROXY_TLS_PORT}
     * @param defaultValue the default as the operator would write it or in words, or empty when there is none
     * @param allowed      the allowed values or range, in words
     * @param description  what the setting does
     * @param section      the reference's section that lists it, e.g. {@code Edge proxy (sentinel-proxy)}
     * @param secret       {@code true} when the value must never be printed
     */
    public record Entry(String key, String defaultValue, String allowed, String description, String section,
                        boolean secret) {
        /** Checks that every part is given and that the key is upper case and starts with {@code SENTINEL_}. */
        public Entry {
            Objects.requireNonNull(key, "key");
            if (!key.startsWith(Setting.PREFIX) || !key.equals(key.toUpperCase(Locale.ROOT))) {
                throw new IllegalArgumentException("key must be upper case and start with " + Setting.PREFIX + ": " + key);
            }
            Objects.requireNonNull(defaultValue, "defaultValue");
            Objects.requireNonNull(allowed, "allowed");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(section, "section");
        }

        /** @return the canonical YAML key, {@link Setting#yamlPathOf(String)} of the key */
        public String yamlKey() {
            return Setting.yamlPathOf(key);
        }
    }

    /** @return every setting, in reference order */
    public List<Entry> all() {
        return List.copyOf(entries.values());
    }

    /**
     * @param key an environment variable name
     * @return its setting, if known
     */
    public Optional<Entry> find(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /**
     * @param key a setting's name
     * @return {@code true} when its value must not be printed in full: catalogued secrets and any key whose name says
     *         it holds a secret (PASSWORD, SECRET, TOKEN, CREDENTIALS_VALUE, or ending in {@code _PASS})
     */
    public boolean isSecret(String key) {
        Entry e = entries.get(key);
        if (e != null && e.secret()) {
            return true;
        }
        String k = key.toUpperCase(Locale.ROOT);
        return k.contains("PASSWORD") || k.contains("SECRET") || k.contains("TOKEN") || k.endsWith("_PASS")
                || k.contains("CREDENTIALS_VALUE");
    }

    /**
     * @param key   a setting's name
     * @param value its value
     * @return the value fit for printing: a secret's as {@code ****}, else {@link Values#maskUrl(String)}
     */
    public String printable(String key, String value) {
        return isSecret(key) ? "****" : Values.maskUrl(value);
    }

    /**
     * @param key an unknown key
     * @return the closest known key within a small edit distance, for a "did you mean" hint
     */
    public Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : entries.keySet()) {
            int d = distance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 6) ? Optional.ofNullable(best) : Optional.empty();
    }

    /**
     * @return the reference: per section a heading ({@code ### section}) and a Markdown table of its settings'
     *         variable, YAML key, default, allowed values and description
     */
    public String markdownReference() {
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        String section = null;
        for (Entry e : entries.values()) {
            if (!e.section().equals(section)) {
                section = e.section();
                b.append(nl).append("### ").append(section).append(nl).append(nl)
                        .append("| environment variable | YAML key | default | allowed | description |").append(nl)
                        .append("|---|---|---|---|---|").append(nl);
            }
            b.append("| `").append(e.key()).append("` | `").append(e.yamlKey()).append("` | ")
                    .append(e.defaultValue().isEmpty() ? "(unset)" : "`" + e.defaultValue() + "`").append(" | ")
                    .append(escape(e.allowed())).append(" | ").append(escape(e.description()))
                    .append(e.secret() ? " (secret: masked)" : "").append(" |").append(nl);
        }
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Collects the settings section by section, in reference order. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        Builder() {
        }

        /**
         * A setting of the program's own, which no engine reads (not secret).
         *
         * @param section      the reference's section
         * @param key          the environment variable
         * @param defaultValue the default, or empty when there is none
         * @param allowed      the allowed values, in words
         * @param description  what it does
         * @return this builder
         * @throws IllegalStateException when the key is listed already
         */
        public Builder add(String section, String key, String defaultValue, String allowed, String description) {
            if (entries.putIfAbsent(key, new Entry(key, defaultValue, allowed, description, section, false)) != null) {
                throw new IllegalStateException("duplicate setting " + key);
            }
            return this;
        }

        /**
         * An engine's settings. A key that two engines read ({@code SENTINEL_CORE_CA}: proxy and bridge) is listed
         * once, where it came first.
         *
         * @param section      the reference's section
         * @param settings     the engine's {@code settings()}
         * @param defaultTexts the program's own default of a key, in words, where it sets one when the operator does
         *                     not (e.g. a credentials file in its data directory); other keys show the engine's default
         * @return this builder
         * @throws IllegalStateException when two engines disagree on whether a key is secret
         */
        public Builder add(String section, List<? extends Setting<?>> settings, Map<String, String> defaultTexts) {
            for (Setting<?> s : settings) {
                Entry existing = entries.get(s.key());
                if (existing != null) {
                    if (s.isSecret() != existing.secret()) {
                        throw new IllegalStateException(s.key() + " is secret for one engine and not for another");
                    }
                    continue;
                }
                entries.put(s.key(), new Entry(s.key(), defaultTexts.getOrDefault(s.key(), s.defaultValue()), s.allowed(),
                        s.doc(), section, s.isSecret()));
            }
            return this;
        }

        /** @return the catalogue of what was added */
        public SettingsCatalogue build() {
            return new SettingsCatalogue(entries);
        }
    }
}
