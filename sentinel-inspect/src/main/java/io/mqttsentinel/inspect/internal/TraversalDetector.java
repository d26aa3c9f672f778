package io.mqttsentinel.inspect.internal;

/**
 * Path traversal on the decoded value: a {@code ..} path segment with '/' or '\' (or the {@code ..;/}
 * form some servers accept) on its side, and references to the files attackers read through traversal
 * ({@code /etc/passwd}, {@code win.ini}, {@code .htaccess}, ...). Percent, double-percent, overlong UTF-8,
 * {@code %u} and fullwidth forms are undone by {@link TextDecoder} first; a dot-dot next to an escape that
 * did not decode counts as a segment too. An ellipsis ({@code "wait..."}),
 * a version ({@code "1.2..3"}) or a plain absolute path ({@code /var/log/app.log}) is not traversal.
 */
public final class TraversalDetector {

    private static final String[] SENSITIVE = {
        "etc/passwd", "etc/shadow", "etc/hosts", "etc/group", "etc/issue", "etc/master.passwd", "etc/sudoers",
        "boot.ini", "win.ini", "system.ini", "windows/system32", "winnt/system32", "system32/config",
        ".htaccess", ".htpasswd", "proc/self/", "web.config", "repair/sam", "repair/system", ".ssh/id_",
        ".bash_history", "wp-config.php", "cmd.exe", "global.asa", "inetpub/wwwroot"
    };

    /** The sensitive names by their first character, as character arrays. */
    private static final char[][][] BY_FIRST = new char[128][][];
    /** ASCII characters that play no part in any pattern here (and are not the start of a sensitive name). */
    private static final boolean[] ORDINARY = new boolean[128];
    /**
     * The sensitive names by their first '.' or '/' (the anchor) and the character next to it: names anchored
     * on a '.' by the character before it ({@code boot.ini} under 't'), names that start with '.' by the
     * character after it ({@code .htaccess} under 'h'), names anchored on a '/' by the character before it.
     */
    private static final char[][][] DOT_BEFORE = new char[128][][];
    private static final char[][][] DOT_AFTER = new char[128][][];
    private static final char[][][] SLASH_BEFORE = new char[128][][];

    /** Letters that start a sensitive name. */
    private static final boolean[] NAME_LETTER = new boolean[128];

    static {
        for (String f : SENSITIVE) {
            char[] name = f.toCharArray();
            add(BY_FIRST, name[0], name);
            int a = anchor(name);
            if (name[a] == '/') {
                add(SLASH_BEFORE, name[a - 1], name);
            } else if (a == 0) {
                add(DOT_AFTER, name[1], name);
            } else {
                add(DOT_BEFORE, name[a - 1], name);
            }
        }
        for (int c = 0; c < 128; c++) {
            ORDINARY[c] = c > ' ' && c != '.' && c != '/' && c != '\\' && BY_FIRST[c] == null;
            NAME_LETTER[c] = BY_FIRST[c] != null && c >= 'a' && c <= 'z';
        }
    }

    private static void add(char[][][] table, char key, char[] name) {
        char[][] old = table[key];
        char[][] grown = old == null ? new char[1][] : java.util.Arrays.copyOf(old, old.length + 1);
        grown[grown.length - 1] = name;
        table[key] = grown;
    }

    /** Where the first '.' or '/' of a name is (every name has one: the look-up by separators depends on it). */
    private static int anchor(char[] name) {
        int a = 0;
        while (name[a] != '.' && name[a] != '/') {
            a++;
        }
        return a;
    }


    private TraversalDetector() {
    }

    /**
     * @param t       the decoded value, lower case
     * @param len     its length
     * @param s       scratch (hit position); its {@link Scratch#chars} describe {@code t}
     * @param enabled enabled built-in rules, by ordinal
     * @return the ordinal of the first enabled rule that fired, or {@code -1}
     */
    public static int detect(char[] t, int len, Scratch s, boolean[] enabled) {
        boolean dots = enabled[Builtin.TRAVERSAL_DOT_DOT.ordinal()];
        boolean files = enabled[Builtin.TRAVERSAL_SENSITIVE_FILE.ordinal()];
        boolean other = (s.chars & Scratch.OTHER) != 0;
        if (!other && !worthScanning(t, len, s.chars, dots, files)) {
            // the common case for text, even with dots and slashes (URLs, plain paths, versions): one cheap
            // look at the separators and dots shows that no rule can fire
            return -1;
        }
        return scan(t, len, s, dots, files);
    }

