package io.mqttsentinel.inspect.internal;

/**
 * Turns the bytes of one value into the text an attacker meant, so that detectors match the decoded form:
 * UTF-8 (lenient: overlong forms such as {@code C0 AE} decode to the character they spell, which is how
 * {@code %c0%ae%c0%ae/} becomes {@code ../}), JSON string escapes, then up to {@code maxRounds} rounds of
 * percent-decoding ({@code %HH}, {@code %uHHHH}), HTML entities and backslash escapes ({@code \u0027},
 * {@code \x27}), stopping as soon as a round changes nothing. Fullwidth forms fold to ASCII.
 *
 * <p>Every step writes at most as many characters as it reads, so the output never exceeds the input's
 * length and the total work is at most {@code (rounds + 1) * length}: bounded in depth and in bytes.
 */
public final class TextDecoder {

    private static final int[] CHAR_BITS = new int[128];
    private static final char[] LOWER = new char[128];
    /**
     * For the fast path, per ASCII character: its lower case in the low 16 bits and its {@link #CHAR_BITS}
     * above them, or -1 for a character that may need more than a copy (escapes, encodings, form '+').
     */
    private static final int[] PLAIN = new int[128];

    static {
        for (int c = 0; c < 128; c++) {
            int bits = 0;
            if ("/\\".indexOf(c) >= 0) {
                bits |= Scratch.SLASH;
            }
            if (c == '.') {
                bits |= Scratch.DOT;
            }
            if (";|&`$(){}<>\n\r\\".indexOf(c) >= 0) {
                bits |= Scratch.SHELL;
            }
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                bits |= Scratch.OTHER;
            }
            if ("<=:(`".indexOf(c) >= 0) {
                bits |= Scratch.MARKUP;
            }
            if (c == '\'') {
                bits |= Scratch.APOSTROPHE;
            }
            if (c == '"') {
                bits |= Scratch.QUOTE;
            }
            if (c == '(') {
                bits |= Scratch.PAREN;
            }
            if ("<'\"`".indexOf(c) >= 0) {
                bits |= Scratch.HTML;
            }
            if (c == '`') {
                bits |= Scratch.BACKTICK;
            }
            if (c == '-') {
                bits |= Scratch.DASH;
            }
            if (c == '\\') {
                bits |= Scratch.BACKSLASH;
            }
            if (c == '0') {
                bits |= Scratch.ZERO;
            }
            if (c == '=') {
                bits |= Scratch.EQUALS;
            }
            if (c == ':') {
                bits |= Scratch.COLON;
            }
            if (bits >= 1 << 15) {
                throw new AssertionError("character bits must fit in 15 bits: the fast path keeps them in an int");
            }
            CHAR_BITS[c] = bits;
            LOWER[c] = (char) ((c >= 'A' && c <= 'Z') ? c + 32 : c);
            // what may need more than a copy: escapes, encodings, form '+'; non-ASCII bytes stop the fast path too
            PLAIN[c] = "\\%&+".indexOf(c) < 0 ? LOWER[c] | bits << 16 : -1;
        }
    }

    private TextDecoder() {
    }

    /**
     * Decodes {@code src[off, end)} into {@code s.text}/{@code s.lower} and sets {@code s.length}.
     *
     * @param src        the bytes
     * @param off        first byte
     * @param end        one past the last byte
     * @param jsonString whether the bytes are the inside of a JSON string (so JSON escapes apply)
     * @param maxRounds  how many percent/entity/backslash rounds at most
     * @param s          the scratch space
     */
    public static void decode(byte[] src, int off, int end, boolean jsonString, int maxRounds, Scratch s) {
        s.ensureText(end - off);
        if (!plain(src, off, end, jsonString, s)) {
            full(src, off, end, jsonString, maxRounds, s);
        }
    }

    /** {@link #decode} without the one-pass fast path (tests check that both agree). */
    static void full(byte[] src, int off, int end, boolean jsonString, int maxRounds, Scratch s) {
        s.ensureText(end - off);
        s.textPending = false;
        char[] out = s.text;
        int len = utf8(src, off, end, jsonString, out);
        formPlus(out, len);
        char[] tmp = s.tmp;
        int enc = encodings(out, len);
        // each step runs only when its marker is present and rescans the markers only when it changed the text
        for (int round = 0; round < maxRounds && enc != 0; round++) {
            boolean changed = false;
            if ((enc & PERCENT) != 0) {
                int l2 = percent(out, len, tmp);
                formPlus(tmp, l2);
                if (l2 != len || !same(out, tmp, l2)) {
                    changed = true;
                    System.arraycopy(tmp, 0, out, 0, l2);
                    len = l2;
                    enc = encodings(out, len);
                }
            }
            if ((enc & AMPERSAND) != 0) {
                int l3 = entities(out, len, tmp);
                if (l3 != len) { // a decoded reference always shortens the text
                    changed = true;
                    System.arraycopy(tmp, 0, out, 0, l3);
                    len = l3;
                    enc = encodings(out, len);
                }
            }
            if ((enc & BACKSLASH) != 0) {
                int l4 = backslash(out, len, tmp);
                if (l4 != len) { // so does a decoded escape
                    changed = true;
                    System.arraycopy(tmp, 0, out, 0, l4);
                    len = l4;
                    enc = encodings(out, len);
                }
            }
            if (!changed) {
                break;
            }
        }
        char[] lower = s.lower;
        int mask = 0;
        for (int i = 0; i < len; i++) {
            char c = out[i];
            if (c >= 0xFF01 && c <= 0xFF5E) {
                c = (char) (c - 0xFF01 + 0x21);
                out[i] = c;
            }
            lower[i] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
            mask |= c < 128 ? CHAR_BITS[c] : Scratch.OTHER;
        }
        s.length = len;
        s.chars = mask;
    }

    /**
     * The common case in one pass: ASCII with nothing to decode, written in lower case with its character
     * mask. Simple JSON escapes (quote, slash, control characters) are undone on the way and a '&amp;' that
     * starts no character reference is kept; anything else that a decoding step could change ('%', '+', a
     * backslash left after JSON, '&amp;#', a known entity name, non-ASCII) returns {@code false}, having written
     * garbage, and the full decoder runs. The original-case text is not written: {@link #restoreText} makes
     * it when a finding needs an excerpt.
     */
    private static boolean plain(byte[] src, int off, int end, boolean json, Scratch s) {
        char[] lower = s.lower;
        int[] table = PLAIN;
        int mask = 0; // character bits, shifted left 16 as in the table
        int i = off;
        int o = 0;
        while (true) {
            // a run of plain characters: the output index is the input index minus a constant within the run,
            // which lets the compiler drop the range checks
            int shift = i - o;
            int v;
            for (; i < end; i++) {
                int b = src[i];
                if (b < 0 || (v = table[b]) < 0) {
                    break;
                }
                lower[i - shift] = (char) v;
                mask |= v;
            }
            o = i - shift;
            if (i >= end) {
                break;
            }
            int b = src[i];
            if (b == '\\' && json && i + 1 < end) {
                int d = switch (src[i + 1]) {
                    case '"' -> '"';
                    case '/' -> '/';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> -1; // a backslash, a \\u escape: the full decoder
                };
                if (d < 0) {
                    return false;
                }
                lower[o++] = (char) d;
                mask |= CHAR_BITS[d] << 16;
                i += 2;
            } else if (b == '&') {
                if (i + 1 < end && src[i + 1] == '#') {
                    return false;
                }
                lower[o++] = '&';
                mask |= CHAR_BITS['&'] << 16;
                int name = o;
                int k = i + 1;
                while (k < end && k - i <= 8 && isAsciiLetter((char) src[k])) {
                    lower[o++] = LOWER[src[k]];
                    k++;
                }
                if (o - name >= 2 && lookup(lower, name, o - name) != 0) {
                    return false;
                }
                i = k;
            } else {
                return false;
            }
        }
        s.length = o;
        s.chars = mask >>> 16;
        s.textPending = true;
        return true;
    }

    /**
     * Writes {@link Scratch#text}, the original-case decoded value, when the fast path left it out (for an
     * excerpt); {@link Scratch#lower}, the length and the mask come out as they were.
     *
     * @param src        the bytes decoded last
     * @param off        first byte
     * @param end        one past the last byte
     * @param jsonString as given to {@link #decode}
     * @param maxRounds  as given to {@link #decode}
     * @param s          the scratch space
     */
    public static void restoreText(byte[] src, int off, int end, boolean jsonString, int maxRounds, Scratch s) {
        if (s.textPending) {
            full(src, off, end, jsonString, maxRounds, s);
        }
    }

    /**
     * A value without a single space whose '+' signs join letters ({@code 8+and+1=1--}) is form-encoded:
     * its '+' are spaces. Unless it is base64: only base64 characters ('=' only as padding), upper case, lower
     * case and digits mixed, and at most one piece between '+' signs made of letters only (form-encoded text
     * puts a word between every two, random data hardly ever): there a '+' is data, and spaces would make
     * words of random letters ({@code TM13CgB/ps+/yR1...} is no "ps" command).
     */
    static void formPlus(char[] t, int len) {
        boolean joinsLetters = false;
        boolean base64 = true;
        int kinds = 0;
        int wordPieces = 0;
        int pieceStart = 0;
        boolean pieceLetters = true;
        for (int i = 0; i <= len; i++) {
            char c = i < len ? t[i] : '+';
            if (c == ' ') {
                return;
            }
            if (c >= 'a' && c <= 'z') {
                kinds |= 1;
            } else if (c >= 'A' && c <= 'Z') {
                kinds |= 2;
            } else if (c == '+') {
                if (pieceLetters && i - pieceStart >= 2) {
                    wordPieces++;
                }
                pieceStart = i + 1;
                pieceLetters = true;
                if (i > 0 && i + 1 < len && isAsciiLetter(t[i + 1]) && t[i - 1] != '+') {
                    joinsLetters = true;
                }
            } else {
                pieceLetters = false;
                if (c >= '0' && c <= '9') {
                    kinds |= 4;
                } else if (c != '/' && !(c == '=' && i >= len - 2)) {
                    base64 = false;
                }
            }
        }
        if (joinsLetters && !(base64 && kinds == 7 && wordPieces <= 1)) {
            for (int i = 0; i < len; i++) {
                if (t[i] == '+') {
                    t[i] = ' ';
                }
            }
        }
    }

    private static final int PERCENT = 1;
    private static final int AMPERSAND = 2;
    private static final int BACKSLASH = 4;

    /** Which of the decoding rounds' markers ('%', '&amp;', '\\') the text holds. */
    private static int encodings(char[] t, int len) {
        int enc = 0;
        for (int i = 0; i < len; i++) {
            char c = t[i];
            if (c == '%') {
                enc |= PERCENT;
            } else if (c == '&') {
                enc |= AMPERSAND;
            } else if (c == '\\') {
                enc |= BACKSLASH;
            }
        }
        return enc;
    }

    private static boolean same(char[] a, char[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** UTF-8 (lenient) plus, for JSON strings, JSON escapes. */
    static int utf8(byte[] src, int off, int end, boolean json, char[] out) {
        int o = 0;
        int i = off;
        while (i < end) {
            int b = src[i] & 0xFF;
            if (b < 0x80) {
                if (json && b == '\\' && i + 1 < end) {
                    int e = src[i + 1];
                    switch (e) {
                        case 'n' -> { out[o++] = '\n'; i += 2; }
                        case 'r' -> { out[o++] = '\r'; i += 2; }
                        case 't' -> { out[o++] = '\t'; i += 2; }
                        case 'b' -> { out[o++] = '\b'; i += 2; }
                        case 'f' -> { out[o++] = '\f'; i += 2; }
                        case 'u' -> {
                            int v = i + 5 < end ? hex4(src, i + 2) : -1;
                            if (v >= 0) {
                                out[o++] = (char) v;
                                i += 6;
                            } else {
                                out[o++] = '\\';
                                i++;
                            }
                        }
                        default -> { out[o++] = (char) e; i += 2; }
                    }
                } else {
                    out[o++] = (char) b;
                    i++;
                }
            } else {
                // a lead byte of any length (2 to 6, overlong forms included) and its continuation bytes
                int need = continuations(b);
                int cp = need > 0 && i + need < end ? b & (0x3F >> need) : -1;
                for (int k = 1; k <= need && cp >= 0; k++) {
                    byte c = src[i + k];
                    cp = isCont(c) ? cp << 6 | (c & 0x3F) : -1;
                }
                if (cp >= 0) {
                    out[o++] = character(cp);
                    i += need + 1;
                } else {
                    out[o++] = (char) b;
                    i++;
                }
            }
        }
        return o;
    }

    /**
     * How many continuation bytes a lead byte announces, lenient as old decoders were: 1 for C0-DF (C0 and C1
     * only start overlong forms), 2 for E0-EF, 3 for F0-F7, 4 for F8-FB and 5 for FC-FD (lengths UTF-8 no longer
     * allows, used only to spell ASCII the long way); 0 for a byte that starts nothing.
     */
    static int continuations(int lead) {
        if (lead < 0xC0) {
            return 0;
        }
        if (lead < 0xE0) {
            return 1;
        }
        if (lead < 0xF0) {
            return 2;
        }
        if (lead < 0xF8) {
            return 3;
        }
        if (lead < 0xFC) {
            return 4;
        }
        return lead < 0xFE ? 5 : 0;
    }

    /**
     * The character a decoded sequence spells: an overlong form is the character it spells ({@code F0 80 80 AF}
     * is '/'); astral characters play no part in any signature, so one replacement character keeps the length bound.
     */
    private static char character(int cp) {
        return cp < 0x10000 ? (char) cp : '\uFFFD';
    }

    private static boolean isCont(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static int hex4(byte[] s, int i) {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int h = hexValue(s[i + k]);
            if (h < 0) {
                return -1;
            }
            v = (v << 4) | h;
        }
        return v;
    }

    static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int hex(char[] s, int i, int count, int len) {
        if (i + count > len) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < count; k++) {
            int h = hexValue(s[i + k]);
            if (h < 0) {
                return -1;
            }
            v = (v << 4) | h;
        }
        return v;
    }

    /** %HH (with lenient UTF-8 for byte runs) and %uHHHH; '+' becomes a space when any escape was decoded. */
    static int percent(char[] in, int len, char[] out) {
        int o = 0;
        boolean any = false;
        for (int k = 0; k + 2 < len; k++) {
            if (in[k] == '%' && (hex(in, k + 1, 2, len) >= 0 || ((in[k + 1] == 'u' || in[k + 1] == 'U') && hex(in, k + 2, 4, len) >= 0))) {
                any = true;
                break;
            }
        }
        int i = 0;
        while (i < len) {
            char c = in[i];
            if (c == '%') {
                int v = hex(in, i + 1, 2, len);
                if (v >= 0) {
                    i += 3;
                    int need = continuations(v);
                    if (need > 0) {
                        // %e0%80%af, %f8%80%80%80%af: a UTF-8 sequence of any length, overlong forms included
                        int cp = v & (0x3F >> need);
                        for (int k = 0; k < need && cp >= 0; k++) {
                            int at = i + 3 * k;
                            int b = at < len && in[at] == '%' ? hex(in, at + 1, 2, len) : -1;
                            cp = b >= 0x80 && b < 0xC0 ? cp << 6 | (b & 0x3F) : -1;
                        }
                        if (cp >= 0) {
                            out[o++] = character(cp);
                            i += 3 * need;
                            continue;
                        }
                        int v2 = (v == 0xC0 || v == 0xC1) && i < len && in[i] == '%' ? hex(in, i + 1, 2, len) : -1;
                        if (v2 >= 0 && v2 < 0x80) {
                            // %c0%2f, %c1%1c: broken two-byte forms; lenient servers read the ASCII byte, or the
                            // character the lead's bit and the low six bits make when the byte is a control
                            out[o++] = (char) (v2 >= 0x20 ? v2 : (v & 1) << 6 | v2);
                            i += 3;
                            continue;
                        }
                    }
                    out[o++] = (char) v;
                    continue;
                }
                if (i + 1 < len && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
                    int u = hex(in, i + 2, 4, len);
                    if (u >= 0) {
                        out[o++] = (char) u;
                        i += 6;
                        continue;
                    }
                }
            }
            // form encoding: a literal '+' is a space when the value is percent-encoded (a decoded %2B stays '+')
            out[o++] = c == '+' && any ? ' ' : c;
            i++;
        }
        return o;
    }

    private static final String[] NAMES = {
        "lt", "gt", "amp", "quot", "apos", "nbsp", "sol", "bsol", "lpar", "rpar", "colon", "semi", "comma",
        "period", "excl", "num", "dollar", "percnt", "equals", "grave", "lsqb", "rsqb", "lcub", "rcub", "tab",
        "newline", "vert", "ast", "plus", "quest", "commat", "hyphen", "lowbar", "circ", "tilde"
    };
    private static final char[] VALUES = {
        '<', '>', '&', '"', '\'', ' ', '/', '\\', '(', ')', ':', ';', ',',
        '.', '!', '#', '$', '%', '=', '`', '[', ']', '{', '}', '\t',
        '\n', '|', '*', '+', '?', '@', '-', '_', '^', '~'
    };

    /** HTML character references: named (a useful subset, case-insensitive), decimal and hex, ';' optional. */
    static int entities(char[] in, int len, char[] out) {
        int o = 0;
        int i = 0;
        while (i < len) {
            char c = in[i];
            if (c == '&' && i + 2 < len) {
                if (in[i + 1] == '#') {
                    int j = i + 2;
                    boolean hexForm = j < len && (in[j] == 'x' || in[j] == 'X');
                    if (hexForm) {
                        j++;
                    }
                    int start = j;
                    int v = 0;
                    // bounded: at most 8 digits (leading zeros included) are read
                    while (j < len && j - start < 8) {
                        int d = hexForm ? hexValue(in[j]) : (in[j] >= '0' && in[j] <= '9' ? in[j] - '0' : -1);
                        if (d < 0) {
                            break;
                        }
                        v = v * (hexForm ? 16 : 10) + d;
                        j++;
                    }
                    if (j > start && v <= 0xFFFF) {
                        if (j < len && in[j] == ';') {
                            j++;
                        }
                        out[o++] = (char) v;
                        i = j;
                        continue;
                    }
                } else {
                    int j = i + 1;
                    while (j < len && j - i <= 8 && isAsciiLetter(in[j])) {
                        j++;
                    }
                    int nameLen = j - i - 1;
                    if (nameLen >= 2) {
                        char v = lookup(in, i + 1, nameLen);
                        if (v != 0) {
                            if (j < len && in[j] == ';') {
                                j++;
                            }
                            out[o++] = v;
                            i = j;
                            continue;
                        }
                    }
                }
            }
            out[o++] = c;
            i++;
        }
        return o;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static char lookup(char[] in, int off, int len) {
        outer:
        for (int k = 0; k < NAMES.length; k++) {
            String name = NAMES[k];
            if (name.length() != len) {
                continue;
            }
            for (int m = 0; m < len; m++) {
                char c = in[off + m];
                if (c >= 'A' && c <= 'Z') {
                    c = (char) (c + 32);
                }
                if (c != name.charAt(m)) {
                    continue outer;
                }
            }
            return VALUES[k];
        }
        return 0;
    }

    /** Backslash escapes an attacker uses outside JSON: \\uHHHH and \\xHH. */
    static int backslash(char[] in, int len, char[] out) {
        int o = 0;
        int i = 0;
        while (i < len) {
            char c = in[i];
            if (c == '\\' && i + 1 < len) {
                char e = in[i + 1];
                if (e == 'u' || e == 'U') {
                    int v = hex(in, i + 2, 4, len);
                    if (v >= 0) {
                        out[o++] = (char) v;
                        i += 6;
                        continue;
                    }
                } else if (e == 'x' || e == 'X') {
                    int v = hex(in, i + 2, 2, len);
                    if (v >= 0) {
                        out[o++] = (char) v;
                        i += 4;
                        continue;
                    }
                }
            }
            out[o++] = c;
            i++;
        }
        return o;
    }
}
