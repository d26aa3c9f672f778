package io.mqttsentinel.inspect;

import io.mqttsentinel.api.Topics;
import io.mqttsentinel.config.Setting;
import io.mqttsentinel.config.SettingsReader;
import io.mqttsentinel.config.Values;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a process's security events go: the rotated event files ({@link JsonLinesEventSink}), and when set a topic
 * of the core broker ({@link MqttEventSink}), a syslog receiver ({@link SyslogEventSink}), an HTTP collector
 * ({@link HttpEventSink}) and a Kafka topic. Read from {@code SENTINEL_EVENTS_*} by {@link #fromEnvironment(Map)}
 * ({@link #settings()} lists the keys, defaults and ranges, the only place they are written).
 *
 * <p>Immutable; {@link #toString()} shows neither the bearer token nor a URL's user info or query. The builder
 * checks each value as the sink would when it is set, and {@link Builder#build()} checks that a syslog CA comes
 * with a {@code tls://} receiver.
 */
public final class EventsConfig {
    /** Environment key of {@link #topic()}. */
    public static final String ENV_TOPIC = "SENTINEL_EVENTS_TOPIC";
    /** Environment key of {@link #http()}. */
    public static final String ENV_HTTP = "SENTINEL_EVENTS_HTTP";
    /** Environment key of {@link #syslogCa()}. */
    public static final String ENV_SYSLOG_CA = "SENTINEL_EVENTS_SYSLOG_CA";
    /** Environment key of {@link #kafkaBootstrap()}. */
    public static final String ENV_KAFKA_BOOTSTRAP = "SENTINEL_EVENTS_KAFKA_BOOTSTRAP";
    /** Environment key of {@link #kafkaTopic()}. */
    public static final String ENV_KAFKA_TOPIC = "SENTINEL_EVENTS_KAFKA_TOPIC";

    /** Default of {@link #fileMaxBytes()}. */
    public static final long DEFAULT_FILE_MAX_BYTES = 100L << 20;
    /** Default of {@link #kafkaTopic()}. */
    public static final String DEFAULT_KAFKA_TOPIC = "sentinel-security-events";
    private static final int DEFAULT_FILE_KEEP = 10;

    private static final String MAX_BYTES_RANGE = "0 (no size rotation), or 1k to 1t";
    private static final String MAX_AGE_RANGE = "1s to 366d, e.g. 45s, 30m, 24h, 1d";
    private static final String SYSLOG_FORM = "tcp://host[:port] or tls://host[:port]";
    private static final String HTTP_FORM = "an absolute http:// or https:// URL";
    private static final String TOKEN_FORM = "printable ASCII without spaces";
    private static final String PEM = "a readable PEM file";
    private static final String BOOTSTRAP_FORM = "host:port[,host:port...], port 1 to 65535";
    private static final String KAFKA_TOPIC_FORM = "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -";
    private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private static final List<Setting<Builder>> SETTINGS = List.of(
            Setting.text(ENV_TOPIC, "topic", "", "an MQTT topic without wildcards",
                    "Also publish the broker's security events as JSON on this core topic (unset: file only)", Builder::topic),
            Setting.text("SENTINEL_EVENTS_FILE_MAX_BYTES", "fileMaxBytes", "100m",
                    "0 (no size rotation), or 1k to 1t; bytes or k, m, g, t suffix",
                    "Rotate a security event file (events/*-events.jsonl) once it reaches this size",
                    (b, v) -> b.fileMaxBytes(sizeOf(v))),
            Setting.text("SENTINEL_EVENTS_FILE_MAX_AGE", "fileMaxAge", "", "1s to 366d; 45s, 30m, 24h, 1d or ISO-8601",
                    "Also rotate a security event file opened this long ago, when the next event comes (unset: by size only)",
                    (b, v) -> b.fileMaxAge(durationOf(v))),
            Setting.integer("SENTINEL_EVENTS_FILE_KEEP", "fileKeep", 0, 1000, DEFAULT_FILE_KEEP,
                    "Rotated security event files kept per file (.1 newest); older ones are deleted", Builder::fileKeep),
            Setting.text("SENTINEL_EVENTS_SYSLOG", "syslog", "",
                    "tcp://host[:port] (default 514) or tls://host[:port] (default 6514)",
                    "Also send security events to this syslog receiver, RFC 5424 with structured data, octet-counted",
                    (b, v) -> b.syslog(uriOf(v, "syslog", SYSLOG_FORM))),
            Setting.text(ENV_SYSLOG_CA, "syslogCa", "", "a readable PEM file; only with tls://",
                    "CAs that verify the syslog receiver (unset: the JVM's trust store)",
                    (b, v) -> b.syslogCa(pemOf(v, "syslogCa"))),
            Setting.text(ENV_HTTP, "http", "", HTTP_FORM,
                    "Also POST security events as JSON arrays (up to 100 per request, 1 s apart at most) to this collector",
                    (b, v) -> b.http(uriOf(v, "http", HTTP_FORM))),
            Setting.text("SENTINEL_EVENTS_HTTP_TOKEN", "httpToken", "", TOKEN_FORM,
                    "Sent as 'Authorization: Bearer <token>' to SENTINEL_EVENTS_HTTP", Builder::httpToken).secret(),
            Setting.text("SENTINEL_EVENTS_HTTP_CA", "httpCa", "", PEM, "CAs that verify an https:// SENTINEL_EVENTS_HTTP "
                    + "(unset: the JVM's trust store)", (b, v) -> b.httpCa(pemOf(v, "httpCa"))),
            Setting.text(ENV_KAFKA_BOOTSTRAP, "kafkaBootstrap", "", "host:port[,host:port...]; port 1 to 65535",
                    "Also produce security events as JSON, keyed by client id (acks=all, idempotent), to this Kafka "
                            + "cluster (unset: off)", Builder::kafkaBootstrap),
            Setting.text(ENV_KAFKA_TOPIC, "kafkaTopic", DEFAULT_KAFKA_TOPIC, "1 to 249 of a-z A-Z 0-9 . _ -",
                    "Kafka topic of the security events; it must exist or the brokers must auto-create it",
                    Builder::kafkaTopic));

    private final String topic;
    private final long fileMaxBytes;
    private final Duration fileMaxAge;
    private final int fileKeep;
    private final URI syslog;
    private final Path syslogCa;
    private final URI http;
    private final String httpToken;
    private final Path httpCa;
    private final String kafkaBootstrap;
    private final String kafkaTopic;

    private EventsConfig(Builder b) {
        this.topic = b.topic;
        this.fileMaxBytes = b.fileMaxBytes;
        this.fileMaxAge = b.fileMaxAge;
        this.fileKeep = b.fileKeep;
        this.syslog = b.syslog;
        this.syslogCa = b.syslogCa;
        this.http = b.http;
        this.httpToken = b.httpToken;
        this.httpCa = b.httpCa;
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.kafkaTopic = b.kafkaTopic;
    }

    /** @return event files only, rotated at 100 MiB, 10 kept */
    public static EventsConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.topic = topic;
        b.fileMaxBytes = fileMaxBytes;
        b.fileMaxAge = fileMaxAge;
        b.fileKeep = fileKeep;
        b.syslog = syslog;
        b.syslogCa = syslogCa;
        b.http = http;
        b.httpToken = httpToken;
        b.httpCa = httpCa;
        b.kafkaBootstrap = kafkaBootstrap;
        b.kafkaTopic = kafkaTopic;
        return b;
    }

    /** @return every {@code SENTINEL_EVENTS_*} key, its builder parameter, default and range; unmodifiable */
    public static List<Setting<Builder>> settings() {
        return SETTINGS;
    }

    /**
     * Reads the keys of {@link #settings()}; a missing or blank key takes its default.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @return the configuration
     * @throws IllegalArgumentException naming the key and what is allowed when a value is invalid (the token's value
     *                                  is never shown)
     */
    public static EventsConfig fromEnvironment(Map<String, String> env) {
        return SettingsReader.apply(SETTINGS, env, builder()).build();
    }

    /** @return the core topic the broker also publishes its events on, or {@code null} for none */
    public String topic() {
        return topic;
    }

    /** @return rotate an event file at this size, 0 = never */
    public long fileMaxBytes() {
        return fileMaxBytes;
    }

    /** @return rotate an event file opened this long ago, or {@code null} for never */
    public Duration fileMaxAge() {
        return fileMaxAge;
    }

    /** @return rotated event files kept */
    public int fileKeep() {
        return fileKeep;
    }

    /** @return the syslog receiver, or {@code null} for none */
    public URI syslog() {
        return syslog;
    }

    /** @return the CAs that verify a {@code tls://} syslog receiver, or {@code null} for the JVM's */
    public Path syslogCa() {
        return syslogCa;
    }

    /** @return the HTTP collector, or {@code null} for none */
    public URI http() {
        return http;
    }

    /** @return the collector's bearer token, or {@code null} for none */
    public String httpToken() {
        return httpToken;
    }

    /** @return the CAs that verify an {@code https://} collector, or {@code null} for the JVM's */
    public Path httpCa() {
        return httpCa;
    }

    /** @return the Kafka cluster of the events, {@code host:port[,host:port...]}, or {@code null} for none */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** @return the Kafka topic of the events (never null) */
    public String kafkaTopic() {
        return kafkaTopic;
    }

    /**
     * @return where the remote sinks this config names send events, for a log line, in the order
     *         {@link EventSinks#open} opens them: {@code syslog tls://h:6514}, {@code http https://****@h/in} (user
     *         info and secret query values masked), {@code kafka k1:9092 topic t}; empty when events go to files only
     */
    public List<String> remoteDestinations() {
        List<String> out = new ArrayList<>();
        if (syslog != null) {
            out.add("syslog " + syslog);
        }
        if (http != null) {
            out.add("http " + Values.maskUrl(http.toString()));
        }
        if (kafkaBootstrap != null) {
            out.add("kafka " + kafkaBootstrap + " topic " + kafkaTopic);
        }
        return out;
    }

    @Override
    public String toString() {
        return "EventsConfig{topic=" + topic + ", fileMaxBytes=" + fileMaxBytes + ", fileMaxAge=" + fileMaxAge
                + ", fileKeep=" + fileKeep + ", syslog=" + syslog + ", http=" + (http == null ? null
                : http.getScheme() + "://" + http.getHost() + (http.getPort() < 0 ? "" : ":" + http.getPort()) + http.getPath())
                + (httpToken != null ? ", httpToken=****" : "") + ", kafkaBootstrap=" + kafkaBootstrap
                + ", kafkaTopic=" + kafkaTopic + "}";
    }

    private static long sizeOf(String v) {
        try {
            return Values.size(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fileMaxBytes must be " + MAX_BYTES_RANGE, e);
        }
    }

    private static Duration durationOf(String v) {
        try {
            return Values.duration(v, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fileMaxAge must be " + MAX_AGE_RANGE, e);
        }
    }

    private static URI uriOf(String v, String parameter, String form) {
        try {
            return new URI(v.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(parameter + " must be " + form, e);
        }
    }

    private static Path pemOf(String v, String parameter) {
        Path p = Path.of(v);
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new IllegalArgumentException(parameter + " must be " + PEM);
        }
        return p;
    }

    /** Checks each value when it is set; {@link #build()} copies them. Not thread-safe. */
    public static final class Builder {
        private String topic;
        private long fileMaxBytes = DEFAULT_FILE_MAX_BYTES;
        private Duration fileMaxAge;
        private int fileKeep = DEFAULT_FILE_KEEP;
        private URI syslog;
        private Path syslogCa;
        private URI http;
        private String httpToken;
        private Path httpCa;
        private String kafkaBootstrap;
        private String kafkaTopic = DEFAULT_KAFKA_TOPIC;

        Builder() {
        }

        /**
         * @param topic an MQTT topic name without wildcards, or {@code null} for none
         * @return this builder
         */
        public Builder topic(String topic) {
            if (topic != null && !Topics.isValidName(topic)) {
                throw new IllegalArgumentException("topic must be an MQTT topic without wildcards");
            }
            this.topic = topic;
            return this;
        }

        /**
         * @param bytes 0 (no size rotation), or 1 KiB to 1 TiB; default 100 MiB
         * @return this builder
         */
        public Builder fileMaxBytes(long bytes) {
            if (bytes != 0 && (bytes < 1024 || bytes > (1L << 40))) {
                throw new IllegalArgumentException("fileMaxBytes must be " + MAX_BYTES_RANGE + ", was " + bytes);
            }
            this.fileMaxBytes = bytes;
            return this;
        }

        /**
         * @param age 1 s to 366 days, or {@code null} to rotate by size only (the default)
         * @return this builder
         */
        public Builder fileMaxAge(Duration age) {
            if (age != null && (age.compareTo(Duration.ofSeconds(1)) < 0 || age.compareTo(Duration.ofDays(366)) > 0)) {
                throw new IllegalArgumentException("fileMaxAge must be " + MAX_AGE_RANGE + ", was " + age);
            }
            this.fileMaxAge = age;
            return this;
        }

        /**
         * @param keep rotated files kept, 0 to 1000; default 10
         * @return this builder
         */
        public Builder fileKeep(int keep) {
            this.fileKeep = Values.checkRange("fileKeep", keep, 0, 1000);
            return this;
        }

        /**
         * @param syslog {@code tcp://host[:port]} or {@code tls://host[:port]}, or {@code null} for none
         * @return this builder
         */
        public Builder syslog(URI syslog) {
            if (syslog != null) {
                try {
                    SyslogEventSink.builder(syslog); // checks the form as the sink will
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("syslog must be " + SYSLOG_FORM, e);
                }
            }
            this.syslog = syslog;
            return this;
        }

        /**
         * @param ca CAs (PEM) that verify a {@code tls://} syslog receiver, or {@code null} for the JVM's
         * @return this builder
         */
        public Builder syslogCa(Path ca) {
            this.syslogCa = ca;
            return this;
        }

        /**
         * @param http an absolute {@code http://} or {@code https://} URL, or {@code null} for none
         * @return this builder
         */
        public Builder http(URI http) {
            if (http != null) {
                try {
                    HttpEventSink.builder(http);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("http must be " + HTTP_FORM, e);
                }
            }
            this.http = http;
            return this;
        }

        /**
         * @param token printable ASCII without spaces, or {@code null} for none
         * @return this builder
         */
        public Builder httpToken(String token) {
            String t = token == null ? null : token.trim();
            if (t != null) {
                try {
                    HttpEventSink.builder(URI.create("http://check/")).bearerToken(t);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("httpToken must be " + TOKEN_FORM); // never the value
                }
            }
            this.httpToken = t;
            return this;
        }

        /**
         * @param ca CAs (PEM) that verify an {@code https://} collector, or {@code null} for the JVM's
         * @return this builder
         */
        public Builder httpCa(Path ca) {
            this.httpCa = ca;
            return this;
        }

        /**
         * @param servers {@code host:port[,host:port...]} as Kafka's {@code bootstrap.servers} takes it (not
         *                resolved), or {@code null}/blank for none
         * @return this builder
         */
        public Builder kafkaBootstrap(String servers) {
            if (servers == null || servers.isBlank()) {
                this.kafkaBootstrap = null;
                return this;
            }
            List<String> out = new ArrayList<>();
            for (String part : servers.split(",", -1)) {
                String server = part.trim();
                int colon = server.lastIndexOf(':');
                boolean ok = colon > 0 && colon < server.length() - 1;
                if (ok) {
                    try {
                        int port = Integer.parseInt(server.substring(colon + 1));
                        ok = port >= 1 && port <= 65535 && !server.substring(0, colon).isBlank()
                                && server.chars().noneMatch(Character::isWhitespace);
                    } catch (NumberFormatException e) {
                        ok = false;
                    }
                }
                if (!ok) {
                    throw new IllegalArgumentException("kafkaBootstrap must be " + BOOTSTRAP_FORM);
                }
                out.add(server);
            }
            this.kafkaBootstrap = String.join(",", out);
            return this;
        }

        /**
         * @param topic a Kafka topic name; default {@code sentinel-security-events}
         * @return this builder
         */
        public Builder kafkaTopic(String topic) {
            String t = Objects.requireNonNull(topic, "topic").trim();
            if (!KAFKA_TOPIC_NAME.matcher(t).matches() || t.equals(".") || t.equals("..")) {
                throw new IllegalArgumentException("kafkaTopic must be " + KAFKA_TOPIC_FORM);
            }
            this.kafkaTopic = t;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException when a syslog CA is set without a {@code tls://} receiver
         */
        public EventsConfig build() {
            if (syslogCa != null && (syslog == null || !"tls".equalsIgnoreCase(syslog.getScheme()))) {
                throw new IllegalArgumentException(ENV_SYSLOG_CA + "='" + syslogCa + "': must be set only with "
                        + "SENTINEL_EVENTS_SYSLOG=tls://...");
            }
            return new EventsConfig(this);
        }
    }
}
