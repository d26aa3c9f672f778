package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.SecurityEventSink;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Entry point: the inspector the core broker runs on every PUBLISH.
 *
 * <pre>{@code
 * PayloadInspector inspector = Inspectors.standard(InspectorConfig.fromEnvironment(System.getenv()),
 *         meterRegistry, Ticker.system());
 * Verdict v = inspector.inspect(context, payload);
 * }</pre>
 */
public final class Inspectors {

    private Inspectors() {
    }

    /**
     * Signatures (built-in rules plus the configured rule file) and anomalies (size, entropy, rate) in one
     * inspector. Metrics: {@code inspector.patterns.matched{category}}, {@code inspector.anomalies.detected{type}},
     * {@code inspector.messages.blocked{category}} (category of the verdict's primary finding).
     *
     * @param config   the configuration
     * @param registry where the metrics go
     * @param ticker   the time source of the rate detector
     * @return the inspector
     * @throws RuleFileException when the configured rule file is invalid
     */
    public static PayloadInspector standard(InspectorConfig config, MeterRegistry registry, Ticker ticker) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(ticker, "ticker");
        return new Standard(SignatureInspector.create(config, registry), AnomalyInspector.create(config, registry, ticker),
                registry);
    }

    /**
     * @param config the configuration
     * @return {@link #standard(InspectorConfig, MeterRegistry, Ticker)} with a private registry and the system ticker
     */
    public static PayloadInspector standard(InspectorConfig config) {
        return standard(config, new SimpleMeterRegistry(), Ticker.system());
    }

    /**
     * Wraps an inspector so that every finding of a verdict that is not {@link Verdict#allow()} becomes a
     * {@link SecurityEvent} on {@code sink}, for a host that does not report findings itself.
     *
     * @param inspector the inspector
     * @param sink      where events go
     * @param clock     the time of events
     * @return the reporting inspector
     */
    public static PayloadInspector reporting(PayloadInspector inspector, SecurityEventSink sink, Clock clock) {
        Objects.requireNonNull(inspector, "inspector");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(clock, "clock");
        return (context, payload) -> {
            Verdict v = inspector.inspect(context, payload);
            if (v.action() != Action.ALLOW) {
                for (Finding f : v.findings()) {
                    sink.accept(SecurityEvent.of(clock.instant(), context, f));
                }
            }
            return v;
        };
    }

    static Counter blockedCounter(MeterRegistry registry, ThreatCategory category) {
        return Counter.builder("inspector.messages.blocked").tag("category", category.label())
                .description("Messages blocked by the inspector, by the category of the primary finding")
                .register(registry);
    }

    /** Anomalies first (cheap), then signatures; one verdict. */
    private static final class Standard implements PayloadInspector {
        private final SignatureInspector signatures;
        private final AnomalyInspector anomalies;
        private final Counter[] blocked = new Counter[ThreatCategory.values().length];
        private final ThreadLocal<List<Finding>> lists = ThreadLocal.withInitial(ArrayList::new);

        Standard(SignatureInspector signatures, AnomalyInspector anomalies, MeterRegistry registry) {
            this.signatures = signatures;
            this.anomalies = anomalies;
            for (ThreatCategory c : ThreatCategory.values()) {
                blocked[c.ordinal()] = blockedCounter(registry, c);
            }
        }

        @Override
        public Verdict inspect(MessageContext context, ByteBuffer payload) {
            List<Finding> out = lists.get();
            out.clear();
            try {
                anomalies.collect(context, payload, out);
                signatures.collect(payload, out);
                if (out.isEmpty()) {
                    return Verdict.allow();
                }
                Verdict v = Verdict.of(out);
                if (v.action() == Action.BLOCK) {
                    blocked[v.findings().get(0).category().ordinal()].increment();
                }
                return v;
            } finally {
                out.clear();
            }
        }

        @Override
        public String toString() {
            return "StandardInspector{" + signatures.rules() + "}";
        }
    }
}
