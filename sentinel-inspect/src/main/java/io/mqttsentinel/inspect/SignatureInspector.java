package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.inspect.internal.Builtin;
import io.mqttsentinel.inspect.internal.JsonScanner;
import io.mqttsentinel.inspect.internal.Prefilter;
import io.mqttsentinel.inspect.internal.Scratch;
import io.mqttsentinel.inspect.internal.ShellDetector;
import io.mqttsentinel.inspect.internal.SqlDetector;
import io.mqttsentinel.inspect.internal.TextDecoder;
import io.mqttsentinel.inspect.internal.TraversalDetector;
import io.mqttsentinel.inspect.internal.XssDetector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The signature half of inspection: SQL injection, command injection, XSS and path traversal, per the
 * rules of a {@link RuleSet}.
 *
 * <p>How a payload is read: a JSON object or array is tokenised over its bytes and each string, key or
 * value, is inspected on its own ({@code {"note":"O'Reilly"}} is fine, {@code {"note":"1' OR '1'='1"}} is
 * not); anything else that is text (UTF-8) is inspected as one value; binary payloads skip the text
 * signatures. A byte-level prefilter picks the values that need the detectors; those values are decoded
 * (JSON escapes, percent encoding single and double, HTML entities, backslash escapes, overlong UTF-8,
 * fullwidth forms: bounded in rounds and never longer than the input) and handed to tokenising detectors.
 *
 * <p>Cost: linear in the payload's size for any input; no allocation for a clean message once the
 * per-thread buffers have grown. Thread-safe.
 *
 * <p>Metrics: {@code inspector.patterns.matched{category}} for every finding and
 * {@code inspector.messages.blocked{category}} for every message this inspector blocks on its own
 * (exposed by a Prometheus registry as {@code inspector_patterns_matched_total} and
 * {@code inspector_messages_blocked_total}).
 */
public final class SignatureInspector implements PayloadInspector {

    /** Findings kept per message at most. */
    static final int MAX_FINDINGS = 16;
    private static final int EXCERPT_CONTEXT = 16;
    private static final int EXCERPT_CHARS = 160;

    private final RuleSet rules;
    private final int decodeRounds;
    private final int maxJsonDepth;
    private final boolean[] enabled = new boolean[Builtin.count()];
    private final Rule[] builtinRules = new Rule[Builtin.count()];
    private final Rule[] literalRules;
    private final Prefilter prefilter;
    private final boolean sql;
    private final boolean shell;
    private final boolean xss;
    private final boolean traversal;
    private final Counter[] matched = new Counter[ThreatCategory.values().length];
    private final Counter[] blocked = new Counter[ThreatCategory.values().length];
    private final ThreadLocal<Session> sessions = ThreadLocal.withInitial(Session::new);

    private SignatureInspector(RuleSet rules, InspectorConfig config, MeterRegistry registry) {
        this.rules = rules;
        this.decodeRounds = config.decodeRounds();
        this.maxJsonDepth = config.maxJsonDepth();
        List<Rule> literal = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        for (Rule r : rules.rules()) {
            if (r.builtIn()) {
                Builtin b = Builtin.byId(r.id());
                builtinRules[b.ordinal()] = r;
                enabled[b.ordinal()] = r.enabled();
            } else if (r.enabled()) {
                literal.add(r);
                literals.addAll(r.literals());
            }
        }
        this.literalRules = literal.toArray(new Rule[0]);
        this.prefilter = Prefilter.create(literals);
        this.sql = any(ThreatCategory.SQL_INJECTION);
        this.shell = any(ThreatCategory.COMMAND_INJECTION);
        this.xss = any(ThreatCategory.XSS);
        this.traversal = any(ThreatCategory.PATH_TRAVERSAL);
        for (ThreatCategory c : ThreatCategory.values()) {
            if (!c.isAnomaly()) {
                matched[c.ordinal()] = Counter.builder("inspector.patterns.matched").tag("category", c.label())
                        .description("Signature findings, by threat category").register(registry);
                blocked[c.ordinal()] = Inspectors.blockedCounter(registry, c);
            }
        }
    }

