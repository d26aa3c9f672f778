package io.mqttsentinel.inspect.internal;

/**
 * Cross-site scripting by a small HTML tokenizer: it reads tags and their attributes the way a lenient
 * browser does (any whitespace or control character or '/' separates attributes, quotes optional) and
 * flags tags that run or load code, event-handler attributes and script URIs. Outside tags it looks for
 * the same things an attacker injects into an attribute or a script context: a quote followed by an
 * event handler, {@code javascript:} (letters may be split by whitespace or control characters), a script
 * sink called with a literal. A tag with harmless attributes ({@code <a href="/x">}, {@code <img class=x>})
 * is not an attack.
 *
 * <p>Cost: linear; an attribute scan resumes the outer scan where it stopped.
 */
public final class XssDetector {

    private static final Words DANGEROUS_TAGS = Words.all(1,
            "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
            "style", "svg", "math", "xml", "import", "bgsound", "layer", "ilayer", "vmlframe", "isindex",
            "xmp", "plaintext", "template", "portal", "handler", "listener", "eval", "animate", "set",
            "stylesheet", "transform");

    private static final Words URI_ATTRIBUTES = Words.all(1,
            "src", "href", "action", "formaction", "data", "background", "dynsrc", "lowsrc", "code", "codebase",
            "to", "from", "values", "poster", "srcdoc", "xlink", "content", "value", "by", "folder", "url");

    /** Event handler names without their "on" (names longer than twelve letters are left out of the table). */
    private static final Words EVENTS = Words.all(1,
            "abort", "activate", "afterprint", "animationend", "beforecopy", "beforecut", "beforepaste",
            "beforeprint", "beforeunload", "begin", "blur", "bounce", "canplay", "change", "click",
            "contextmenu", "copy", "cut", "dblclick", "drag", "dragend", "dragenter", "dragleave", "dragover",
            "dragstart", "drop", "end", "ended", "error", "filterchange", "finish", "focus", "focusin",
            "focusout", "hashchange", "input", "invalid", "keydown", "keypress", "keyup", "load", "loadend",
            "loadstart", "losecapture", "message", "mousedown", "mouseenter", "mouseleave", "mousemove",
            "mouseout", "mouseover", "mouseup", "mousewheel", "move", "moveend", "movestart", "pagehide",
            "pageshow", "paste", "pause", "play", "playing", "pointerdown", "pointermove", "pointerover",
            "pointerup", "popstate", "progress", "readystate", "repeat", "reset", "resize", "resizeend",
            "resizestart", "rowenter", "rowexit", "scroll", "scrollend", "search", "seek", "select",
            "selectstart", "show", "start", "storage", "submit", "timeerror", "toggle", "touchend",
            "touchmove", "touchstart", "unload", "wheel");

    private static final Words SINKS = Words.all(1,
            "alert", "prompt", "confirm", "eval", "fromcharcode", "settimeout", "setinterval", "atob",
            "execscript", "msgbox");

    private XssDetector() {
    }

