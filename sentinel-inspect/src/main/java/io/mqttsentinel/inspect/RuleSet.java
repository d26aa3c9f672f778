package io.mqttsentinel.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.inspect.internal.Builtin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The signature rules as data: a versioned JSON file of rules (id, category, severity, action,
 * description), the built-in one shipped in this jar and, optionally, an operator's file that overrides
 * built-in rules by id (severity, action, description, {@code "enabled": false}) and adds literal rules,
 * without a rebuild. Immutable.
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "rules": [
 *     { "id": "sqli-order-group", "enabled": false },
 *     { "id": "xss-css-script", "action": "flag", "severity": "medium" },
 *     { "id": "acme-drop-table", "category": "sql_injection", "severity": "high", "action": "block",
 *       "description": "our schema's table names", "contains": ["drop table acme_", "acme_users"] }
 *   ]
 * }
 * }</pre>
 *
 * <p>A broken file fails the load with a {@link RuleFileException} naming the rule id and the reason.
 */
public final class RuleSet {

    /** The rule file format this version reads. */
    public static final int FORMAT_VERSION = 1;

    private static final String BUILT_IN = "rules-v1.json";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Set<String> FIELDS = Set.of("id", "category", "severity", "action", "description",
            "enabled", "detector", "contains");
    private static final int MAX_LITERAL = 256;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Rule> rules;
    private final String source;

    private RuleSet(Map<String, Rule> rules, String source) {
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        this.source = source;
    }

