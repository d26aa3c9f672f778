package io.mqttsentinel.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;

/**
 * The settings of the admin API ({@link AdminApi}) and of its command-line client: the bearer token, where the API
 * is served, how many recent security events it keeps, and where the client finds it. Read from
 * {@code SENTINEL_ADMIN_*} by {@link #fromEnvironment(Map)} ({@link #settings()} lists the keys, defaults and
 * ranges, the only place they are written).
 *
 * <p>Without a token the API is off: there is no anonymous access.
 *
 * <p>Immutable; {@link #toString()} masks the token. The builder checks each value when it is set.
 */
public final class AdminConfig {
    /** Environment key of {@link #token()}. */
    public static final String ENV_TOKEN = "SENTINEL_ADMIN_TOKEN";
    /** Environment key of {@link #port()}. */
    public static final String ENV_PORT = "SENTINEL_ADMIN_PORT";
    /** Environment key of {@link #bindAddress()}. */
    public static final String ENV_BIND = "SENTINEL_ADMIN_BIND";
    /** Environment key of {@link #recentEvents()}. */
    public static final String ENV_RECENT_EVENTS = "SENTINEL_ADMIN_RECENT_EVENTS";
    /** Environment key of {@link #url()}. */
    public static final String ENV_URL = "SENTINEL_ADMIN_URL";

    /** Shortest token accepted: a token is the only thing between the network and the operators' actions. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final int MAX_TOKEN_LENGTH = 512;
    private static final String TOKEN_RANGE = MIN_TOKEN_LENGTH + " to " + MAX_TOKEN_LENGTH
            + " printable ASCII characters without spaces";
    private static final int DEFAULT_RECENT_EVENTS = 1000;

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.text(ENV_TOKEN, "token", "", TOKEN_RANGE, "Bearer token of the admin API (/api/v1/...) and of the "
                    + "quarantine and sessions commands; unset: the API is off", Builder::token).secret(),
            Setting.integer(ENV_PORT, "port", 0, 65_535, 0, "Serve the admin API on this port of its own instead of the "
                    + "metrics port (0: on SENTINEL_METRICS_PORT)", Builder::port),
            Setting.text(ENV_BIND, "bindAddress", "127.0.0.1", "an IP address or host name of this machine",
                    "Address the admin API binds when SENTINEL_ADMIN_PORT is set (on the metrics port it shares "
                            + "SENTINEL_METRICS_BIND)", Builder::bindAddress),
            Setting.integer(ENV_RECENT_EVENTS, "recentEvents", 10, 100_000, DEFAULT_RECENT_EVENTS,
                    "Security events the admin API keeps in memory for /api/v1/events (the newest)", Builder::recentEvents),
            Setting.text(ENV_URL, "url", "", "an absolute http:// or https:// URL",
                    "Where the quarantine and sessions commands find the admin API", Builder::url)
                    .defaultText("http://127.0.0.1:<SENTINEL_ADMIN_PORT, else SENTINEL_METRICS_PORT, else 9090>"));

    private final String token;
    private final int port;
    private final String bindAddress;
    private final int recentEvents;
    private final URI url;

    private AdminConfig(Builder b) {
        this.token = b.token;
        this.port = b.port;
        this.bindAddress = b.bindAddress;
        this.recentEvents = b.recentEvents;
        this.url = b.url;
    }

    /** @return no token (API off), on the metrics port, 1000 recent events */
    public static AdminConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.token = token;
        b.port = port;
        b.bindAddress = bindAddress;
        b.recentEvents = recentEvents;
        b.url = url;
        return b;
    }

    /**
     * Every {@code SENTINEL_ADMIN_*} key, its builder parameter, default and range.
     *
     * @return the settings, unmodifiable
     */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key takes its default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key and what is allowed when a value is invalid (a token's value
     *                                  is never shown)
     */
    public static AdminConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    /** @return the bearer token; empty when the API is off */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** @return the port of the API's own server, 0 to serve it on the metrics port */
    public int port() {
        return port;
    }

    /** @return the address the API's own server binds */
    public String bindAddress() {
        return bindAddress;
    }

    /** @return how many of the newest security events the API keeps */
    public int recentEvents() {
        return recentEvents;
    }

    /** @return where the command-line client finds the API, when set */
    public Optional<URI> url() {
        return Optional.ofNullable(url);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdminConfig c && Objects.equals(token, c.token) && port == c.port
                && bindAddress.equals(c.bindAddress) && recentEvents == c.recentEvents && Objects.equals(url, c.url);
    }

    @Override
    public int hashCode() {
        return Objects.hash(token, port, bindAddress, recentEvents, url);
    }

    @Override
    public String toString() {
        return "AdminConfig[token=" + (token == null ? "(none: API off)" : "****") + ", port=" + port + ", bindAddress="
                + bindAddress + ", recentEvents=" + recentEvents + ", url=" + url + "]";
    }

    /** Checks each value when it is set; {@link #build()} copies them. Not thread-safe. */
    public static final class Builder {
        private String token;
        private int port;
        private String bindAddress = "127.0.0.1";
        private int recentEvents = DEFAULT_RECENT_EVENTS;
        private URI url;

        Builder() {
        }

        /**
         * @param token the bearer token, {@value #MIN_TOKEN_LENGTH} to 512 printable ASCII characters without spaces
         *              (e.g. {@code openssl rand -base64 32}), or {@code null} to turn the API off
         * @return this builder
         */
        public Builder token(String token) {
            if (token != null) {
                boolean printable = token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
                if (!printable || token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
                    throw new IllegalArgumentException("token must be " + TOKEN_RANGE); // never the value
                }
            }
            this.token = token;
            return this;
        }

        /**
         * @param port the API's own port, 1 to 65535, or 0 to serve it on the metrics port
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param bindAddress the address of the API's own server; default {@code 127.0.0.1}
         * @return this builder
         */
        public Builder bindAddress(String bindAddress) {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (bindAddress.isBlank() || bindAddress.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("bindAddress must be an IP address or host name, was '" + bindAddress + "'");
            }
            this.bindAddress = bindAddress;
            return this;
        }

        /**
         * @param recentEvents how many of the newest security events are kept, 10 to 100,000; default 1000
         * @return this builder
         */
        public Builder recentEvents(int recentEvents) {
            if (recentEvents < 10 || recentEvents > 100_000) {
                throw new IllegalArgumentException("recentEvents must be 10 to 100000, was " + recentEvents);
            }
            this.recentEvents = recentEvents;
            return this;
        }

        /**
         * @param url where the command-line client finds the API, an absolute {@code http://} or {@code https://} URL
         * @return this builder
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            try {
                URI u = new URI(url.strip());
                if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) || u.getHost() == null) {
                    throw new URISyntaxException(url, "not an absolute http:// or https:// URL");
                }
                this.url = u;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("url must be an absolute http:// or https:// URL, was '" + url + "'");
            }
            return this;
        }

        /** @return the configuration */
        public AdminConfig build() {
            return new AdminConfig(this);
        }
    }
}
