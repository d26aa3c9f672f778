package io.mqttsentinel.inspect.internal;

/**
 * Packs a short lower-case word (letters and '_', at most {@value #MAX_LEN} characters) into a {@code long}
 * (five bits a character) so that keyword tables are looked up without creating strings, and holds a small
 * open-addressing table from packed words to ids.
 */
public final class Words {

    /** Longest word that packs. */
    public static final int MAX_LEN = 12;

    /** 5-bit code of each ASCII character, 0 for those that cannot be part of a packed word. */
    private static final byte[] CODES = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            CODES[c] = (byte) ((c >= 'a' && c <= 'z') ? c - 'a' + 1 : c == '_' ? 27 : 0);
        }
    }

    private final long[] keys;
    private final int[] ids;
    private final int mask;
    /** Bit {@link #shape} set: some word of the table has that first letter, last letter and length. */
    private final long[] shapes = new long[(28 << 9) / 64];

    private Words(int capacity) {
        int size = Integer.highestOneBit(Math.max(16, capacity * 4) - 1) << 1;
        keys = new long[size];
        ids = new int[size];
        mask = size - 1;
    }

    /**
     * @param entries words and their ids: {@code "select", 1, "union", 2, ...}
     * @return the table
     */
    public static Words of(Object... entries) {
        Words w = new Words(entries.length / 2);
        for (int i = 0; i < entries.length; i += 2) {
            w.put((String) entries[i], (Integer) entries[i + 1]);
        }
        return w;
    }

    /**
     * @param words the words, all with the same id
     * @param id    their id
     * @return the table
     */
    public static Words all(int id, String... words) {
        Words w = new Words(words.length);
        for (String word : words) {
            w.put(word, id);
        }
        return w;
    }

    private void put(String word, int id) {
        long p = pack(word);
        if (p <= 0) {
            throw new IllegalArgumentException("not a packable word: " + word);
        }
        int shape = shape(code(word.charAt(0)), code(word.charAt(word.length() - 1)), word.length());
        shapes[shape >>> 6] |= 1L << shape;
        int i = slot(p);
        while (keys[i] != 0 && keys[i] != p) {
            i = (i + 1) & mask;
        }
        keys[i] = p;
        ids[i] = id;
    }

    private int slot(long p) {
        long h = p * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    private static int shape(int firstCode, int lastCode, int length) {
        return ((firstCode << 5) | lastCode) << 4 | length;
    }

    /** Whether some word of the table has this first letter, last letter and length (0 codes never match). */
    private boolean hasShape(int firstCode, int lastCode, int length) {
        int shape = shape(firstCode, lastCode, length);
        return (shapes[shape >>> 6] & (1L << shape)) != 0;
    }

    /**
     * Like {@link #get(long)}, but first turns away, with one bit test, a word whose first letter, last letter
     * and length no word of the table has (most words of a text).
     *
     * @param packed a packed word of all-letter codes (no 0 code)
     * @param length its length in characters, 1 to {@link #MAX_LEN}
     * @return its id, or {@code -1}
     */
    public int get(long packed, int length) {
        if (length < 1 || length > MAX_LEN || packed <= 0) {
            return -1;
        }
        return hasShape((int) (packed >>> (5 * (length - 1))), (int) (packed & 31), length) ? get(packed) : -1;
    }

    /**
     * @param packed a packed word
     * @return its id, or {@code -1}
     */
    public int get(long packed) {
        if (packed <= 0) {
            return -1;
        }
        int i = slot(packed);
        while (true) {
            long k = keys[i];
            if (k == packed) {
                return ids[i];
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * @param a characters, lower case
     * @param s first
     * @param e one past the last
     * @return the id of the word, or {@code -1}
     */
    public int get(char[] a, int s, int e) {
        int n = e - s;
        if (n <= 0 || n > MAX_LEN || !hasShape(code(a[s]), code(a[e - 1]), n)) {
            return -1; // most words of a text are turned away here, before they are packed
        }
        return get(pack(a, s, e));
    }

    /**
     * @param c a lower-case character
     * @return its 5-bit code (1..27), or 0 when it cannot be part of a packed word
     */
    public static int code(int c) {
        return c >= 0 && c < 128 ? CODES[c] : 0;
    }

    /**
     * @param word a word
     * @return it packed, or {@code -1}
     */
    public static long pack(String word) {
        if (word.isEmpty() || word.length() > MAX_LEN) {
            return -1;
        }
        long p = 0;
        for (int i = 0; i < word.length(); i++) {
            int c = code(word.charAt(i));
            if (c == 0) {
                return -1;
            }
            p = (p << 5) | c;
        }
        return p;
    }

    /**
     * @param a characters, lower case
     * @param s first
     * @param e one past the last
     * @return the word packed, or {@code -1}
     */
    public static long pack(char[] a, int s, int e) {
        if (e <= s || e - s > MAX_LEN) {
            return -1;
        }
        long p = 0;
        for (int i = s; i < e; i++) {
            char ch = a[i];
            int c = ch < 128 ? CODES[ch] : 0;
            if (c == 0) {
                return -1;
            }
            p = (p << 5) | c;
        }
        return p;
    }

    /**
     * @param a characters
     * @param s first
     * @param e one past the last
     * @param word a lower-case word
     * @return whether {@code a[s, e)} equals {@code word}
     */
    public static boolean eq(char[] a, int s, int e, String word) {
        if (e - s != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (a[s + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param a   characters
     * @param len valid length
     * @param at  where to look
     * @param word a lower-case word
     * @return whether {@code word} starts at {@code at}
     */
    public static boolean startsWith(char[] a, int len, int at, String word) {
        if (at < 0 || at + word.length() > len) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (a[at + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
