package io.mqttsentinel.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.mqttsentinel.api.Topics;

/**
 * Maps the core broker's internal topics to the customer's topic structure (outbound) and the origin's
 * topics back to internal ones (inbound), with ordered template rules.
 *
 * <p>A rule is {@code pattern -> template}. The pattern is an MQTT topic filter whose levels are literals,
 * named captures {@code {name}} (exactly one non-empty level), {@code +} (one level, captured by position) or
 * a final {@code #} (the remaining levels, zero or more). The template is a topic whose levels may embed
 * {@code {name}} anywhere ({@code dev-{client_id}}), use {@code +} for the pattern's {@code +} captures in
 * the same order, and end in {@code #} for the pattern's tail. When {@code #} matched zero levels the
 * template's {@code /#} disappears: {@code clients/# -> sentinel/clients/#} maps {@code clients} to
 * {@code sentinel/clients}. As in MQTT, wildcards and captures at the first level never match a topic
 * starting with {@code $}.
 *
 * <pre>{@code
 * TopicRewriter r = TopicRewriter.builder()
 *         .outbound("clients/{client_id}/telemetry", "devices/{client_id}/telemetry")
 *         .outbound("clients/#", "sentinel/clients/#")
 *         .inbound("sentinel/alerts/{client_id}", "clients/{client_id}/alerts")
 *         .build();
 * r.outbound("clients/d1/telemetry"); // Optional[devices/d1/telemetry]
 * r.inbound("sentinel/alerts/d1");    // Optional[clients/d1/alerts]
 * }</pre>
 *
 * <p>Rules are tried in the order given; the first that matches wins. A topic that no rule matches is
 * passed unchanged or dropped, per direction ({@link Unmatched}); by default outbound topics pass and
 * inbound topics are dropped, so that the origin can publish only where a rule allows it. Every rule is
 * validated when it is added. Immutable and thread-safe.
 */
public final class TopicRewriter {
    /** What happens to a topic that no rule matches. */
    public enum Unmatched {
        /** The topic is used unchanged. */
        PASS,
        /** The message is not forwarded (it is acknowledged and counted as dropped). */
        DROP
    }

    /** Default outbound rule: every internal {@code clients/...} topic under the {@code sentinel/} prefix. */
    public static final String DEFAULT_OUTBOUND_RULE = "clients/# -> sentinel/clients/#";
    /** Default inbound rule: an origin alert for one client to that client's alerts topic. */
    public static final String DEFAULT_INBOUND_RULE = "sentinel/alerts/{client_id} -> clients/{client_id}/alerts";

    private final List<Rule> outbound;
    private final List<Rule> inbound;
    private final Unmatched unmatchedOutbound;
    private final Unmatched unmatchedInbound;

    private TopicRewriter(Builder b) {
        this.outbound = List.copyOf(b.outbound);
        this.inbound = List.copyOf(b.inbound);
        this.unmatchedOutbound = b.unmatchedOutbound;
        this.unmatchedInbound = b.unmatchedInbound;
    }