    /**
     * @param t       the decoded value, lower case
     * @param len     its length
     * @param s       scratch (hit position); its {@link Scratch#chars} describe {@code t}
     * @param enabled enabled built-in rules, by ordinal
     * @return the ordinal of the first enabled rule that fired, or {@code -1}
     */
    public static int detect(char[] t, int len, Scratch s, boolean[] enabled) {
        boolean tags = enabled[Builtin.XSS_DANGEROUS_TAG.ordinal()];
        boolean events = enabled[Builtin.XSS_EVENT_HANDLER.ordinal()];
        boolean uris = enabled[Builtin.XSS_SCRIPT_URI.ordinal()];
        boolean calls = enabled[Builtin.XSS_SCRIPT_CALL.ordinal()];
        boolean css = enabled[Builtin.XSS_CSS_SCRIPT.ordinal()];
        if ((s.chars & (Scratch.MARKUP | Scratch.OTHER)) == 0) {
            return -1; // tags, attributes, URIs and calls all need one of < = : ( `
        }
        boolean htmlish = (s.chars & Scratch.HTML) != 0;
        // what each word check needs: a sink its '(' or backtick, document.x its '.', expression( its '(', -moz- its '-'
        int chars = s.chars;
        boolean sinks = calls && (chars & (Scratch.PAREN | Scratch.BACKTICK)) != 0;
        boolean document = calls && (chars & Scratch.DOT) != 0;
        boolean expression = calls && css && (chars & Scratch.PAREN) != 0;
        boolean moz = calls && css && (chars & Scratch.DASH) != 0;
        boolean words = sinks || document || expression || moz;
        // outside a tag, an event handler needs its '=' and a script or data URI its ':'
        boolean handlers = events && htmlish && (chars & Scratch.EQUALS) != 0;
        boolean schemes = uris && (chars & Scratch.COLON) != 0;
        int i = 0;
        while (i < len) {
            char c = t[i];
            if (c != '<' && !(isLetter(c) && (i == 0 || !isLetter(t[i - 1])))) {
                i++; // only '<' and the first letter of a word start anything below
                continue;
            }
            if (c == '<') {
                int j = i + 1;
                if (tags && j < len && (t[j] == '!' || t[j] == '?')) {
                    if (Words.startsWith(t, len, j, "!entity") || Words.startsWith(t, len, j, "?xml-stylesheet")
                            || Words.startsWith(t, len, j, "?import") || Words.startsWith(t, len, j, "?xml:namespace")
                            || (Words.startsWith(t, len, j, "!doctype") && indexOf(t, len, j, '[', 64) > 0)) {
                        s.hit(i, Math.min(len, j + 24));
                        return Builtin.XSS_DANGEROUS_TAG.ordinal();
                    }
                    i++;
                    continue;
                }
                if (j < len && t[j] == '/') {
                    j++;
                }
                int ns = j;
                while (j < len && (isLetter(t[j]) || (j > ns && (isDigit(t[j]) || t[j] == ':' || t[j] == '-')))) {
                    j++;
                }
                if (j > ns) {
                    int localStart = ns;
                    for (int k = ns; k < j; k++) {
                        if (t[k] == ':') {
                            localStart = k + 1; // svg:script, xsl:stylesheet: the local name decides
                        }
                    }
                    boolean svgPrefix = localStart > ns && Words.eq(t, ns, localStart - 1, "svg");
                    if (tags && (svgPrefix || DANGEROUS_TAGS.get(t, localStart, j) > 0)) {
                        s.hit(i, Math.min(len, j + 1));
                        return Builtin.XSS_DANGEROUS_TAG.ordinal();
                    }
                    int r = attributes(t, len, j, s, events, uris, css);
                    if (r >= 0) {
                        return r;
                    }
                }
            } else if (c == 'o' && handlers && i + 3 < len && t[i + 1] == 'n'
                    && (i == 0 || !(isLetter(t[i - 1]) || isDigit(t[i - 1]) || t[i - 1] == '_' || t[i - 1] == '-'))) {
                int j = i + 2;
                while (j < len && isLetter(t[j])) {
                    j++;
                }
                if (EVENTS.get(t, i + 2, j) > 0) {
                    int k = j;
                    while (k < len && t[k] <= ' ') {
                        k++;
                    }
                    if (k < len && t[k] == '=') {
                        s.hit(Math.max(0, i - 1), Math.min(len, k + 12));
                        return Builtin.XSS_EVENT_HANDLER.ordinal();
                    }
                }
                i = j;
                continue;
            } else if (schemes && (c == 'j' || c == 'v' || c == 'l') && (i == 0 || !isLetter(t[i - 1]))) {
                int end = scriptUri(t, len, i);
                if (end > 0) {
                    s.hit(i, Math.min(len, end + 16));
                    return Builtin.XSS_SCRIPT_URI.ordinal();
                }
            } else if (schemes && c == 'd' && Words.startsWith(t, len, i, "data:") && (i == 0 || !isLetter(t[i - 1]))) {
                if (dataUri(t, len, i + 5)) {
                    s.hit(i, Math.min(len, i + 24));
                    return Builtin.XSS_SCRIPT_URI.ordinal();
                }
            } else if (words && isLetter(c) && (i == 0 || !(isLetter(t[i - 1]) || isDigit(t[i - 1])))) {
                int j = i;
                while (j < len && isLetter(t[j])) {
                    j++;
                }
                if (sinks && SINKS.get(t, i, j) > 0 && sinkCall(t, len, j)) {
                    s.hit(i, Math.min(len, j + 16));
                    return Builtin.XSS_SCRIPT_CALL.ordinal();
                }
                if (document && Words.eq(t, i, j, "document") && j < len && t[j] == '.'
                        && (Words.startsWith(t, len, j + 1, "cookie") || Words.startsWith(t, len, j + 1, "write")
                        || Words.startsWith(t, len, j + 1, "domain") || Words.startsWith(t, len, j + 1, "location"))) {
                    s.hit(i, Math.min(len, j + 16));
                    return Builtin.XSS_SCRIPT_CALL.ordinal();
                }
                if (expression && (Words.eq(t, i, j, "expression") && j < len && t[j] == '(' && cssContext(t, i))) {
                    s.hit(i, Math.min(len, j + 16));
                    return Builtin.XSS_CSS_SCRIPT.ordinal();
                }
                if (moz && Words.eq(t, i, j, "moz") && i > 0 && t[i - 1] == '-' && Words.startsWith(t, len, j, "-binding")) {
                    s.hit(i - 1, Math.min(len, j + 16));
                    return Builtin.XSS_CSS_SCRIPT.ordinal();
                }
                i = j;
                continue;
            }
            i++;
        }
        return -1;
    }

