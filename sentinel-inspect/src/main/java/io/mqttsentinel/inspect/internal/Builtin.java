package io.mqttsentinel.inspect.internal;

import io.mqttsentinel.api.ThreatCategory;

/**
 * The detectors compiled into the inspector. A rule file binds each one, by its id, to a severity, an
 * action and a description, and may disable it; the detectors only say which one fired and where.
 */
public enum Builtin {
    /** UNION [ALL|DISTINCT] SELECT. */
    SQLI_UNION("sqli-union", ThreatCategory.SQL_INJECTION),
    /** Boolean logic with a comparison of literals: OR 1=1, AND 'a'='a', OR x=x. */
    SQLI_TAUTOLOGY("sqli-tautology", ThreatCategory.SQL_INJECTION),
    /** A quote closed and followed by SQL logic, an operator on a new string, or a comment. */
    SQLI_QUOTE_BREAKOUT("sqli-quote-breakout", ThreatCategory.SQL_INJECTION),
    /** A ';' followed by a second statement. */
    SQLI_STACKED_QUERY("sqli-stacked-query", ThreatCategory.SQL_INJECTION),
    /** A SELECT with an SQL select list (literal, function, variable, '*', or columns followed by FROM). */
    SQLI_SELECT("sqli-select", ThreatCategory.SQL_INJECTION),
    /** Time-based blind injection: SLEEP(), BENCHMARK(), PG_SLEEP(), WAITFOR DELAY. */
    SQLI_TIME_FUNCTION("sqli-time-function", ThreatCategory.SQL_INJECTION),
    /** Functions and catalogue names used to read files, run commands or map the schema. */
    SQLI_DANGEROUS_NAME("sqli-dangerous-name", ThreatCategory.SQL_INJECTION),
    /**
     * A value that is an SQL expression, literals, operators and functions only, cut off by a trailing comment
     * (1 OR (1)--) or calling the database's string and catalogue functions (CHR(58)||CHR(118), 1 - ORD('A')).
     */
    SQLI_EXPRESSION("sqli-expression", ThreatCategory.SQL_INJECTION),
    /** ORDER BY / GROUP BY a column number, HAVING a comparison. */
    SQLI_ORDER_GROUP("sqli-order-group", ThreatCategory.SQL_INJECTION),
    /** A tag that runs or loads code: script, iframe, object, embed, svg, ... */
    XSS_DANGEROUS_TAG("xss-dangerous-tag", ThreatCategory.XSS),
    /** An event-handler attribute (onerror=, onload=, ...) in a tag or after a quote. */
    XSS_EVENT_HANDLER("xss-event-handler", ThreatCategory.XSS),
    /** A javascript:, vbscript: or data:text/html URI. */
    XSS_SCRIPT_URI("xss-script-uri", ThreatCategory.XSS),
    /** A script sink called with a literal: alert(1), prompt('x'), document.cookie, String.fromCharCode. */
    XSS_SCRIPT_CALL("xss-script-call", ThreatCategory.XSS),
    /** CSS that runs script: expression(), -moz-binding, behavior:. */
    XSS_CSS_SCRIPT("xss-css-script", ThreatCategory.XSS),
    /** A shell separator (; | || & && newline) followed by a command. */
    CMDI_CHAINED_COMMAND("cmdi-chained-command", ThreatCategory.COMMAND_INJECTION),
    /** Command substitution: backticks or $( ). */
    CMDI_SUBSTITUTION("cmdi-substitution", ThreatCategory.COMMAND_INJECTION),
    /** Shellshock function definition: () { :; }. */
    CMDI_SHELLSHOCK("cmdi-shellshock", ThreatCategory.COMMAND_INJECTION),
    /** Code execution through an interpreter: system('...'), exec(), eval(), &lt;?php, SSI exec. */
    CMDI_CODE_EXEC("cmdi-code-exec", ThreatCategory.COMMAND_INJECTION),
    /** A value made only of shell operators ('; ', '&& ', '| '): an injection probe. */
    CMDI_OPERATOR_PROBE("cmdi-operator-probe", ThreatCategory.COMMAND_INJECTION),
    /** Template or expression-language injection: {{ ... }}, ${ ... }. */
    CMDI_TEMPLATE("cmdi-template", ThreatCategory.COMMAND_INJECTION),
    /** A value that is a whole command line: a known command with flags, paths or URLs, or a recon command. */
    CMDI_COMMAND_LINE("cmdi-command-line", ThreatCategory.COMMAND_INJECTION),
    /** A '..' path segment, in any separator or encoding. */
    TRAVERSAL_DOT_DOT("traversal-dot-dot", ThreatCategory.PATH_TRAVERSAL),
    /** A file that attackers read through traversal: /etc/passwd, win.ini, boot.ini, .htaccess, ... */
    TRAVERSAL_SENSITIVE_FILE("traversal-sensitive-file", ThreatCategory.PATH_TRAVERSAL);

    private static final Builtin[] VALUES = values();

    private final String id;
    private final ThreatCategory category;

    Builtin(String id, ThreatCategory category) {
        this.id = id;
        this.category = category;
    }

    /** @return the rule id */
    public String id() {
        return id;
    }

    /** @return the category this detector reports */
    public ThreatCategory category() {
        return category;
    }

    /**
     * @param id a rule id
     * @return the built-in detector with that id, or {@code null}
     */
    public static Builtin byId(String id) {
        for (Builtin b : VALUES) {
            if (b.id.equals(id)) {
                return b;
            }
        }
        return null;
    }

    /**
     * @param ordinal an ordinal
     * @return the constant
     */
    public static Builtin of(int ordinal) {
        return VALUES[ordinal];
    }

    /** @return how many there are */
    public static int count() {
        return VALUES.length;
    }
}
