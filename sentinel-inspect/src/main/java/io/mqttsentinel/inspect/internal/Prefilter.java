package io.mqttsentinel.inspect.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Collection;

/**
 * The cheap first look at a value's raw bytes that decides whether the detectors run at all. A value is
 * suspicious when it holds a byte that an attack or an encoding needs (quotes, angle brackets, shell
 * operators, '%', '\', '&', '#', braces, parentheses, control and non-ASCII bytes), a {@code ..}, {@code --},
 * {@code /*} or {@code @@}, or a whole
 * word from the keyword table (SQL keywords, command names, script words, sensitive file names, and the
 * words of operators' literal rules). Every detector needs one of those to fire, so a value the prefilter
 * passes cannot match; a clean telemetry value costs a table look-up per byte and no allocation.
 */
public final class Prefilter {

    static final byte NEUTRAL = 0;
    static final byte TRIGGER = 1;
    static final byte LETTER = 2;
    static final byte DOT = 3;
    /** '-', '@', '*': suspicious as the second of "--", "@@", "/*" (SQL comments, server variables). */
    static final byte PAIR = 4;

    private static final String[] KEYWORDS = {
        // SQL
        "select", "union", "from", "where", "having", "order", "group", "insert", "update", "delete", "drop",
        "create", "alter", "exec", "execute", "declare", "shutdown", "truncate", "waitfor", "delay", "sleep",
        "benchmark", "pg_sleep", "and", "or", "xor", "like", "rlike", "regexp", "between", "sounds",
        "load_file", "outfile", "dumpfile", "xp_cmdshell", "sysobjects", "syscolumns", "extractvalue",
        "updatexml", "utl_inaddr", "utl_http", "dbms_pipe", "msysobjects", "pg_catalog",
        "sysdatabases", "pg_read_file", "xp_regread", "sp_password", "call", "grant", "revoke",
        "set", "if", "declare",
        // script
        "script", "javascript", "vbscript", "livescript", "alert", "prompt", "confirm", "eval", "document",
        "expression", "fromcharcode", "settimeout", "setinterval", "atob", "execscript", "msgbox", "moz",
        // files
        "passwd", "shadow", "etc", "ini", "winnt", "windows", "htaccess", "htpasswd", "sudoers", "system",
        "boot", "proc", "config", "exe", "bash_history", "sam", "hosts", "issue", "ssh", "wp_config", "inetpub",
        "wwwroot", "asa",
    };

    /** Command names the shell detector knows (kept in step with its dictionary). */
    private static final String[] COMMANDS = {
        "whoami", "ifconfig", "ipconfig", "uname", "netstat", "systeminfo", "sysinfo", "id", "ls", "pwd", "wget",
        "curl", "nc", "ncat", "netcat", "bash", "sh", "zsh", "ksh", "csh", "tcsh", "dash", "perl", "python",
        "ruby", "php", "powershell", "pwsh", "cmd", "nslookup", "chmod", "chown", "tftp", "telnet", "xterm",
        "certutil", "bitsadmin", "tasklist", "taskkill", "wmic", "mshta", "rundll", "regsvr", "cscript",
        "wscript", "socat", "busybox", "mkfifo", "useradd", "usermod", "sudo", "crontab", "nohup", "xxd",
        "printenv", "net", "netsh", "reg", "dir", "nmap", "lsof", "schtasks", "icacls", "systemctl", "ifup",
        "iptables", "uptime", "hostname", "getent", "wevtutil", "vssadmin", "cat", "echo", "ping", "type", "rm",
        "ps", "kill", "find", "grep", "head", "tail", "more", "less", "cp", "mv", "mkdir", "touch", "which",
        "route", "traceroute", "tracert", "arp", "scp", "ftp", "del", "copy", "start", "attrib", "service",
        "mount", "reboot", "env", "export", "base", "dd", "awk", "sed", "xargs", "tee", "timeout", "source",
        "runas", "sc", "tar", "gcc", "passthru", "shell_exec", "popen", "proc_open", "pcntl_exec", "phpinfo",
        "assert", "spawn", "execsync", "execfile", "getruntime", "subprocess", "os_system", "exit", "phpversion",
    };