    /** Reads attributes from {@code j} (just after a tag name) to the closing '>'; sets s.hitEnd to where it stopped. */
    private static int attributes(char[] t, int len, int j, Scratch s, boolean events, boolean uris, boolean css) {
        int k = j;
        while (k < len) {
            char c = t[k];
            if (c == '>' || c == '<') {
                break;
            }
            if (c <= ' ' || c == '/' || c == '"' || c == '\'' || c == '`' || c == '\ufeff' || c == '\u00a0') {
                k++;
                continue;
            }
            int ns = k;
            while (k < len && t[k] > ' ' && t[k] != '=' && t[k] != '>' && t[k] != '/' && t[k] != '<'
                    && t[k] != '"' && t[k] != '\'') {
                k++;
            }
            int ne = k;
            if (events && ne - ns > 2 && t[ns] == 'o' && t[ns + 1] == 'n' && allLetters(t, ns + 2, ne)) {
                s.hit(ns, Math.min(len, ne + 16));
                return Builtin.XSS_EVENT_HANDLER.ordinal();
            }
            int p = k;
            while (p < len && t[p] <= ' ') {
                p++;
            }
            if (p < len && t[p] == '=') {
                p++;
                while (p < len && t[p] <= ' ') {
                    p++;
                }
                char q = p < len ? t[p] : 0;
                int vs;
                int ve;
                if (q == '"' || q == '\'' || q == '`') {
                    vs = p + 1;
                    ve = vs;
                    while (ve < len && t[ve] != q && t[ve] != '<') {
                        ve++;
                    }
                    k = ve < len && t[ve] == q ? ve + 1 : ve;
                } else {
                    vs = p;
                    ve = p;
                    while (ve < len && t[ve] > ' ' && t[ve] != '>' && t[ve] != '<') {
                        ve++;
                    }
                    k = ve;
                }
                int nameEnd = ne;
                for (int m = ns; m < ne; m++) {
                    if (t[m] == ':') {
                        nameEnd = m; // xlink:href
                        break;
                    }
                }
                if (uris && URI_ATTRIBUTES.get(t, ns, nameEnd) > 0) {
                    int v = vs;
                    while (v < ve && (t[v] <= ' ' || t[v] == '\ufeff' || t[v] == '\u00a0')) {
                        v++;
                    }
                    if (v < ve && (scriptUri(t, ve, v) > 0 || (Words.startsWith(t, ve, v, "data:") && dataUri(t, ve, v + 5)))) {
                        s.hit(ns, Math.min(len, ve));
                        return Builtin.XSS_SCRIPT_URI.ordinal();
                    }
                }
                if (events && (Words.eq(t, ns, ne, "datasrc") || Words.eq(t, ns, ne, "dataformatas")
                        || Words.eq(t, ns, ne, "implementation") || (nameEnd < ne && Words.eq(t, nameEnd + 1, ne, "handler")))) {
                    // IE data binding, HTC behaviours and XML event handlers run or load code
                    s.hit(ns, Math.min(len, ve));
                    return Builtin.XSS_EVENT_HANDLER.ordinal();
                }
                if (css && Words.eq(t, ns, ne, "style") && styleScript(t, vs, ve)) {
                    s.hit(ns, Math.min(len, ve));
                    return Builtin.XSS_CSS_SCRIPT.ordinal();
                }
            } else {
                k = Math.max(k, ns + 1);
            }
        }
        s.hitEnd = k;
        return -1;
    }

