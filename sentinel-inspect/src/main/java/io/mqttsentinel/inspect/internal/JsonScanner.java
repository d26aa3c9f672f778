package io.mqttsentinel.inspect.internal;

/**
 * A validating JSON tokenizer over bytes that hands each suspicious string (key or value) to a visitor,
 * without building a tree or a string. Anything that is not well-formed JSON, or nests deeper than the
 * limit, is reported as such so that the caller inspects the payload as plain text instead: an attacker
 * gains nothing by breaking the JSON.
 *
 * <p>Cost: one pass, constant work per byte, memory bounded by the depth limit.
 */
public final class JsonScanner {

    /** Receives the strings the prefilter flags. */
    public interface Visitor {
        /**
         * @param a     bytes
         * @param start first byte of the string's body (after the quote)
         * @param end   the closing quote
         * @param key   whether the string is an object key
         * @return {@code true} to stop scanning
         */
        boolean string(byte[] a, int start, int end, boolean key);
    }

    /** The payload was well-formed JSON (or the visitor stopped the scan). */
    public static final int JSON = 0;
    /** The payload is not JSON, or is too deep: inspect it as text. */
    public static final int NOT_JSON = 1;

    private static final int VALUE = 0;
    private static final int KEY = 1;
    private static final int COLON = 2;
    private static final int AFTER = 3;

    private JsonScanner() {
    }

    /**
     * @param a        bytes
     * @param off      first byte
     * @param end      one past the last byte
     * @param maxDepth deepest nesting accepted
     * @param pf       the prefilter
     * @param s        scratch
     * @param v        the visitor
     * @return {@link #JSON} or {@link #NOT_JSON}
     */
    public static int scan(byte[] a, int off, int end, int maxDepth, Prefilter pf, Scratch s, Visitor v) {
        if (s.stack.length < maxDepth) {
            s.stack = new byte[maxDepth];
        }
        byte[] stack = s.stack;
        int depth = 0;
        int state = VALUE;
        boolean emptyOk = false;
        int i = off;
        while (true) {
            while (i < end && isWs(a[i])) {
                i++;
            }
            if (i >= end) {
                return depth == 0 && state == AFTER ? JSON : NOT_JSON;
            }
            byte b = a[i];
            switch (state) {
                case VALUE -> {
                    if (b == '{' || b == '[') {
                        if (depth >= maxDepth) {
                            return NOT_JSON;
                        }
                        stack[depth++] = b;
                        state = b == '{' ? KEY : VALUE;
                        emptyOk = true;
                        i++;
                        continue;
                    }
                    if (depth == 0) {
                        return NOT_JSON; // a top-level scalar is inspected as text
                    }
                    if (b == ']' && emptyOk) {
                        depth--;
                        state = AFTER;
                        i++;
                    } else if (b == '"') {
                        int close = pf.jsonString(a, i + 1, end, s);
                        if (close < 0) {
                            return NOT_JSON;
                        }
                        if (s.suspicious && v.string(a, i + 1, close, false)) {
                            return JSON;
                        }
                        i = close + 1;
                        state = AFTER;
                    } else {
                        int j = scalar(a, i, end);
                        if (j < 0) {
                            return NOT_JSON;
                        }
                        i = j;
                        state = AFTER;
                    }
                    emptyOk = false;
                }
                case KEY -> {
                    if (b == '"') {
                        int close = pf.jsonString(a, i + 1, end, s);
                        if (close < 0) {
                            return NOT_JSON;
                        }
                        if (s.suspicious && v.string(a, i + 1, close, true)) {
                            return JSON;
                        }
                        i = close + 1;
                        state = COLON;
                    } else if (b == '}' && emptyOk) {
                        depth--;
                        state = AFTER;
                        i++;
                    } else {
                        return NOT_JSON;
                    }
                    emptyOk = false;
                }
                case COLON -> {
                    if (b != ':') {
                        return NOT_JSON;
                    }
                    state = VALUE;
                    i++;
                }
                default -> {
                    if (depth == 0) {
                        return NOT_JSON; // trailing bytes after the document
                    }
                    byte top = stack[depth - 1];
                    if (b == ',') {
                        state = top == '{' ? KEY : VALUE;
                    } else if ((b == '}' && top == '{') || (b == ']' && top == '[')) {
                        depth--;
                    } else {
                        return NOT_JSON;
                    }
                    i++;
                }
            }
        }
    }

    /** A number, true, false or null starting at {@code i}; returns its end or -1. */
    private static int scalar(byte[] a, int i, int end) {
        byte b = a[i];
        if (b == '-' || (b >= '0' && b <= '9')) {
            int j = i + 1;
            while (j < end) {
                byte c = a[j];
                if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    j++;
                } else {
                    break;
                }
            }
            return j;
        }
        if (b == 't') {
            return literal(a, i, end, "true");
        }
        if (b == 'f') {
            return literal(a, i, end, "false");
        }
        if (b == 'n') {
            return literal(a, i, end, "null");
        }
        return -1;
    }

    private static int literal(byte[] a, int i, int end, String word) {
        if (i + word.length() > end) {
            return -1;
        }
        for (int k = 0; k < word.length(); k++) {
            if (a[i + k] != word.charAt(k)) {
                return -1;
            }
        }
        return i + word.length();
    }

    private static boolean isWs(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /**
     * @param a   bytes
     * @param off first byte
     * @param end one past the last byte
     * @return whether the first non-blank byte opens an object or array
     */
    public static boolean looksLikeJson(byte[] a, int off, int end) {
        int i = off;
        while (i < end && isWs(a[i])) {
            i++;
        }
        return i < end && (a[i] == '{' || a[i] == '[');
    }

    /**
     * Whether the bytes are text: UTF-8 (overlong two-byte forms included, since they are an evasion and
     * not a sign of binary data) with no control bytes but tab, CR, LF, FF and BS. Binary frames skip the
     * text signatures.
     *
     * @param a   bytes
     * @param off first byte
     * @param end one past the last byte
     * @return {@code true} for text
     */
    public static boolean isText(byte[] a, int off, int end) {
        int i = off;
        while (i < end) {
            int b = a[i] & 0xFF;
            if (b < 0x80) {
                if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\b') {
                    return false;
                }
                i++;
                continue;
            }
            // lead bytes of every length the lenient decoder reads (overlong forms are an evasion we decode
            // rather than skip); a stray continuation byte or FE/FF is binary
            int need = TextDecoder.continuations(b);
            if (need == 0) {
                return false;
            }
            if (i + need >= end) {
                return false;
            }
            for (int k = 1; k <= need; k++) {
                if ((a[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }
}