    private boolean any(ThreatCategory category) {
        for (Builtin b : Builtin.values()) {
            if (b.category() == category && enabled[b.ordinal()]) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param rules    the rules
     * @param config   the configuration (decoding rounds, JSON depth)
     * @param registry where the metrics go
     * @return the inspector
     */
    public static SignatureInspector create(RuleSet rules, InspectorConfig config, MeterRegistry registry) {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        return new SignatureInspector(rules, config, registry);
    }

    /**
     * @param config the configuration; its rule file, if any, is applied over the built-in rules
     * @param registry where the metrics go
     * @return the inspector
     * @throws RuleFileException when the configured rule file is invalid
     */
    public static SignatureInspector create(InspectorConfig config, MeterRegistry registry) {
        RuleSet set = RuleSet.builtIn();
        if (config.rulesFile().isPresent()) {
            set = set.withOverrides(config.rulesFile().get());
        }
        return create(set, config, registry);
    }

    /** @return an inspector with the built-in rules, default settings and a private registry */
    public static SignatureInspector withDefaults() {
        return create(RuleSet.builtIn(), InspectorConfig.ofDefaults(), new SimpleMeterRegistry());
    }

    /** @return the rules this inspector runs */
    public RuleSet rules() {
        return rules;
    }

    @Override
    public Verdict inspect(MessageContext context, ByteBuffer payload) {
        Session session = sessions.get();
        List<Finding> out = session.findings;
        out.clear();
        try {
            collect(payload, out);
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

    /**
     * Adds this inspector's findings on {@code payload} to {@code out} (counting them); the buffer is not changed.
     *
     * @param payload the payload between its position and limit
     * @param out     where findings go
     */
    void collect(ByteBuffer payload, List<Finding> out) {
        int len = payload.remaining();
        if (len == 0) {
            return;
        }
        Session session = sessions.get();
        Scratch s = session.scratch;
        byte[] a;
        int off;
        if (payload.hasArray()) {
            a = payload.array();
            off = payload.arrayOffset() + payload.position();
        } else {
            a = s.bytes(len);
            payload.get(payload.position(), a, 0, len);
            off = 0;
        }
        int end = off + len;
        session.out = out;
        session.bytes = a;
        session.start = out.size();
        session.stop = false;
        try {
            boolean asText = true;
            if (JsonScanner.looksLikeJson(a, off, end)) {
                asText = JsonScanner.scan(a, off, end, maxJsonDepth, prefilter, s, session) == JsonScanner.NOT_JSON
                        && !session.stop;
            }
            if (asText && JsonScanner.isText(a, off, end) && prefilter.suspicious(a, off, end)) {
                value(session, a, off, end, false, false);
            }
        } finally {
            session.out = null;
            session.bytes = null;
            s.afterMessage(len);
        }
    }

    /** Inspects one value; returns whether the message is now blocked (no need to look further). */
    private boolean value(Session session, byte[] a, int start, int end, boolean json, boolean key) {
        Scratch s = session.scratch;
        TextDecoder.decode(a, start, end, json, decodeRounds, s);
        session.valueStart = start;
        session.valueEnd = end;
        session.valueJson = json;
        char[] low = s.lower;
        int n = s.length;
        boolean block = false;
        int r;
        if (sql && (r = SqlDetector.detect(low, n, s, enabled)) >= 0) {
            block |= add(session, builtinRules[r], s);
        }
        if (shell && (r = ShellDetector.detect(low, n, !key, s, enabled)) >= 0) {
            block |= add(session, builtinRules[r], s);
        }
        if (xss && (r = XssDetector.detect(low, n, s, enabled)) >= 0) {
            block |= add(session, builtinRules[r], s);
        }
        if (traversal && (r = TraversalDetector.detect(low, n, s, enabled)) >= 0) {
            block |= add(session, builtinRules[r], s);
        }
        for (Rule rule : literalRules) {
            for (String literal : rule.literals()) {
                int at = indexOfWord(low, n, literal);
                if (at >= 0) {
                    s.hit(at, at + literal.length());
                    block |= add(session, rule, s);
                    break;
                }
            }
        }
        return block;
    }

    private boolean add(Session session, Rule rule, Scratch s) {
        List<Finding> out = session.out;
        for (int i = session.start; i < out.size(); i++) {
            if (out.get(i).ruleId().equals(rule.id())) {
                return rule.action() == Action.BLOCK;
            }
        }
        if (out.size() - session.start >= MAX_FINDINGS) {
            return rule.action() == Action.BLOCK;
        }
        TextDecoder.restoreText(session.bytes, session.valueStart, session.valueEnd, session.valueJson, decodeRounds, s);
        out.add(new Finding(rule.category(), rule.severity(), rule.action(), rule.id(),
                excerpt(s.text, s.length, s.hitStart, s.hitEnd)));
        matched[rule.category().ordinal()].increment();
        return rule.action() == Action.BLOCK;
    }

    /** Literal match on the lower-cased value; a literal that starts or ends with a letter must start or end a word. */
    static int indexOfWord(char[] t, int len, String lit) {
        int m = lit.length();
        char first = lit.charAt(0);
        boolean leftWord = Character.isLetterOrDigit(first);
        boolean rightWord = Character.isLetterOrDigit(lit.charAt(m - 1));
        outer:
        for (int i = 0; i + m <= len; i++) {
            if (t[i] != first) {
                continue;
            }
            for (int k = 1; k < m; k++) {
                if (t[i + k] != lit.charAt(k)) {
                    continue outer;
                }
            }
            if (leftWord && i > 0 && Character.isLetterOrDigit(t[i - 1])) {
                continue;
            }
            if (rightWord && i + m < len && Character.isLetterOrDigit(t[i + m])) {
                continue;
            }
            return i;
        }
        return -1;
    }

    /** A bounded excerpt around the hit, with control, non-ASCII, quote and backslash characters escaped. */
    static String excerpt(char[] text, int len, int hitStart, int hitEnd) {
        int from = Math.max(0, Math.min(hitStart, len) - EXCERPT_CONTEXT);
        int to = Math.min(len, Math.max(hitEnd, hitStart) + EXCERPT_CONTEXT);
        if (to - from > EXCERPT_CHARS) {
            to = from + EXCERPT_CHARS;
        }
        StringBuilder sb = new StringBuilder(Math.min(Finding.MAX_EXCERPT, (to - from) + 16));
        for (int i = from; i < to && sb.length() < Finding.MAX_EXCERPT - 6; i++) {
            char c = text[i];
            if (c == '\\' || c == '"') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Per-thread state of one inspection: the visitor the JSON scanner calls. */
    private final class Session implements JsonScanner.Visitor {
        final Scratch scratch = Scratch.get();
        final List<Finding> findings = new ArrayList<>();
        List<Finding> out;
        byte[] bytes;
        int start;
        boolean stop;
        /** The value being inspected: where it is in {@link #bytes}, and whether it is a JSON string. */
        int valueStart;
        int valueEnd;
        boolean valueJson;

        @Override
        public boolean string(byte[] a, int s, int e, boolean key) {
            if (value(this, a, s, e, true, key)) {
                stop = true;
            }
            return stop;
        }
    }
}
