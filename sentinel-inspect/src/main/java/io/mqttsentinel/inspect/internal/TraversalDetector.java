package io.mqttsentinel.inspect.internal;

/**
 * Path traversal on the decoded value: a {@code ..} path segment with '/' or '\' (or the {@code ..;/}
 * form some servers accept) on its side, and references to the files attackers read through traversal
 * ({@code /etc/passwd}, {@code win.ini}, {@code .htaccess}, ...). Percent, double-percent, overlong UTF-8,
 * {@code %u} and fullwidth forms are undone by {@link TextDecoder} first. An ellipsis ({@code "wait..."}),
 * a version ({@code "1.2..3"}) or a plain absolute path ({@code /var/log/app.log}) is not traversal.
 */
public final class TraversalDetector {

    private static final String[] SENSITIVE = {
        "etc/passwd", "etc/shadow", "etc/hosts", "etc/group", "etc/issue", "etc/master.passwd", "etc/sudoers",
        "boot.ini", "win.ini", "system.ini", "windows/system32", "winnt/system32", "system32/config",
        ".htaccess", ".htpasswd", "proc/self/", "web.config", "repair/sam", "repair/system", ".ssh/id_",
        ".bash_history", "wp-config.php", "cmd.exe", "global.asa", "inetpub/wwwroot"
    };

    private static final boolean[] FIRST = new boolean[128];

    static {
        for (String f : SENSITIVE) {
            FIRST[f.charAt(0)] = true;
        }
    }

    private TraversalDetector() {
    }

    /**
     * @param t       the decoded value, lower case
     * @param len     its length
     * @param s       scratch (hit position)
     * @param enabled enabled built-in rules, by ordinal
     * @return the ordinal of the first enabled rule that fired, or {@code -1}
     */
    public static int detect(char[] t, int len, Scratch s, boolean[] enabled) {
        boolean hex = hasHexSpelling(t, len);
        if ((s.chars & (Scratch.SLASH | Scratch.DOT | Scratch.OTHER)) == 0 && !hex) {
            return -1; // every pattern needs a separator or a dot (or something normalize() turns into one)
        }
        boolean dots = enabled[Builtin.TRAVERSAL_DOT_DOT.ordinal()];
        boolean files = enabled[Builtin.TRAVERSAL_SENSITIVE_FILE.ordinal()];
        char[] p = t;
        int n = len;
        if ((s.chars & Scratch.OTHER) != 0 || hex) {
            p = s.tmp;
            n = normalize(t, len, p);
        }
        int segments = 0;
        int dotSegments = 0;
        boolean slash = false;
        boolean backslash = false;
        boolean leading = true; // nothing but separators, blanks and dot segments so far
        int first = -1;
        for (int i = 0; i < n; i++) {
            char c = p[i];
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
                boolean right = (r < n && isSep(p[r])) || (r >= n && e - i == 2 && i > 0 && isSep(p[i - 1]));
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
            if (files && c < 128 && FIRST[c] && (i == 0 || isSep(p[i - 1]) || p[i - 1] <= ' ' || p[i - 1] == '.' || p[i - 1] == '=')) {
                for (String f : SENSITIVE) {
                    if (c == f.charAt(0) && matches(p, n, i, f)) {
                        s.hit(Math.max(0, Math.min(i, len) - 1), Math.min(len, i + f.length() + 8));
                        return Builtin.TRAVERSAL_SENSITIVE_FILE.ordinal();
                    }
                }
            }
        }
        return -1;
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

    private static boolean matches(char[] t, int len, int at, String f) {
        if (at + f.length() > len) {
            return false;
        }
        for (int k = 0; k < f.length(); k++) {
            char c = t[at + k];
            char want = f.charAt(k);
            if (want == '/') {
                if (!isSep(c)) {
                    return false;
                }
            } else if (c != want) {
                return false;
            }
        }
        int e = at + f.length();
        return e >= len || f.endsWith("/") || f.endsWith("_") || !(Character.isLetterOrDigit(t[e]));
    }

    private static boolean isSep(char c) {
        return c == '/' || c == '\\';
    }
}