    /**
     * An inline style that runs script or hides something: expression(), behavior/binding, url(), @import,
     * a javascript: URI, or the obfuscation that only attacks need in a style attribute (CSS escapes,
     * comments, braces and brackets).
     */
    private static boolean styleScript(char[] t, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = t[i];
            if (c == '\\' || c == '{' || c == '}' || c == '[' || c == ']' || c == '@'
                    || (c == '/' && i + 1 < to && t[i + 1] == '*')) {
                return true;
            }
            if ((c == 'e' && Words.startsWith(t, to, i, "expression")) || (c == 'b' && Words.startsWith(t, to, i, "behavio"))
                    || (c == 'b' && Words.startsWith(t, to, i, "binding")) || (c == 'u' && Words.startsWith(t, to, i, "url("))
                    || (c == 'j' && scriptUri(t, to, i) > 0)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(char[] t, int len, int from, char c, int window) {
        int limit = Math.min(len, from + window);
        for (int i = from; i < limit; i++) {
            if (t[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean cssContext(char[] t, int at) {
        int p = at - 1;
        while (p >= 0 && (t[p] <= ' ' || t[p] == '\ufeff' || t[p] == '\u00a0')) {
            p--;
        }
        if (p >= 1 && t[p] == '/' && t[p - 1] == '*') {
            return true; // x:/**/expression(
        }
        return p >= 0 && (t[p] == ':' || t[p] == '=');
    }

    /** javascript: vbscript: livescript: with whitespace or control characters allowed between letters. */
    private static int scriptUri(char[] t, int len, int at) {
        int end = matchSpread(t, len, at, "javascript");
        if (end < 0) {
            end = matchSpread(t, len, at, "vbscript");
        }
        if (end < 0) {
            end = matchSpread(t, len, at, "livescript");
        }
        if (end < 0) {
            return -1;
        }
        while (end < len && (t[end] <= ' ' || t[end] == '\ufeff' || t[end] == '\u00a0')) {
            end++;
        }
        return end < len && t[end] == ':' ? end + 1 : -1;
    }

    private static int matchSpread(char[] t, int len, int at, String word) {
        int i = at;
        for (int k = 0; k < word.length(); k++) {
            if (k > 0) {
                int skipped = 0;
                while (i < len && (t[i] < ' ' || t[i] == '\ufeff') && skipped < 8) {
                    i++;
                    skipped++;
                }
            }
            if (i >= len || t[i] != word.charAt(k)) {
                return -1;
            }
            i++;
        }
        return i;
    }

    private static boolean dataUri(char[] t, int len, int at) {
        int i = at;
        while (i < len && t[i] <= ' ') {
            i++;
        }
        return Words.startsWith(t, len, i, "text/html") || Words.startsWith(t, len, i, "image/svg")
                || Words.startsWith(t, len, i, "text/javascript") || Words.startsWith(t, len, i, "application/x")
                || Words.startsWith(t, len, i, "text/xml") || Words.startsWith(t, len, i, ",<");
    }

    /** A sink name followed by '(' or a backtick and an argument that is code, not prose. */
    private static boolean sinkCall(char[] t, int len, int after) {
        int i = after;
        while (i < len && t[i] <= ' ') {
            i++;
        }
        if (i >= len) {
            return false;
        }
        if (t[i] == '`') {
            return true;
        }
        if (t[i] != '(') {
            return false;
        }
        i++;
        while (i < len && t[i] <= ' ') {
            i++;
        }
        if (i >= len) {
            return false;
        }
        char c = t[i];
        if (!isLetter(c)) {
            return true; // alert(1), alert('x'), alert(/x/), alert()
        }
        int j = i;
        while (j < len && (isLetter(t[j]) || isDigit(t[j]) || t[j] == '_' || t[j] == '$')) {
            j++;
        }
        // alert(document.cookie), prompt(top[...]), eval(atob(...)): an identifier followed by code punctuation
        return j < len && (t[j] == '.' || t[j] == '(' || t[j] == '[' || t[j] == ')' || t[j] == '`' || t[j] == '+');
    }

    private static boolean allLetters(char[] t, int s, int e) {
        for (int i = s; i < e; i++) {
            if (!isLetter(t[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