    private static final int[] CODES = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            CODES[b] = (b >= 'A' && b <= 'Z') ? Words.code(b + 32) : Words.code(b);
        }
    }

    private final byte[] classes = new byte[256];
    /** {@link #classes} for the inside of JSON strings. */
    private final byte[] jsonClasses;
    private final Words keywords;
    private final boolean inspectAll;

    private Prefilter(Words keywords, boolean inspectAll, String extraTriggers) {
        this.keywords = keywords;
        this.inspectAll = inspectAll;
        for (int b = 0; b < 256; b++) {
            byte cls;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_') {
                cls = LETTER;
            } else if (b == '.') {
                cls = DOT;
            } else if (b == '-' || b == '@' || b == '*') {
                cls = PAIR;
            } else if (b < 0x20 || b >= 0x7F || "'\"<>;|&`$%\\(){}#".indexOf(b) >= 0) {
                cls = TRIGGER;
            } else {
                cls = NEUTRAL;
            }
            classes[b] = cls;
        }
        for (int i = 0; i < extraTriggers.length(); i++) {
            char c = extraTriggers.charAt(i);
            if (c < 256 && classes[c] == NEUTRAL) {
                classes[c] = TRIGGER;
            }
        }
        jsonClasses = classes.clone();
    }

    /**
     * @param literals the lower-case literals of operators' rules (their words and punctuation join the filter)
     * @return the prefilter
     */
    public static Prefilter create(Collection<String> literals) {
        java.util.List<Object> entries = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String k : KEYWORDS) {
            if (seen.add(k)) {
                entries.add(k);
                entries.add(1);
            }
        }
        for (String k : COMMANDS) {
            if (seen.add(k)) {
                entries.add(k);
                entries.add(1);
            }
        }
        boolean all = false;
        StringBuilder extra = new StringBuilder();
        for (String literal : literals) {
            boolean covered = false;
            int i = 0;
            while (i < literal.length()) {
                char c = literal.charAt(i);
                if (Words.code(c) != 0) {
                    int j = i;
                    while (j < literal.length() && Words.code(literal.charAt(j)) != 0) {
                        j++;
                    }
                    String word = literal.substring(i, j);
                    // literals match on word boundaries, so each of their words is a whole word in the text too
                    if (j - i >= 2 && j - i <= Words.MAX_LEN) {
                        if (seen.add(word)) {
                            entries.add(word);
                            entries.add(1);
                        }
                        covered = true;
                    }
                    i = j;
                } else {
                    if (!(c >= '0' && c <= '9') && c != ' ' && c != '.') {
                        extra.append(c);
                        covered = true;
                    }
                    i++;
                }
            }
            if (!covered) {
                all = true;
            }
        }
        return new Prefilter(Words.of(entries.toArray()), all, extra.toString());
    }

    /** @return whether every value is inspected (an operator's literal has nothing the filter can key on) */
    public boolean inspectsAll() {
        return inspectAll;
    }

    /**
     * @param a   bytes
     * @param s   first byte of the value
     * @param e   one past its last byte
     * @return whether the detectors must look at the value
     */
    public boolean suspicious(byte[] a, int s, int e) {
        if (inspectAll) {
            return true;
        }
        byte[] cls = classes;
        long word = 0;
        int wordLen = 0;
        boolean prevDot = false;
        for (int i = s; i < e; i++) {
            int b = a[i] & 0xFF;
            byte c = cls[b];
            if (c == LETTER) {
                word = (word << 5) | CODES[b];
                wordLen++;
                prevDot = false;
                continue;
            }
            if (wordLen >= 2 && wordLen <= Words.MAX_LEN && keywords.get(word) >= 0) {
                return true;
            }
            word = 0;
            wordLen = 0;
            if (c == TRIGGER) {
                return true;
            }
            if (c == DOT) {
                if (prevDot) {
                    return true;
                }
                prevDot = true;
            } else {
                prevDot = false;
                if (c == PAIR && i > s && pair(a[i - 1], b)) {
                    return true;
                }
            }
        }
        return wordLen >= 2 && wordLen <= Words.MAX_LEN && keywords.get(word) >= 0;
    }

    /**
     * Scans the body of a JSON string and prefilters it in the same pass.
     *
     * @param a   bytes
     * @param i   first byte after the opening quote
     * @param end end of the payload
     * @param s   scratch: {@link Scratch#suspicious} is set
     * @return the index of the closing quote, or -1 when the string is not valid JSON (unterminated, raw control byte)
     */
    public int jsonString(byte[] a, int i, int end, Scratch s) {
        byte[] cls = jsonClasses;
        int[] codes = CODES;
        long word = 0;
        int wordLen = 0;
        boolean prevDot = false;
        if (inspectAll) {
            return closeQuote(a, i, end, s);
        }
        for (; i < end; i++) {
            int b = a[i] & 0xFF;
            byte c = cls[b];
            if (c == LETTER) {
                word = (word << 5) | codes[b];
                wordLen++;
                continue;
            }
            if (wordLen != 0) {
                if (wordLen >= 2 && wordLen <= Words.MAX_LEN && keywords.get(word) >= 0) {
                    return closeQuote(a, i, end, s);
                }
                word = 0;
                wordLen = 0;
            }
            if (c == NEUTRAL) {
                prevDot = false;
                continue;
            }
            if (c == DOT) {
                if (prevDot) {
                    return closeQuote(a, i, end, s);
                }
                prevDot = true;
                continue;
            }
            prevDot = false;
            if (c == PAIR) {
                if (pair(a[i - 1], b)) {
                    return closeQuote(a, i, end, s);
                }
                continue;
            }
            if (b == '"') {
                s.suspicious = false;
                return i;
            }
            if (b < 0x20) {
                return -1;
            }
            // a trigger byte, or a backslash escape
            return closeQuote(a, i, end, s);
        }
        return -1;
    }

    private static boolean pair(byte prev, int b) {
        return (b == '*' && prev == '/') || (b != '*' && prev == b);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The rest of a JSON string that is already suspicious: find its closing quote. */
    private static int closeQuote(byte[] a, int i, int end, Scratch s) {
        while (i < end) {
            // eight bytes at a time while none of them is a quote, a backslash or a control byte (the test can
            // report one that is not there, never miss one: the byte loop below decides)
            while (i + 8 <= end) {
                long x = (long) LONGS.get(a, i);
                long quote = x ^ (ONES * '"');
                long backslash = x ^ (ONES * '\\');
                long found = ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | ((x - ONES * 0x20) & ~x);
                if ((found & HIGHS) != 0) {
                    break;
                }
                i += 8;
            }
            int stop = Math.min(end, i + 8);
            for (; i < stop; i++) {
                int b = a[i];
                if (b == '"') {
                    s.suspicious = true;
                    return i;
                }
                if (b == '\\') {
                    i++;
                } else if (b >= 0 && b < 0x20) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