    /** @return a builder with no rules, unmatched outbound PASS, unmatched inbound DROP */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the rewriter with {@link #DEFAULT_OUTBOUND_RULE} and {@link #DEFAULT_INBOUND_RULE} */
    public static TopicRewriter ofDefaults() {
        return builder().outboundRule(DEFAULT_OUTBOUND_RULE).inboundRule(DEFAULT_INBOUND_RULE).build();
    }

    /**
     * @param internalTopic a topic on the core broker
     * @return the topic to publish on at the origin, or empty when the message is to be dropped
     */
    public Optional<String> outbound(String internalTopic) {
        return rewrite(outbound, unmatchedOutbound, internalTopic);
    }

    /**
     * @param originTopic a topic on the origin
     * @return the topic to publish on at the core broker, or empty when the message is to be dropped
     */
    public Optional<String> inbound(String originTopic) {
        return rewrite(inbound, unmatchedInbound, originTopic);
    }

    private static Optional<String> rewrite(List<Rule> rules, Unmatched unmatched, String topic) {
        Objects.requireNonNull(topic, "topic");
        for (Rule rule : rules) {
            Optional<String> out = rule.apply(topic);
            if (out.isPresent()) {
                return out;
            }
        }
        return unmatched == Unmatched.PASS ? Optional.of(topic) : Optional.empty();
    }

    /** @return the outbound rules, in order */
    public List<Rule> outboundRules() {
        return outbound;
    }

    /** @return the inbound rules, in order */
    public List<Rule> inboundRules() {
        return inbound;
    }

    /** @return what happens to outbound topics that no rule matches */
    public Unmatched unmatchedOutbound() {
        return unmatchedOutbound;
    }

    /** @return what happens to inbound topics that no rule matches */
    public Unmatched unmatchedInbound() {
        return unmatchedInbound;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TopicRewriter)) {
            return false;
        }
        TopicRewriter that = (TopicRewriter) o;
        return outbound.equals(that.outbound) && inbound.equals(that.inbound)
                && unmatchedOutbound == that.unmatchedOutbound && unmatchedInbound == that.unmatchedInbound;
    }

    @Override
    public int hashCode() {
        return Objects.hash(outbound, inbound, unmatchedOutbound, unmatchedInbound);
    }

    @Override
    public String toString() {
        return "TopicRewriter[outbound=" + outbound + ", unmatchedOutbound=" + unmatchedOutbound
                + ", inbound=" + inbound + ", unmatchedInbound=" + unmatchedInbound + "]";
    }

    /** Collects rules; each is validated as it is added. Not thread-safe. */
    public static final class Builder {
        private final List<Rule> outbound = new ArrayList<>();
        private final List<Rule> inbound = new ArrayList<>();
        private Unmatched unmatchedOutbound = Unmatched.PASS;
        private Unmatched unmatchedInbound = Unmatched.DROP;

        Builder() {
        }

        /**
         * @param pattern  the internal topic pattern
         * @param template the origin topic template
         * @return this builder
         * @throws IllegalArgumentException when the rule is invalid
         */
        public Builder outbound(String pattern, String template) {
            outbound.add(Rule.of(pattern, template));
            return this;
        }

        /**
         * @param rule {@code "pattern -> template"}
         * @return this builder
         * @throws IllegalArgumentException when the rule is invalid
         */
        public Builder outboundRule(String rule) {
            outbound.add(Rule.parse(rule));
            return this;
        }

        /**
         * @param pattern  the origin topic pattern
         * @param template the internal topic template
         * @return this builder
         * @throws IllegalArgumentException when the rule is invalid
         */
        public Builder inbound(String pattern, String template) {
            inbound.add(Rule.of(pattern, template));
            return this;
        }

        /**
         * @param rule {@code "pattern -> template"}
         * @return this builder
         * @throws IllegalArgumentException when the rule is invalid
         */
        public Builder inboundRule(String rule) {
            inbound.add(Rule.parse(rule));
            return this;
        }

        /**
         * @param policy what happens to outbound topics that no rule matches (default PASS)
         * @return this builder
         */
        public Builder unmatchedOutbound(Unmatched policy) {
            this.unmatchedOutbound = Objects.requireNonNull(policy, "unmatchedOutbound");
            return this;
        }

        /**
         * @param policy what happens to inbound topics that no rule matches (default DROP)
         * @return this builder
         */
        public Builder unmatchedInbound(Unmatched policy) {
            this.unmatchedInbound = Objects.requireNonNull(policy, "unmatchedInbound");
            return this;
        }

        /** @return the rewriter */
        public TopicRewriter build() {
            return new TopicRewriter(this);
        }
    }

    /** One validated {@code pattern -> template} rule. Immutable. */
    public static final class Rule {
        private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
        private static final String ARROW = "->";

        private final String pattern;
        private final String template;
        /** Per pattern level: a literal, or null for a capture; names.get(i) names a {name} capture. */
        private final String[] literals;
        private final String[] names;
        private final boolean[] plus;
        private final boolean hashTail;
        private final List<Part> parts;
        private final boolean templateHashTail;

        private Rule(String pattern, String template) {
            this.pattern = pattern;
            this.template = template;
            String where = "topic rule '" + pattern + " " + ARROW + " " + template + "'";
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException(where + ": pattern must not be empty");
            }
            if (template.isEmpty()) {
                throw new IllegalArgumentException(where + ": template must not be empty");
            }
            String[] levels = pattern.split("/", -1);
            int n = levels.length;
            boolean tail = "#".equals(levels[n - 1]);
            int fixed = tail ? n - 1 : n;
            literals = new String[fixed];
            names = new String[fixed];
            plus = new boolean[fixed];
            Set<String> captured = new HashSet<>();
            int plusCount = 0;
            for (int i = 0; i < fixed; i++) {
                String level = levels[i];
                if ("#".equals(level)) {
                    throw new IllegalArgumentException(where + ": '#' is allowed only as the last level of the pattern");
                } else if ("+".equals(level)) {
                    plus[i] = true;
                    plusCount++;
                } else if (level.startsWith("{") && level.endsWith("}") && level.length() > 2) {
                    String name = level.substring(1, level.length() - 1);
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException(where + ": capture name '" + name
                                + "' must match " + NAME.pattern());
                    }
                    if (!captured.add(name)) {
                        throw new IllegalArgumentException(where + ": capture {" + name + "} appears twice in the pattern");
                    }
                    names[i] = name;
                } else if (containsAny(level, "+#{}")) {
                    throw new IllegalArgumentException(where + ": pattern level '" + level
                            + "' must be a literal without + # { }, a whole '+', '#' or '{name}'");
                } else {
                    literals[i] = level;
                }
            }
            hashTail = tail;
            parts = new ArrayList<>();
            String[] out = template.split("/", -1);
            boolean outTail = "#".equals(out[out.length - 1]);
            int outFixed = outTail ? out.length - 1 : out.length;
            if (outTail && !tail) {
                throw new IllegalArgumentException(where + ": template ends in '#' but the pattern has no '#' to copy");
            }
            int plusUsed = 0;
            for (int i = 0; i < outFixed; i++) {
                String level = out[i];
                if ("#".equals(level)) {
                    throw new IllegalArgumentException(where + ": '#' is allowed only as the last level of the template");
                } else if ("+".equals(level)) {
                    if (plusUsed >= plusCount) {
                        throw new IllegalArgumentException(where + ": template has more '+' levels than the pattern ("
                                + plusCount + ")");
                    }
                    parts.add(new Part(null, null, plusUsed++));
                } else {
                    parts.add(parseTemplateLevel(where, level, captured));
                }
            }
            templateHashTail = outTail;
        }

        private static Part parseTemplateLevel(String where, String level, Set<String> captured) {
            // a level with embedded {name}s: split into literal chunks and names
            List<String> chunks = new ArrayList<>();
            List<String> refs = new ArrayList<>();
            int pos = 0;
            StringBuilder literal = new StringBuilder();
            while (pos < level.length()) {
                char c = level.charAt(pos);
                if (c == '{') {
                    int end = level.indexOf('}', pos);
                    if (end < 0) {
                        throw new IllegalArgumentException(where + ": unclosed '{' in template level '" + level + "'");
                    }
                    String name = level.substring(pos + 1, end);
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException(where + ": capture name '" + name + "' must match " + NAME.pattern());
                    }
                    if (!captured.contains(name)) {
                        throw new IllegalArgumentException(where + ": template uses {" + name
                                + "} which the pattern does not capture (captures: " + captured + ")");
                    }
                    chunks.add(literal.toString());
                    refs.add(name);
                    literal.setLength(0);
                    pos = end + 1;
                } else if (c == '}' || c == '+' || c == '#') {
                    throw new IllegalArgumentException(where + ": template level '" + level
                            + "' must not contain '" + c + "' (use a whole '+' or '#' level, or {name})");
                } else {
                    literal.append(c);
                    pos++;
                }
            }
            chunks.add(literal.toString());
            return new Part(chunks.toArray(new String[0]), refs.toArray(new String[0]), -1);
        }

        private static boolean containsAny(String s, String chars) {
            for (int i = 0; i < s.length(); i++) {
                if (chars.indexOf(s.charAt(i)) >= 0) {
                    return true;
                }
            }
            return false;
        }

        /**
         * @param pattern  the topic pattern
         * @param template the topic template
         * @return the validated rule
         * @throws IllegalArgumentException when the rule is invalid; the message names the rule and the fault
         */
        public static Rule of(String pattern, String template) {
            return new Rule(Objects.requireNonNull(pattern, "pattern").strip(),
                    Objects.requireNonNull(template, "template").strip());
        }

        /**
         * @param rule {@code "pattern -> template"} (whitespace around the arrow is ignored)
         * @return the validated rule
         * @throws IllegalArgumentException when the text is not one arrow between a pattern and a template,
         *                                  or the rule is invalid
         */
        public static Rule parse(String rule) {
            Objects.requireNonNull(rule, "rule");
            int arrow = rule.indexOf(ARROW);
            if (arrow < 0 || rule.indexOf(ARROW, arrow + ARROW.length()) >= 0) {
                throw new IllegalArgumentException("topic rule '" + rule + "' must be 'pattern -> template' with one '->'");
            }
            return of(rule.substring(0, arrow), rule.substring(arrow + ARROW.length()));
        }

        /**
         * @param topic a topic name (no wildcards)
         * @return the rewritten topic, or empty when this rule does not match
         */
        public Optional<String> apply(String topic) {
            String[] levels = topic.split("/", -1);
            int fixed = literals.length;
            if (levels.length < fixed || (!hashTail && levels.length != fixed)) {
                return Optional.empty();
            }
            boolean system = topic.startsWith("$");
            String[] values = new String[fixed];
            List<String> plusValues = new ArrayList<>(2);
            for (int i = 0; i < fixed; i++) {
                String level = levels[i];
                if (literals[i] != null) {
                    if (!literals[i].equals(level)) {
                        return Optional.empty();
                    }
                } else {
                    if (i == 0 && system) {
                        return Optional.empty();
                    }
                    if (plus[i]) {
                        plusValues.add(level);
                    } else if (level.isEmpty()) {
                        return Optional.empty();
                    }
                    values[i] = level;
                }
            }
            if (hashTail && fixed == 0 && system) {
                return Optional.empty();
            }
            StringBuilder out = new StringBuilder(topic.length() + 16);
            for (int p = 0; p < parts.size(); p++) {
                if (p > 0) {
                    out.append('/');
                }
                Part part = parts.get(p);
                if (part.plusIndex >= 0) {
                    out.append(plusValues.get(part.plusIndex));
                } else {
                    for (int c = 0; c < part.chunks.length; c++) {
                        out.append(part.chunks[c]);
                        if (c < part.refs.length) {
                            out.append(values[indexOf(part.refs[c])]);
                        }
                    }
                }
            }
            if (templateHashTail && levels.length > fixed) {
                if (!parts.isEmpty()) {
                    out.append('/');
                }
                out.append(String.join("/", Arrays.asList(levels).subList(fixed, levels.length)));
            }
            String result = out.toString();
            if (!Topics.isValidName(result)) { // e.g. longer than MQTT allows
                return Optional.empty();
            }
            return Optional.of(result);
        }

        private int indexOf(String name) {
            for (int i = 0; i < names.length; i++) {
                if (name.equals(names[i])) {
                    return i;
                }
            }
            throw new IllegalStateException("validated capture missing: " + name);
        }

        /** @return the pattern */
        public String pattern() {
            return pattern;
        }

        /** @return the template */
        public String template() {
            return template;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rule && ((Rule) o).pattern.equals(pattern) && ((Rule) o).template.equals(template);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pattern, template);
        }

        /** @return {@code "pattern -> template"}, the form {@link #parse} reads */
        @Override
        public String toString() {
            return pattern + " " + ARROW + " " + template;
        }

        /** One template level: a whole {@code +} reference, or literal chunks around {name} references. */
        private static final class Part {
            final String[] chunks;
            final String[] refs;
            final int plusIndex;

            Part(String[] chunks, String[] refs, int plusIndex) {
                this.chunks = chunks;
                this.refs = refs;
                this.plusIndex = plusIndex;
            }
        }
    }
}
