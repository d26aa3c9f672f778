package io.mqttsentinel.inspect.internal;

/**
 * Per-thread working memory of the inspector, so that inspecting a message allocates nothing once the
 * buffers have grown to the size of the values seen. Buffers larger than {@link #RETAIN} are not kept.
 */
public final class Scratch {

    /** Largest buffer kept between messages, in characters or bytes. */
    static final int RETAIN = 1 << 16;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** Decoded text of the current value, original case (after {@link TextDecoder#restoreText}). */
    public char[] text = new char[1024];
    /** Lower-case copy of {@link #text}. */
    public char[] lower = new char[1024];
    /** Work buffer of the decoder. */
    char[] tmp = new char[1024];
    /** Number of valid characters in {@link #text} and {@link #lower}. */
    public int length;
    /** Whether {@link #text} is not written yet for the current value (see {@link TextDecoder#restoreText}). */
    boolean textPending;
    /** Copy of a payload that has no accessible array. */
    public byte[] bytes = new byte[1024];
    /** SQL tokens: type, start, end. */
    int[] tokType = new int[SqlDetector.MAX_TOKENS];
    int[] tokStart = new int[SqlDetector.MAX_TOKENS];
    int[] tokEnd = new int[SqlDetector.MAX_TOKENS];
    /** {@link #chars} bit: the value has '/' or '\\'. */
    public static final int SLASH = 1;
    /** {@link #chars} bit: the value has '.'. */
    public static final int DOT = 2;
    /** {@link #chars} bit: the value has a shell operator, a bracket, '$', a newline or a backslash. */
    public static final int SHELL = 4;
    /** {@link #chars} bit: the value has a control or non-ASCII character. */
    public static final int OTHER = 8;
    /** {@link #chars} bit: the value has '<', '=', ':', '(' or a backtick (markup, attributes, URIs, calls). */
    public static final int MARKUP = 16;
    /** {@link #chars} bit: the value has a single quote. */
    public static final int APOSTROPHE = 32;
    /** {@link #chars} bit: the value has a double quote. */
    public static final int QUOTE = 64;
    /** {@link #chars} bit: the value has an opening parenthesis (a call). */
    public static final int PAREN = 128;
    /** {@link #chars} bit: the value has '&lt;', a quote or a backtick (markup or an attribute context). */
    public static final int HTML = 256;
    /** {@link #chars} bit: the value has a backtick. */
    public static final int BACKTICK = 512;
    /** {@link #chars} bit: the value has '-'. */
    public static final int DASH = 1024;
    /** {@link #chars} bit: the value has a backslash. */
    public static final int BACKSLASH = 2048;
    /** {@link #chars} bit: the value has the digit '0' (hex spellings such as 0x2e start with it). */
    public static final int ZERO = 4096;
    /** {@link #chars} bit: the value has '='. */
    public static final int EQUALS = 8192;
    /** {@link #chars} bit: the value has ':'. */
    public static final int COLON = 16384;
    /** Which kinds of character the decoded value holds (bits above), set by the decoder. */
    public int chars;
    /** Set by the prefilter's JSON string scan. */
    public boolean suspicious;
    /** Container stack of the JSON scanner. */
    byte[] stack = new byte[64];
    /** Byte histogram for the entropy detector. */
    public final int[] histogram = new int[256];
    /** Where the last hit starts and ends in {@link #text}. */
    public int hitStart;
    /** Where the last hit ends in {@link #text}. */
    public int hitEnd;

    /** @return this thread's scratch space */
    public static Scratch get() {
        return LOCAL.get();
    }

    void ensureText(int n) {
        if (text.length < n) {
            int size = Math.max(n, text.length * 2);
            text = new char[size];
            lower = new char[size];
            tmp = new char[size];
        }
    }

    void ensureTokens(int n) {
        if (tokType.length < n) {
            int size = Math.max(n, tokType.length * 2);
            tokType = new int[size];
            tokStart = new int[size];
            tokEnd = new int[size];
        }
    }

    /**
     * @param n bytes needed
     * @return a byte buffer of at least {@code n} bytes
     */
    public byte[] bytes(int n) {
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        return bytes;
    }

    /** Messages in a row that did not need the large buffers. */
    private int smallStreak;

    /**
     * Called after each message: buffers that grew past {@link #RETAIN} are dropped once 256 messages in a
     * row have not needed them, so a flood of large messages does not reallocate (and a burst of one
     * large message does not pin the memory).
     *
     * @param messageBytes the size of the message just inspected
     */
    public void afterMessage(int messageBytes) {
        if (messageBytes > RETAIN) {
            smallStreak = 0;
            return;
        }
        if ((text.length > RETAIN || bytes.length > RETAIN || tokType.length > RETAIN) && ++smallStreak > 256) {
            smallStreak = 0;
            trim();
        }
    }

    /** Drops buffers that grew past {@link #RETAIN}. */
    public void trim() {
        if (text.length > RETAIN) {
            text = new char[1024];
            lower = new char[1024];
            tmp = new char[1024];
        }
        if (tokType.length > RETAIN) {
            tokType = new int[SqlDetector.MAX_TOKENS];
            tokStart = new int[SqlDetector.MAX_TOKENS];
            tokEnd = new int[SqlDetector.MAX_TOKENS];
        }
        if (bytes.length > RETAIN) {
            bytes = new byte[1024];
        }
    }

    /**
     * Records where a hit is.
     *
     * @param start first character
     * @param end   one past the last character
     * @return {@code true}
     */
    public boolean hit(int start, int end) {
        hitStart = start;
        hitEnd = end;
        return true;
    }
}
