package io.mqttsentinel.inspect.internal;

/**
 * Command injection: a shell operator ({@code ; | || & && `}, newline, {@code $(}) followed by a command
 * name from a dictionary of Unix and Windows commands, command substitution, the Shellshock prefix,
 * interpreter calls that run a shell ({@code system('...')}, {@code <?php}), template expressions, and a
 * value that is a whole command line. Commands whose names are also ordinary words ({@code echo, sleep,
 * type, find, cat}) count only with an argument that looks like shell (a flag, a path, a number, a quote),
 * so {@code "done; sleep mode"} and {@code "?a=1&id=5"} are not attacks while {@code "; sleep 10"} and
 * {@code "&& id"} are.
 *
 * <p>Cost: linear; each operator looks at the next word only.
 */
public final class ShellDetector {

    /** The characters the scan below acts on (besides the letters that may start a code-execution call). */
    private static final boolean[] OPERATORS = new boolean[128];

    static {
        for (char c : ";|&\n\r\\`${(<".toCharArray()) {
            OPERATORS[c] = true;
        }
    }

    private static final int STRONG = 1;
    private static final int WEAK = 2;
    private static final int RECON = 3;

    private static final Words COMMANDS = Words.of(
            // recon commands: a value that is just one of them is a probe
            "whoami", RECON, "ifconfig", RECON, "ipconfig", RECON, "uname", RECON, "netstat", RECON,
            "systeminfo", RECON, "sysinfo", RECON,
            // unambiguous command names
            "id", STRONG, "ls", STRONG, "pwd", STRONG, "wget", STRONG, "curl", STRONG, "nc", STRONG, "ncat", STRONG,
            "netcat", STRONG, "bash", STRONG, "sh", STRONG, "zsh", STRONG, "ksh", STRONG, "csh", STRONG,
            "tcsh", STRONG, "dash", STRONG, "perl", STRONG, "python", STRONG, "ruby", STRONG, "php", STRONG,
            "powershell", STRONG, "pwsh", STRONG, "cmd", STRONG, "nslookup", STRONG, "chmod", STRONG,
            "chown", STRONG, "tftp", STRONG, "telnet", STRONG, "xterm", STRONG, "certutil", STRONG,
            "bitsadmin", STRONG, "tasklist", STRONG, "taskkill", STRONG, "wmic", STRONG, "mshta", STRONG,
            "rundll", STRONG, "regsvr", STRONG, "cscript", STRONG, "wscript", STRONG, "socat", STRONG,
            "busybox", STRONG, "mkfifo", STRONG, "useradd", STRONG, "usermod", STRONG, "sudo", STRONG,
            "crontab", STRONG, "nohup", STRONG, "xxd", STRONG, "printenv", STRONG, "net", STRONG,
            "netsh", STRONG, "reg", STRONG, "dir", STRONG, "nmap", STRONG, "lsof", STRONG, "schtasks", STRONG,
            "icacls", STRONG, "systemctl", STRONG, "ifup", STRONG, "iptables", STRONG, "uptime", STRONG,
            "hostname", STRONG, "getent", STRONG, "wevtutil", STRONG, "vssadmin", STRONG,
            // names that are also words: need a shell-looking argument
            "cat", WEAK, "echo", WEAK, "ping", WEAK, "sleep", WEAK, "type", WEAK, "rm", WEAK, "ps", WEAK,
            "kill", WEAK, "find", WEAK, "grep", WEAK, "head", WEAK, "tail", WEAK, "more", WEAK, "less", WEAK,
            "cp", WEAK, "mv", WEAK, "mkdir", WEAK, "touch", WEAK, "which", WEAK, "route", WEAK,
            "traceroute", WEAK, "tracert", WEAK, "arp", WEAK, "ssh", WEAK, "scp", WEAK, "ftp", WEAK,
            "del", WEAK, "copy", WEAK, "start", WEAK, "attrib", WEAK, "service", WEAK, "mount", WEAK,
            "shutdown", WEAK, "reboot", WEAK, "env", WEAK, "export", WEAK, "base", WEAK, "dd", WEAK,
            "awk", WEAK, "sed", WEAK, "xargs", WEAK, "tee", WEAK, "set", WEAK, "timeout", WEAK, "exec", WEAK,
            "eval", WEAK, "source", WEAK, "runas", WEAK, "sc", WEAK, "tar", WEAK, "gcc", WEAK, "exit", WEAK);

    private static final Words CODE_EXEC = Words.all(1,
            "system", "exec", "eval", "passthru", "shell_exec", "popen", "proc_open", "pcntl_exec", "phpinfo",
            "assert", "spawn", "execsync", "execfile", "getruntime", "subprocess", "os_system", "phpversion");

    private ShellDetector() {
    }