    /** {@link #detect} without the look that rules a value out (tests check that it never rules out a hit). */
    static int scan(char[] t, int len, Scratch s, boolean dots, boolean files) {
        boolean other = (s.chars & Scratch.OTHER) != 0;
        boolean hex = hasHexSpelling(t, len);
        char[] p = t;
        int n = len;
        if (other || hex) {
            p = s.tmp;
            n = normalize(t, len, p); // the full scan below reads what normalize() made plain
        }
        int segments = 0;
        int dotSegments = 0;
        boolean slash = false;
        boolean backslash = false;
        boolean leading = true; // nothing but separators, blanks and dot segments so far
        int first = -1;
        boolean[] ordinary = ORDINARY;
        for (int i = 0; i < n; i++) {
            char c = p[i];
            if (c < 128 && ordinary[c]) {
                // skip, in a tight loop, a run of characters no pattern starts at: ordinary ones, blanks, and the
                // first letters of sensitive names where no name can start (not after a separator, blank, '.' or '=')
                leading = false;
                while (++i < n && (c = p[i]) < 128
                        && (ordinary[c] || c <= ' ' || (NAME_LETTER[c] && !nameMayStart(p[i - 1])))) {
                    // nothing to do
                }
                if (i >= n) {
                    break;
                }
            }
            if (dots && c == '.' && i + 1 < n && p[i + 1] == '.' && (i == 0 || p[i - 1] != '.')) {
                int e = i + 2;
                while (e < n && p[e] == '.') {
                    e++;
                }
                boolean left = i == 0 || isSep(p[i - 1]) || p[i - 1] <= ' ' || p[i - 1] == '=' || p[i - 1] == ':'
                        || p[i - 1] == '\'' || p[i - 1] == '"' || p[i - 1] == '(';
                int r = e;
                while (r < n && r < e + 2 && (p[r] == ';' || p[r] == '\u0000' || p[r] == '%')) {
                    r++;
                }
                boolean right = (r < n && isSep(p[r])) || (r >= n && e - i == 2 && i > 0 && isSep(p[i - 1]))
                        || undecodable(p, e, n);
                if (left && right) {
                    segments++;
                    if (first < 0) {
                        first = i;
                    }
                    // "../x", "a/../b", "a/../../b"; a lone '..' after a quote or '=' (href="../") is a link
                    if (segments >= 2 || leading || (i > 0 && isSep(p[i - 1]))) {
                        s.hit(Math.max(0, first - 1), Math.min(len, first + 24));
                        return Builtin.TRAVERSAL_DOT_DOT.ordinal();
                    }
                }
                i = e - 1;
                continue;
            }
            if (!(isSep(c) || c <= ' ' || c == '.')) {
                leading = false;
            }
            if (c == '/') {
                slash = true;
            } else if (c == '\\') {
                backslash = true;
            } else if (dots && c == '.' && (i == 0 || isSep(p[i - 1])) && i + 1 < n && isSep(p[i + 1])) {
                // ./\/./ : current-directory segments between mixed separators only hide a path
                dotSegments++;
                if (dotSegments >= 2 && slash && backslash) {
                    s.hit(0, Math.min(len, i + 24));
                    return Builtin.TRAVERSAL_DOT_DOT.ordinal();
                }
            }
            char[][] names;
            if (files && c < 128 && (names = BY_FIRST[c]) != null && (i == 0 || nameMayStart(p[i - 1]))) {
                for (char[] f : names) {
                    if (matches(p, n, i, f)) {
                        s.hit(Math.max(0, Math.min(i, len) - 1), Math.min(len, i + f.length + 8));
                        return Builtin.TRAVERSAL_SENSITIVE_FILE.ordinal();
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Whether an escape that did not decode starts at {@code at}, where a path segment could go on: a '%' left
     * after the decoding rounds (malformed as in {@code %c0%9v} or {@code %%32%%66}, or nested deeper than the
     * rounds go), a replacement character, or what a lenient UTF-8 reading leaves of a broken sequence (a C1
     * control is a stray continuation byte; C0 and C1 only ever start overlong forms), possibly after other
     * Latin-1 characters of the same broken run. A server that reads such an escape its own way may read a
     * separator, so a dot-dot segment next to one counts as traversal.
     */
    private static boolean undecodable(char[] p, int at, int n) {
        for (int r = at; r < n && r < at + 8; r++) {
            char c = p[r];
            if (c == '%' || c == '\uFFFD' || (c >= 0x80 && c <= 0x9F) || c == 0xC0 || c == 0xC1) {
                return true;
            }
            if (c < 0xA0 || c > 0xFF) {
                return false;
            }
        }
        return false;
    }

    /**
     * One pass that finds whether the full scan can find anything in text without control characters: a
     * hex spelling ({@code 0x2e}) for normalize() to undo, a {@code ..}, a backslash (mixed separators), or
     * a sensitive name, tried where its first '/' or '.' would be. A superset of what the full scan finds.
     */
    private static boolean worthScanning(char[] t, int len, int chars, boolean dots, boolean files) {
        if ((chars & (Scratch.SLASH | Scratch.DOT | Scratch.ZERO)) == 0) {
            return false; // every pattern needs a separator, a dot or a hex spelling of one
        }
        if (dots && (chars & Scratch.BACKSLASH) != 0) {
            return true;
        }
        for (int i = 0; i < len; i++) {
            char c = t[i];
            if (c == '.') {
                if ((dots && i + 1 < len && t[i + 1] == '.')
                        || (files && ((i > 0 && anchoredAt(t, len, i, DOT_BEFORE, t[i - 1]))
                        || (i + 1 < len && anchoredAt(t, len, i, DOT_AFTER, t[i + 1]))))) {
                    return true;
                }
            } else if (c == '/' || c == '\\') {
                if (files && i > 0 && anchoredAt(t, len, i, SLASH_BEFORE, t[i - 1])) {
                    return true;
                }
            } else if (c == '0' && i + 1 < len && t[i + 1] == 'x') {
                return true;
            }
        }
        return false;
    }

    private static boolean anchoredAt(char[] t, int len, int at, char[][][] table, char key) {
        char[][] names = key < 128 ? table[key] : null;
        if (names != null) {
            for (char[] name : names) {
                int start = at - anchor(name);
                if (start >= 0 && matches(t, len, start, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasHexSpelling(char[] t, int len) {
        for (int i = 0; i + 1 < len; i++) {
            if (t[i] == '0' && t[i + 1] == 'x') {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies {@code t} into {@code out} with the separators of other alphabets (division slash, set minus,
     * the code points IIS best-fit maps to '/' and '\') made plain, and 0x2e / 0x2f / 0x5c spelled out as
     * the characters they name. Never longer than the input.
     */
    static int normalize(char[] t, int len, char[] out) {
        int o = 0;
        for (int i = 0; i < len; i++) {
            char c = t[i];
            if (c == '0' && i + 3 < len && t[i + 1] == 'x') {
                char h = t[i + 2];
                char l = t[i + 3];
                if (h == '2' && l == 'e') {
                    out[o++] = '.';
                    i += 3;
                    continue;
                }
                if (h == '2' && l == 'f') {
                    out[o++] = '/';
                    i += 3;
                    continue;
                }
                if (h == '5' && l == 'c') {
                    out[o++] = '\\';
                    i += 3;
                    continue;
                }
            }
            if (c == '\u2215' || c == '\u2044' || c == '\uefc8' || c == '\uf025') {
                c = '/';
            } else if (c == '\u2216' || c == '\ufe68') {
                c = '\\';
            }
            out[o++] = c;
        }
        return o;
    }

    private static boolean matches(char[] t, int len, int at, char[] f) {
        int m = f.length;
        if (at + m > len) {
            return false;
        }
        for (int k = 0; k < m; k++) {
            char c = t[at + k];
            char want = f[k];
            if (want == '/') {
                if (!isSep(c)) {
                    return false;
                }
            } else if (c != want) {
                return false;
            }
        }
        int e = at + m;
        char last = f[m - 1];
        return e >= len || last == '/' || last == '_' || !(Character.isLetterOrDigit(t[e]));
    }

    /** Whether a sensitive name may start after {@code prev}: a separator, a blank, '.' or '='. */
    private static boolean nameMayStart(char prev) {
        return isSep(prev) || prev <= ' ' || prev == '.' || prev == '=';
    }

    private static boolean isSep(char c) {
        return c == '/' || c == '\\';
    }
}
