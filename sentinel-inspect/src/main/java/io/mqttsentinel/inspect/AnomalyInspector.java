package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.ConnectionInspector;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Ticker;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.internal.Entropy;
import io.mqttsentinel.inspect.internal.RateTracker;
import io.mqttsentinel.inspect.internal.Scratch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The behavioural half of inspection, per the seed:
 * <ul>
 * <li>payload larger than {@link InspectorConfig#maxPayloadBytes()} (10 KB): {@link Action#QUARANTINE}
 *     (rule {@value #SIZE_RULE});</li>
 * <li>Shannon entropy above {@link InspectorConfig#entropyThreshold()} (7.5 bits/byte) on payloads of at
 *     least {@link InspectorConfig#entropyMinBytes()}: {@link Action#FLAG} (rule {@value #ENTROPY_RULE});
 *     a payload of ASCII bytes only cannot exceed 7 bits per byte and is not measured when the threshold
 *     is 7 or more;</li>
 * <li>a client above {@link InspectorConfig#rateLimit()} messages per second: the excess messages are
 *     rate limited ({@link Action#BLOCK}, rule {@value #MESSAGE_RATE_RULE}); a source above
 *     {@link InspectorConfig#connectionRateLimit()} connections per second, through
 *     {@link #inspectConnection(String)} (rule {@value #CONNECTION_RATE_RULE}). Token buckets, time from
 *     the injected {@link Ticker} (monotonic: a wall-clock step neither empties nor refills them).</li>
 * </ul>
 * Every finding is counted in {@code inspector.anomalies.detected{type}} ({@code type} is
 * {@code payload_size}, {@code entropy} or {@code rate}). Thread-safe; no allocation for a normal message.
 */
public final class AnomalyInspector implements PayloadInspector, ConnectionInspector {

    /** Rule id of the size anomaly. */
    public static final String SIZE_RULE = "anomaly-payload-size";
    /** Rule id of the entropy anomaly. */
    public static final String ENTROPY_RULE = "anomaly-entropy";
    /** Rule id of the per-client message rate anomaly. */
    public static final String MESSAGE_RATE_RULE = "anomaly-message-rate";
    /** Rule id of the per-source connection rate anomaly. */
    public static final String CONNECTION_RATE_RULE = "anomaly-connection-rate";

    private final InspectorConfig config;
    private final Ticker ticker;
    private final RateTracker messages;
    private final java.util.Set<String> exempt;
    private final RateTracker connections;
    private final Counter size;
    private final Counter entropy;
    private final Counter rate;
    private final Counter blockedRate;

    private AnomalyInspector(InspectorConfig config, MeterRegistry registry, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        this.messages = new RateTracker(config.rateLimit(), config.rateTrackedKeys());
        this.exempt = config.rateExemptClients();
        this.connections = new RateTracker(config.connectionRateLimit(), config.rateTrackedKeys());
        this.size = counter(registry, ThreatCategory.PAYLOAD_SIZE);
        this.entropy = counter(registry, ThreatCategory.ENTROPY);
        this.rate = counter(registry, ThreatCategory.RATE);
        this.blockedRate = Inspectors.blockedCounter(registry, ThreatCategory.RATE);
    }

    private static Counter counter(MeterRegistry registry, ThreatCategory type) {
        return Counter.builder("inspector.anomalies.detected").tag("type", type.label())
                .description("Behavioural anomalies, by type").register(registry);
    }

    /**
     * @param config   thresholds
     * @param registry where the metrics go
     * @param ticker   the time source of the rate detector ({@link Ticker#system()}; tests pass one they move)
     * @return the inspector
     */
    public static AnomalyInspector create(InspectorConfig config, MeterRegistry registry, Ticker ticker) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(ticker, "ticker");
        return new AnomalyInspector(config, registry, ticker);
    }

    @Override
    public Verdict inspect(MessageContext context, ByteBuffer payload) {
        List<Finding> out = null;
        Finding f = sizeFinding(payload);
        if (f != null) {
            out = new ArrayList<>(3);
            out.add(f);
        }
        f = entropyFinding(payload);
        if (f != null) {
            out = out == null ? new ArrayList<>(2) : out;
            out.add(f);
        }
        f = rateFinding(context);
        if (f != null) {
            out = out == null ? new ArrayList<>(1) : out;
            out.add(f);
            blockedRate.increment();
        }
        return out == null ? Verdict.allow() : Verdict.of(out);
    }

    /**
     * Adds the anomalies of one message to {@code out}.
     *
     * @param context the message
     * @param payload its payload (not changed)
     * @param out     where findings go
     */
    void collect(MessageContext context, ByteBuffer payload, List<Finding> out) {
        Finding f = sizeFinding(payload);
        if (f != null) {
            out.add(f);
        }
        f = entropyFinding(payload);
        if (f != null) {
            out.add(f);
        }
        f = rateFinding(context);
        if (f != null) {
            out.add(f);
        }
    }

    /**
     * Counts a new connection from {@code sourceAddress}; the proxy calls it on every CONNECT.
     *
     * @param sourceAddress the source, e.g. an IP address
     * @return {@link Verdict#allow()}, or a {@link Action#BLOCK} verdict when the source is above the
     *         connection rate
     */
    @Override
    public Verdict inspectConnection(String sourceAddress) {
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        if (!connections.exceeded(sourceAddress, nowMillis())) {
            return Verdict.allow();
        }
        rate.increment();
        return Verdict.of(List.of(new Finding(ThreatCategory.RATE, Severity.MEDIUM, Action.BLOCK, CONNECTION_RATE_RULE,
                "source " + excerptOf(sourceAddress) + " above " + config.connectionRateLimit() + " connections/s")));
    }

    private Finding sizeFinding(ByteBuffer payload) {
        int n = payload.remaining();
        if (n <= config.maxPayloadBytes()) {
            return null;
        }
        size.increment();
        return new Finding(ThreatCategory.PAYLOAD_SIZE, Severity.MEDIUM, Action.QUARANTINE, SIZE_RULE,
                "payload of " + n + " bytes, above " + config.maxPayloadBytes());
    }

    private Finding entropyFinding(ByteBuffer payload) {
        int n = payload.remaining();
        if (n < config.entropyMinBytes()) {
            return null;
        }
        if (config.entropyThreshold() >= 7.0 && Entropy.isAscii(payload)) {
            return null;
        }
        double h = Entropy.bitsPerByte(payload, Scratch.get().histogram);
        if (h <= config.entropyThreshold()) {
            return null;
        }
        entropy.increment();
        return new Finding(ThreatCategory.ENTROPY, Severity.LOW, Action.FLAG, ENTROPY_RULE,
                String.format(Locale.ROOT, "entropy %.3f bits/byte over %d bytes, above %.2f", h, n,
                        config.entropyThreshold()));
    }

    /** The ticker in milliseconds: the rate buckets only subtract readings, so its origin does not matter. */
    private long nowMillis() {
        return Math.floorDiv(ticker.nanoTime(), 1_000_000L);
    }

    private Finding rateFinding(MessageContext context) {
        if (exempt.contains(context.clientId())) {
            return null;
        }
        if (!messages.exceeded(context.clientId(), nowMillis())) {
            return null;
        }
        rate.increment();
        return new Finding(ThreatCategory.RATE, Severity.MEDIUM, Action.BLOCK, MESSAGE_RATE_RULE,
                "client " + excerptOf(context.clientId()) + " above " + config.rateLimit() + " messages/s");
    }

    private static String excerptOf(String s) {
        char[] c = s.toCharArray();
        return SignatureInspector.excerpt(c, c.length, 0, Math.min(c.length, 64));
    }
}