    /**
     * @param t          the decoded value, lower case
     * @param len        its length
     * @param wholeValue whether this is a whole value (a JSON string value or a text payload) rather than a key
     * @param s          scratch (hit position); its {@link Scratch#chars} describe {@code t}
     * @param enabled    enabled built-in rules, by ordinal
     * @return the ordinal of the first enabled rule that fired, or {@code -1}
     */
    public static int detect(char[] t, int len, boolean wholeValue, Scratch s, boolean[] enabled) {
        boolean chained = enabled[Builtin.CMDI_CHAINED_COMMAND.ordinal()];
        boolean subst = enabled[Builtin.CMDI_SUBSTITUTION.ordinal()];
        boolean shock = enabled[Builtin.CMDI_SHELLSHOCK.ordinal()];
        boolean code = enabled[Builtin.CMDI_CODE_EXEC.ordinal()];
        boolean template = enabled[Builtin.CMDI_TEMPLATE.ordinal()];
        if (wholeValue && enabled[Builtin.CMDI_COMMAND_LINE.ordinal()] && commandLine(t, len, s)) {
            return Builtin.CMDI_COMMAND_LINE.ordinal();
        }
        if (wholeValue && enabled[Builtin.CMDI_OPERATOR_PROBE.ordinal()] && operatorProbe(t, len)) {
            s.hit(0, len);
            return Builtin.CMDI_OPERATOR_PROBE.ordinal();
        }
        if ((s.chars & (Scratch.SHELL | Scratch.OTHER)) == 0) {
            return -1; // every rule below needs an operator, a bracket, '$', a newline or a backslash
        }
        boolean calls = code && (s.chars & Scratch.PAREN) != 0; // a code-execution call needs its '('
        boolean[] operators = OPERATORS;
        for (int i = 0; i < len; i++) {
            char c = t[i];
            if (!calls) {
                // nothing below starts at an ordinary character: skip a run of them in a tight loop
                while (c < 128 && !operators[c] && ++i < len) {
                    c = t[i];
                }
                if (i >= len) {
                    break;
                }
            }
            switch (c) {
                case ';', '|', '&', '\n', '\r' -> {
                    if (chained && commandAfter(t, len, i + 1, s, i)) {
                        return Builtin.CMDI_CHAINED_COMMAND.ordinal();
                    }
                }
                case '\\' -> {
                    // a literal \n or \r that an echo -e or a log viewer turns into a newline
                    if (chained && i + 1 < len && (t[i + 1] == 'n' || t[i + 1] == 'r')
                            && commandAfter(t, len, i + 2, s, i)) {
                        return Builtin.CMDI_CHAINED_COMMAND.ordinal();
                    }
                }
                case '`' -> {
                    if (subst && commandAfter(t, len, i + 1, s, i)) {
                        return Builtin.CMDI_SUBSTITUTION.ordinal();
                    }
                }
                case '$' -> {
                    if (code && i + 2 < len && t[i + 1] == '_' && superglobal(t, len, i + 2)) {
                        s.hit(i, Math.min(len, i + 24));
                        return Builtin.CMDI_CODE_EXEC.ordinal();
                    }
                    if (i + 1 < len && t[i + 1] == '(' && subst && i + 2 < len && t[i + 2] != ')') {
                        s.hit(i, Math.min(len, i + 24));
                        return Builtin.CMDI_SUBSTITUTION.ordinal();
                    }
                    if (i + 1 < len && t[i + 1] == '{' && template && templateBody(t, len, i + 2, '}')) {
                        s.hit(i, Math.min(len, i + 24));
                        return Builtin.CMDI_TEMPLATE.ordinal();
                    }
                }
                case '{' -> {
                    if (template && i + 1 < len && t[i + 1] == '{' && closes(t, len, i + 2, "}}")) {
                        s.hit(i, Math.min(len, i + 24));
                        return Builtin.CMDI_TEMPLATE.ordinal();
                    }
                }
                case '(' -> {
                    if (shock && i + 1 < len) {
                        int j = skipSpaces(t, len, i + 1);
                        if (j < len && t[j] == ')') {
                            j = skipSpaces(t, len, j + 1);
                            if (j < len && t[j] == '{') {
                                s.hit(i, Math.min(len, j + 24));
                                return Builtin.CMDI_SHELLSHOCK.ordinal();
                            }
                        }
                    }
                }
                case '<' -> {
                    if (code && (Words.startsWith(t, len, i + 1, "?php") || Words.startsWith(t, len, i + 1, "?=")
                            || Words.startsWith(t, len, i + 1, "!--#exec"))) {
                        s.hit(i, Math.min(len, i + 32));
                        return Builtin.CMDI_CODE_EXEC.ordinal();
                    }
                }
                default -> {
                    if (calls && c >= 'a' && c <= 'z' && (i == 0 || !isWordChar(t[i - 1]))) {
                        int j = i;
                        while (j < len && isWordChar(t[j])) {
                            j++;
                        }
                        if (CODE_EXEC.get(t, i, j) > 0 && codeCall(t, len, j)) {
                            s.hit(i, Math.min(len, j + 32));
                            return Builtin.CMDI_CODE_EXEC.ordinal();
                        }
                        i = j - 1;
                    }
                }
            }
        }
        return -1;
    }

