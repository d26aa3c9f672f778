package io.mqttsentinel.inspect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;

/**
 * The security event sinks an {@link EventsConfig} names, for a process whose layers (proxy, broker) share them. The
 * remote sinks, opened once by {@link #open}: a syslog receiver ({@link EventsConfig#syslog()}), an HTTP collector
 * ({@link EventsConfig#http()}), then those that other modules open from the same settings, given as {@link Opener}s
 * (the Kafka topic: {@code KafkaEventSink::open} in {@code sentinel-events-kafka}). As a sink it hands every event to
 * each remote sink in that order. A rotated file per layer comes from {@link #file}.
 *
 * <pre>{@code
 * EventSinks sinks = EventSinks.open(EventsConfig.fromEnvironment(env), registry, KafkaEventSink::open);
 * JsonLinesEventSink file = sinks.file(dataDir.resolve("events/proxy-events.jsonl"), "file-proxy");
 * SecurityEventSink proxyEvents = file.andThen(sinks);
 * }</pre>
 *
 * <p>{@link #close()} closes the remote sinks, the last opened first; each file is its caller's to close. Thread-safe;
 * {@link #accept} never blocks (every sink queues).
 */
public final class EventSinks implements SecurityEventSink, AutoCloseable {
    /** Opens a remote sink of another module from the same settings, when they name it. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param config   the settings
         * @param registry where the sink registers its meters
         * @return the open sink, or empty when {@code config} does not name it
         */
        Optional<? extends QueuedEventSink> open(EventsConfig config, MeterRegistry registry);
    }

    private final EventsConfig config;
    private final MeterRegistry registry;
    private final List<QueuedEventSink> remote;

    private EventSinks(EventsConfig config, MeterRegistry registry, List<QueuedEventSink> remote) {
        this.config = config;
        this.registry = registry;
        this.remote = List.copyOf(remote);
    }

    /**
     * Opens the remote sinks that {@code config} names; their meters are tagged {@code sink=syslog}, {@code http},
     * and as each opener names its own.
     *
     * @param config   the settings
     * @param registry where the sinks register {@code sentinel.events.*}
     * @param others   openers of the sinks of other modules, in order
     * @return the sinks; none is left open when one fails to open
     */
    public static EventSinks open(EventsConfig config, MeterRegistry registry, Opener... others) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        List<QueuedEventSink> remote = new ArrayList<>();
        try {
            if (config.syslog() != null) {
                SyslogEventSink.Builder b = SyslogEventSink.builder(config.syslog()).meterRegistry(registry, "syslog");
                if (config.syslogCa() != null) {
                    b.trustedCa(config.syslogCa());
                }
                remote.add(b.build());
            }
            if (config.http() != null) {
                HttpEventSink.Builder b = HttpEventSink.builder(config.http()).meterRegistry(registry, "http");
                if (config.httpToken() != null) {
                    b.bearerToken(config.httpToken());
                }
                if (config.httpCa() != null) {
                    b.trustedCa(config.httpCa());
                }
                remote.add(b.build());
            }
            for (Opener o : others) {
                o.open(config, registry).ifPresent(remote::add);
            }
        } catch (RuntimeException e) {
            new EventSinks(config, registry, remote).close();
            throw e;
        }
        return new EventSinks(config, registry, remote);
    }

    /**
     * Opens a layer's event file, rotated as the settings say ({@link EventsConfig#fileMaxBytes()},
     * {@link EventsConfig#fileMaxAge()}, {@link EventsConfig#fileKeep()}).
     *
     * @param file the file, e.g. {@code events/broker-events.jsonl}
     * @param name the {@code sink} tag of its meters, e.g. {@code file-broker}
     * @return the open sink, the caller's to close
     */
    public JsonLinesEventSink file(Path file, String name) {
        return JsonLinesEventSink.builder(file).maxBytes(config.fileMaxBytes()).maxAge(config.fileMaxAge())
                .keep(config.fileKeep()).meterRegistry(registry, name).build();
    }

    @Override
    public void accept(SecurityEvent event) {
        for (QueuedEventSink s : remote) {
            s.accept(event);
        }
    }

    /** Closes the remote sinks, the last opened first, each even when another fails (that failure is thrown after). */
    @Override
    public void close() {
        RuntimeException failed = null;
        for (int i = remote.size() - 1; i >= 0; i--) {
            try {
                remote.get(i).close();
            } catch (RuntimeException e) { // the others still close
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