    /** @return the rules shipped in this jar, one per built-in detector */
    public static RuleSet builtIn() {
        try (InputStream in = RuleSet.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in rule file " + BUILT_IN + " is missing from the jar");
            }
            RuleSet set = parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), BUILT_IN,
                    new LinkedHashMap<>());
            for (Builtin b : Builtin.values()) {
                if (!set.rules.containsKey(b.id())) {
                    throw new IllegalStateException("built-in rule file has no rule for detector " + b.id());
                }
            }
            return set;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in rule file", e);
        }
    }

    /**
     * @param file an operator's rule file
     * @return these rules with the file's overrides and additions applied
     * @throws RuleFileException when the file cannot be read or is invalid
     */
    public RuleSet withOverrides(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new RuleFileException(file + ": cannot read the rule file: " + e.getMessage(), null, e);
        }
        return withOverrides(text, file.toString());
    }

    /**
     * @param json   the text of an operator's rule file
     * @param source a name for messages (a file name)
     * @return these rules with the overrides and additions applied
     * @throws RuleFileException when the text is invalid
     */
    public RuleSet withOverrides(String json, String source) {
        return parse(json, source, new LinkedHashMap<>(rules));
    }

    private static RuleSet parse(String json, String source, Map<String, Rule> base) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new RuleFileException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), null, e);
        }
        if (root == null || !root.isObject()) {
            throw new RuleFileException(source + ": the rule file must be a JSON object with \"version\" and \"rules\"",
                    null, null);
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != FORMAT_VERSION) {
            throw new RuleFileException(source + ": \"version\" must be " + FORMAT_VERSION + ", was " + version, null, null);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("version") && !f.equals("rules")) {
                throw new RuleFileException(source + ": unknown field \"" + f + "\" (allowed: version, rules)", null, null);
            }
        }
        JsonNode list = root.get("rules");
        if (list == null || !list.isArray()) {
            throw new RuleFileException(source + ": \"rules\" must be an array", null, null);
        }
        Map<String, Rule> out = base;
        Set<String> seen = new java.util.HashSet<>();
        int index = 0;
        for (JsonNode node : list) {
            index++;
            if (!node.isObject()) {
                throw new RuleFileException(source + ": rule #" + index + " is not an object", null, null);
            }
            String id = text(node, "id", source, "#" + index);
            if (id == null) {
                throw new RuleFileException(source + ": rule #" + index + " has no \"id\"", null, null);
            }
            if (!ID.matcher(id).matches()) {
                throw fail(source, id, "id must match " + ID.pattern());
            }
            if (!seen.add(id)) {
                throw fail(source, id, "the id appears twice in the file");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw fail(source, id, "unknown field \"" + f + "\" (allowed: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
                }
            }
            out.put(id, rule(node, id, out.get(id), source));
        }
        return new RuleSet(out, source);
    }

    private static Rule rule(JsonNode node, String id, Rule existing, String source) {
        String detector = text(node, "detector", source, id);
        boolean builtIn = existing != null ? existing.builtIn() : "builtin".equals(detector);
        if (detector != null && !"builtin".equals(detector)) {
            throw fail(source, id, "unknown detector \"" + detector + "\" (allowed: builtin, or omit it and give \"contains\")");
        }
        Builtin b = Builtin.byId(id);
        if ("builtin".equals(detector) && b == null) {
            throw fail(source, id, "there is no built-in detector with this id");
        }
        String categoryText = text(node, "category", source, id);
        ThreatCategory category = categoryText == null ? (existing != null ? existing.category() : null) : category(categoryText, source, id);
        if (category == null) {
            throw fail(source, id, "\"category\" is required for a new rule");
        }
        if (b != null && builtIn && category != b.category()) {
            throw fail(source, id, "the built-in detector reports " + b.category().label() + ", the category cannot be " + category.label());
        }
        String severityText = text(node, "severity", source, id);
        Severity severity = severityText == null ? (existing != null ? existing.severity() : null) : severity(severityText, source, id);
        if (severity == null) {
            throw fail(source, id, "\"severity\" is required for a new rule");
        }
        String actionText = text(node, "action", source, id);
        Action action = actionText == null ? (existing != null ? existing.action() : null) : action(actionText, source, id);
        if (action == null) {
            throw fail(source, id, "\"action\" is required for a new rule");
        }
        String description = text(node, "description", source, id);
        if (description == null) {
            description = existing != null ? existing.description() : "";
        }
        JsonNode enabledNode = node.get("enabled");
        boolean enabled = existing == null || existing.enabled();
        if (enabledNode != null) {
            if (!enabledNode.isBoolean()) {
                throw fail(source, id, "\"enabled\" must be true or false");
            }
            enabled = enabledNode.booleanValue();
        }
        List<String> literals = existing != null ? existing.literals() : List.of();
        JsonNode contains = node.get("contains");
        if (contains != null) {
            if (builtIn) {
                throw fail(source, id, "a built-in rule takes no \"contains\"; give a new id to add literals");
            }
            if (!contains.isArray() || contains.isEmpty()) {
                throw fail(source, id, "\"contains\" must be a non-empty array of strings");
            }
            List<String> l = new ArrayList<>();
            for (JsonNode c : contains) {
                if (!c.isTextual() || c.textValue().isBlank() || c.textValue().length() > MAX_LITERAL) {
                    throw fail(source, id, "each literal in \"contains\" must be a non-blank string of at most "
                            + MAX_LITERAL + " characters, was " + c);
                }
                l.add(c.textValue().toLowerCase(Locale.ROOT));
            }
            literals = l;
        }
        if (!builtIn && literals.isEmpty()) {
            throw fail(source, id, "a new rule needs \"contains\" (literal strings) or \"detector\": \"builtin\" with a built-in id");
        }
        return new Rule(id, category, severity, action, description, enabled, builtIn, literals);
    }

    private static String text(JsonNode node, String field, String source, String id) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw fail(source, id, "\"" + field + "\" must be a string, was " + v);
        }
        return v.textValue();
    }

    private static ThreatCategory category(String text, String source, String id) {
        for (ThreatCategory c : ThreatCategory.values()) {
            if (c.label().equalsIgnoreCase(text) && !c.isAnomaly()) {
                return c;
            }
        }
        throw fail(source, id, "unknown category \"" + text + "\" (allowed: sql_injection, command_injection, xss, path_traversal)");
    }

    private static Severity severity(String text, String source, String id) {
        for (Severity s : Severity.values()) {
            if (s.label().equalsIgnoreCase(text)) {
                return s;
            }
        }
        throw fail(source, id, "unknown severity \"" + text + "\" (allowed: low, medium, high, critical)");
    }

    private static Action action(String text, String source, String id) {
        for (Action a : Action.values()) {
            if (a != Action.ALLOW && a.name().equalsIgnoreCase(text)) {
                return a;
            }
        }
        throw fail(source, id, "unknown action \"" + text + "\" (allowed: flag, quarantine, block)");
    }

    private static RuleFileException fail(String source, String id, String reason) {
        return new RuleFileException(source + ": rule \"" + id + "\": " + reason, id, null);
    }

    /** @return every rule, enabled or not, in file order */
    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    /**
     * @param id a rule id
     * @return the rule with that id
     */
    public Optional<Rule> rule(String id) {
        return Optional.ofNullable(rules.get(id));
    }

    @Override
    public String toString() {
        long enabled = rules.values().stream().filter(Rule::enabled).count();
        return "RuleSet{" + rules.size() + " rules, " + enabled + " enabled, last source " + source + "}";
    }
}