    /** $_GET[, $_POST[, ...: a PHP superglobal read inside a value is code, not data. */
    private static boolean superglobal(char[] t, int len, int at) {
        int j = at;
        while (j < len && t[j] >= 'a' && t[j] <= 'z') {
            j++;
        }
        if (j >= len || t[j] != '[') {
            return false;
        }
        return Words.eq(t, at, j, "get") || Words.eq(t, at, j, "post") || Words.eq(t, at, j, "request")
                || Words.eq(t, at, j, "cookie") || Words.eq(t, at, j, "server") || Words.eq(t, at, j, "files")
                || Words.eq(t, at, j, "env") || Words.eq(t, at, j, "session");
    }

    /**
     * A value of shell operators and blanks only: "; ", "&& ", "| ", or escaped newlines
     * typed as text ("\\n", "\\r\\n"). A single character (";", "|", "`") is a setting or a quote, not a probe.
     */
    private static boolean operatorProbe(char[] t, int len) {
        if (len < 2) {
            return false;
        }
        int operators = 0;
        for (int i = 0; i < len; i++) {
            char c = t[i];
            if (c == ';' || c == '|' || c == '&' || c == '`') {
                operators++;
            } else if (c == '\\' && i + 1 < len && (t[i + 1] == 'n' || t[i + 1] == 'r')) {
                operators++;
                i++;
            } else if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return operators > 0;
    }

    private static boolean codeCall(char[] t, int len, int j) {
        int k = skipSpaces(t, len, j);
        if (k >= len || t[k] != '(') {
            return false;
        }
        k = skipSpaces(t, len, k + 1);
        if (k >= len) {
            return false;
        }
        char a = t[k];
        return a == '\'' || a == '"' || a == '$' || a == '`' || a == ')';
    }

    private static boolean templateBody(char[] t, int len, int from, char close) {
        // ${...} with a call or a lookup inside: ${sleep(3)}, ${jndi:ldap://x}, ${T(java.lang.Runtime)}
        int limit = Math.min(len, from + 128);
        for (int i = from; i < limit; i++) {
            char c = t[i];
            if (c == close) {
                return false;
            }
            if (c == '(' || c == ':' || c == '{') {
                return true;
            }
        }
        return false;
    }

    private static boolean closes(char[] t, int len, int from, String close) {
        int limit = Math.min(len, from + 128);
        for (int i = from; i < limit; i++) {
            if (t[i] == close.charAt(0) && Words.startsWith(t, len, i, close)) {
                return i > from;
            }
        }
        return false;
    }

    /** After a separator at {@code sep}: optional spaces, quotes, more operators, then a command. */
    private static boolean commandAfter(char[] t, int len, int from, Scratch s, int sep) {
        int i = from;
        int limit = Math.min(len, from + 16);
        while (i < limit && (t[i] <= ' ' || t[i] == '\'' || t[i] == '"' || t[i] == '(' || t[i] == '{'
                || t[i] == '|' || t[i] == '&' || t[i] == ';' || t[i] == '`' || t[i] == '$')) {
            if (t[i] == '$' && !(i + 1 < len && t[i + 1] == '(')) {
                break;
            }
            i++;
        }
        int end = commandWordEnd(t, len, i);
        if (end < 0) {
            return false;
        }
        int cls = commandClass(t, i, end);
        if (cls <= 0) {
            return false;
        }
        if (cls == WEAK && !shellArgument(t, len, end, true)) {
            return false;
        }
        s.hit(sep, Math.min(len, end + 24));
        return true;
    }

    /**
     * A command word at {@code i}: letters, digits, '_', '.', '-', '/', '\' and ':' (a path to a binary),
     * ending at the end of the value, a space, or a shell operator. Returns its end or -1.
     */
    private static int commandWordEnd(char[] t, int len, int i) {
        int j = i;
        while (j < len && (isWordChar(t[j]) || t[j] == '.' || t[j] == '/' || t[j] == '-'
                || (t[j] == '\\' && j + 1 < len && isWordChar(t[j + 1]) && !literalNewline(t, len, j)) || (t[j] == ':' && j == i + 1))) {
            j++;
        }
        if (j == i) {
            return -1;
        }
        if (j < len) {
            char c = t[j];
            boolean ends = c <= ' ' || c == ';' || c == '|' || c == '&' || c == '`' || c == ')' || c == '\''
                    || c == '"' || c == '<' || c == '>' || c == '$' || c == '\\';
            if (!ends) {
                return -1;
            }
        }
        return j;
    }

    /** The dictionary class of the command word {@code t[s, e)} by its base name, or -1 for no command. */
    private static int commandClass(char[] t, int s, int e) {
        int ns = nameStart(t, s, e);
        return COMMANDS.get(t, ns, nameEnd(t, ns, e));
    }

    /** The command's base name: after the last '/' or '\'. */
    private static int nameStart(char[] t, int s, int e) {
        int start = s;
        for (int k = s; k < e; k++) {
            if (t[k] == '/' || t[k] == '\\') {
                start = k + 1;
            }
        }
        return start;
    }

    /** The command's base name without a Windows extension or a version suffix (python3, rundll32). */
    private static int nameEnd(char[] t, int start, int e) {
        int end = e;
        if (end - start > 4 && t[end - 4] == '.' && (Words.eq(t, end - 3, end, "exe") || Words.eq(t, end - 3, end, "com"))) {
            end -= 4;
        }
        while (end > start + 1 && t[end - 1] >= '0' && t[end - 1] <= '9') {
            end--;
        }
        return end;
    }

    /** Whether what follows a command at {@code at} looks like a shell argument (or nothing at all). */
    private static boolean shellArgument(char[] t, int len, int at, boolean endCounts) {
        if (at >= len) {
            return endCounts;
        }
        char c = t[at];
        if (c != ' ' && c != '\t') {
            return endCounts; // the word ended on an operator: "; dir|", "; ls;"
        }
        int i = skipSpaces(t, len, at);
        if (i >= len) {
            return endCounts;
        }
        char a = t[i];
        if (a == '-' || a == '/' || a == '~' || a == '$' || a == '"' || a == '\'' || a == '`' || a == '%'
                || a == '*' || a == '\\' || a == '>' || a == '|' || a == ';' || a == '&'
                || (a >= '0' && a <= '9') || (a == '.' && i + 1 < len && (t[i + 1] == '/' || t[i + 1] == '.'))) {
            return true;
        }
        if (a >= 'a' && a <= 'z' && i + 2 < len && t[i + 1] == ':' && (t[i + 2] == '\\' || t[i + 2] == '/')) {
            return true; // C:\, C:/
        }
        if (Words.startsWith(t, len, i, "http://") || Words.startsWith(t, len, i, "https://")) {
            return true;
        }
        int j = i;
        while (j < len && isWordChar(t[j])) {
            j++;
        }
        int cls = j < len && t[j] > ' ' && t[j] != ';' && t[j] != '|' && t[j] != '&' ? 0 : COMMANDS.get(t, i, j);
        return cls > 0; // which curl, sudo id
    }

    /** The whole value is a command line: "cat /etc/passwd", "ls -l /", "uname -a", "whoami". */
    private static boolean commandLine(char[] t, int len, Scratch s) {
        int i = 0;
        while (i < len && (t[i] <= ' ' || t[i] == '\'' || t[i] == '"')) {
            i++;
        }
        int end = commandWordEnd(t, len, i);
        if (end < 0) {
            return false;
        }
        int cls = commandClass(t, i, end);
        if (cls <= 0) {
            return false;
        }
        int ns = nameStart(t, i, end);
        int rest = skipSpaces(t, len, end);
        boolean hit;
        if (cls == RECON) {
            hit = rest >= len || shellArgument(t, len, end, true);
        } else if (Words.eq(t, ns, end, "net") || Words.eq(t, ns, end, "netsh") || Words.eq(t, ns, end, "reg")) {
            int j = rest;
            while (j < len && isWordChar(t[j])) {
                j++;
            }
            hit = j > rest && (Words.eq(t, rest, j, "user") || Words.eq(t, rest, j, "view")
                    || Words.eq(t, rest, j, "localgroup") || Words.eq(t, rest, j, "share")
                    || Words.eq(t, rest, j, "use") || Words.eq(t, rest, j, "firewall") || Words.eq(t, rest, j, "add")
                    || Words.eq(t, rest, j, "query") || Words.eq(t, rest, j, "delete") || Words.eq(t, rest, j, "advfirewall")
                    || Words.eq(t, rest, j, "interface") || Words.eq(t, rest, j, "group") || Words.eq(t, rest, j, "save"));
        } else {
            hit = rest < len && shellArgument(t, len, end, false) && !(t[rest] >= '0' && t[rest] <= '9');
        }
        if (hit) {
            s.hit(i, Math.min(len, end + 32));
        }
        return hit;
    }

    private static boolean literalNewline(char[] t, int len, int j) {
        return j + 1 < len && (t[j + 1] == 'n' || t[j + 1] == 'r') && (j + 2 >= len || !isWordChar(t[j + 2]));
    }

    private static int skipSpaces(char[] t, int len, int i) {
        while (i < len && (t[i] == ' ' || t[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
}
