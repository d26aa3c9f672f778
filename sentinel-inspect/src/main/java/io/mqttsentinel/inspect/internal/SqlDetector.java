package io.mqttsentinel.inspect.internal;

/**
 * SQL injection by tokens, in the manner of libinjection (our own code): the decoded value is tokenised
 * as SQL three times, as if it started outside any string, inside a single-quoted string and inside a
 * double-quoted string (the places where user input lands in a query). Rules then look at short token
 * sequences that only make sense as SQL: a closed quote followed by logic or a comment, a comparison of
 * literals after OR/AND, UNION SELECT, a stacked statement after ';'. Natural text with apostrophes and the
 * words select, union or drop does not form those sequences.
 *
 * <p>Cost: each pass is linear in the value; look-ahead is bounded by a constant number of tokens.
 */
public final class SqlDetector {

    /** Token arrays start with this many entries and grow with the value. */
    static final int MAX_TOKENS = 256;

    static final int STR = 1;
    static final int NUM = 2;
    static final int WORD = 3;
    static final int KEY = 4;
    static final int LOGIC = 5;
    static final int OP = 6;
    static final int FUNC = 7;
    static final int VAR = 8;
    static final int LPAREN = 9;
    static final int RPAREN = 10;
    static final int COMMA = 11;
    static final int SEMI = 12;
    static final int COMMENT = 13;
    /** Flag bit on STR: the string was not closed before the end. */
    static final int OPEN = 1 << 8;
    /** The token types a rule of the main loop starts at. */
    private static final int ACTS = 1 << KEY | 1 << SEMI | 1 << LOGIC | 1 << LPAREN | 1 << FUNC | 1 << VAR;

    // keyword ids (kept in the upper bits of a KEY/OP/LOGIC token's type)
    static final int K_SELECT = 1;
    static final int K_UNION = 2;
    static final int K_FROM = 3;
    static final int K_ALL = 4;
    static final int K_ORDER = 5;
    static final int K_GROUP = 6;
    static final int K_BY = 7;
    static final int K_HAVING = 8;
    static final int K_STMT = 9;       // insert update delete exec execute shutdown truncate grant revoke call
    static final int K_DDL = 10;       // drop create alter
    static final int K_DDL_OBJECT = 11; // table database schema ...
    static final int K_DECLARE = 12;
    static final int K_WAITFOR = 13;
    static final int K_DELAY = 14;
    static final int K_SET = 15;
    static final int K_LITERAL = 16;   // true false null
    static final int K_OTHER = 17;     // where limit into as top case when then else end if
    static final int K_TIMEFN = 18;    // sleep benchmark pg_sleep
    static final int K_DANGER = 19;    // load_file outfile dumpfile xp_cmdshell information_schema ...
    static final int K_LOGIC = 20;     // and or xor
    static final int K_OPWORD = 21;    // like rlike regexp is in between div mod sounds not collate
    static final int K_LIMIT = 22;
    static final int K_ASCDESC = 23;

    private static final Words KEYWORDS = Words.of(
            "select", K_SELECT, "union", K_UNION, "from", K_FROM, "all", K_ALL, "distinct", K_ALL,
            "order", K_ORDER, "group", K_GROUP, "by", K_BY, "having", K_HAVING,
            "insert", K_STMT, "update", K_STMT, "delete", K_STMT, "exec", K_STMT, "execute", K_STMT,
            "shutdown", K_STMT, "truncate", K_STMT,
            "drop", K_DDL, "create", K_DDL, "alter", K_DDL,
            "table", K_DDL_OBJECT, "database", K_DDL_OBJECT, "schema", K_DDL_OBJECT, "procedure", K_DDL_OBJECT,
            "function", K_DDL_OBJECT, "view", K_DDL_OBJECT, "index", K_DDL_OBJECT, "trigger", K_DDL_OBJECT,
            "user", K_DDL_OBJECT, "login", K_DDL_OBJECT,
            "declare", K_DECLARE, "waitfor", K_WAITFOR, "delay", K_DELAY, "time", K_DELAY, "set", K_SET,
            "true", K_LITERAL, "false", K_LITERAL, "null", K_LITERAL,
            "where", K_OTHER, "into", K_OTHER, "as", K_OTHER, "top", K_OTHER, "case", K_OTHER,
            "when", K_OTHER, "then", K_OTHER, "else", K_OTHER, "end", K_OTHER, "if", K_OTHER, "begin", K_OTHER, "binary", K_OTHER,
            "limit", K_LIMIT, "offset", K_LIMIT, "procedure", K_DDL_OBJECT, "asc", K_ASCDESC, "desc", K_ASCDESC,
            "sleep", K_TIMEFN, "benchmark", K_TIMEFN, "pg_sleep", K_TIMEFN,
            "load_file", K_DANGER, "outfile", K_DANGER, "dumpfile", K_DANGER, "xp_cmdshell", K_DANGER,
            "sysobjects", K_DANGER, "syscolumns", K_DANGER, "sysdatabases", K_DANGER,
            "extractvalue", K_DANGER, "updatexml", K_DANGER, "utl_inaddr", K_DANGER, "utl_http", K_DANGER,
            "dbms_pipe", K_DANGER, "pg_read_file", K_DANGER,  
            "msysobjects", K_DANGER, "pg_catalog", K_DANGER, "xp_regread", K_DANGER, "sp_password", K_DANGER,
            "and", K_LOGIC, "or", K_LOGIC, "xor", K_LOGIC,
            "like", K_OPWORD, "rlike", K_OPWORD, "regexp", K_OPWORD, "is", K_OPWORD, "in", K_OPWORD,
            "between", K_OPWORD, "div", K_OPWORD, "mod", K_OPWORD, "sounds", K_OPWORD, "not", K_OPWORD,
            "collate", K_OPWORD, "glob", K_OPWORD, "match", K_OPWORD, "against", K_OPWORD);

    /** String, conversion and catalogue functions that injected expressions call. */
    private static final Words SQL_FUNCTIONS = Words.all(1,
            "chr", "char", "ascii", "ord", "substring", "substr", "mid", "concat", "concat_ws", "group_concat",
            "version", "database", "schema", "user", "current_user", "system_user", "session_user", "hex", "unhex",
            "conv", "isnull", "ifnull", "nullif", "coalesce", "md", "sha", "cast", "convert", "length",
            "find_in_set", "compress", "uncompress", "db_name", "user_name", "host_name",
            "rand", "floor", "iif", "instr", "locate", "position", "strcmp", "soundex", "char_length", "bin",
            "oct", "lpad", "rpad", "reverse", "randomblob", "upper", "lower", "sin", "cos", "abs", "exp");

    private SqlDetector() {
    }

    /**
     * @param t       the decoded value, lower case
     * @param len     its length
     * @param s       scratch (tokens, hit position); its {@link Scratch#chars} describe {@code t}
     * @param enabled which built-in rules are enabled, by ordinal
     * @return the ordinal of the first enabled rule that fired, or {@code -1}
     */
    public static int detect(char[] t, int len, Scratch s, boolean[] enabled) {
        int r = pass(t, len, (char) 0, s, enabled);
        if (r < 0 && (s.chars & Scratch.APOSTROPHE) != 0) {
            r = pass(t, len, '\'', s, enabled);
        }
        if (r < 0 && (s.chars & Scratch.QUOTE) != 0) {
            r = pass(t, len, '"', s, enabled);
        }
        return r;
    }

    private static int pass(char[] t, int len, char quote, Scratch s, boolean[] enabled) {
        int n = tokenize(t, len, quote, s);
        if (n < 0) {
            return -1;
        }
        int[] type = s.tokType;
        int[] ts = s.tokStart;
        int[] te = s.tokEnd;
        if (quote != 0) {
            int r = breakout(t, n, quote, s, enabled);
            if (r >= 0) {
                return r;
            }
        } else if (enabled[Builtin.SQLI_EXPRESSION.ordinal()] && (truncated(t, type, ts, te, n) || sqlFunctions(t, type, ts, te, n))) {
            s.hit(0, len);
            return Builtin.SQLI_EXPRESSION.ordinal();
        }
        for (int k = 0; k < n; k++) {
            int ty = type[k] & 0xFF;
            if (((1 << ty) & ACTS) == 0) {
                continue; // words, numbers, strings, operators, commas, ')' and comments start no rule below
            }
            int kw = type[k] >>> 16;
            if (ty == KEY && kw == K_UNION && enabled[Builtin.SQLI_UNION.ordinal()]) {
                int m = next(type, n, k);
                while (m < n && ((type[m] & 0xFF) == LPAREN || kw(type[m]) == K_ALL)) {
                    m = next(type, n, m);
                }
                if (m < n && kw(type[m]) == K_SELECT) {
                    s.hit(ts[k], te[m]);
                    return Builtin.SQLI_UNION.ordinal();
                }
                // 1 union, -1 union/*, 1 union 1,2,3: a union right after a value, with no text after it
                int p = prev(type, k);
                int pt = p >= 0 ? type[p] & 0xFF : 0;
                int mt = m < n ? type[m] & 0xFF : 0;
                boolean afterValue = pt == NUM || pt == RPAREN || (pt == STR && quote != 0 && p == 0)
                        || (pt == KEY && kw(type[p]) == K_SELECT);
                if (afterValue && (m >= n || mt == NUM || mt == LPAREN || mt == VAR)) {
                    s.hit(p >= 0 ? ts[p] : ts[k], m < n ? te[m] : te[k]);
                    return Builtin.SQLI_UNION.ordinal();
                }
            } else if (ty == KEY && kw == K_SELECT && enabled[Builtin.SQLI_SELECT.ordinal()]) {
                if (selectList(t, type, ts, te, n, k, quote)) {
                    s.hit(ts[k], te[Math.min(n - 1, k + 2)]);
                    return Builtin.SQLI_SELECT.ordinal();
                }
            } else if (ty == SEMI && enabled[Builtin.SQLI_STACKED_QUERY.ordinal()]) {
                if (stacked(t, type, ts, te, n, k, quote)) {
                    s.hit(ts[k], te[Math.min(n - 1, k + 2)]);
                    return Builtin.SQLI_STACKED_QUERY.ordinal();
                }
            } else if (k == 0 && ty == KEY && kw == K_STMT && enabled[Builtin.SQLI_STACKED_QUERY.ordinal()]
                    && (Words.eq(t, ts[k], te[k], "exec") || Words.eq(t, ts[k], te[k], "execute"))
                    && StackedStatement.execTarget(t, type, ts, te, n, next(type, n, k), false)) {
                s.hit(ts[k], te[Math.min(n - 1, k + 2)]);
                return Builtin.SQLI_STACKED_QUERY.ordinal();
            } else if ((ty == LOGIC || (ty == KEY && kw == K_OTHER && (Words.eq(t, ts[k], te[k], "when")
                    || Words.eq(t, ts[k], te[k], "if"))) || ty == LPAREN) && enabled[Builtin.SQLI_TAUTOLOGY.ordinal()]) {
                int end = ty == LPAREN ? parenComparison(t, type, ts, te, n, k)
                        : tautology(t, type, ts, te, n, k, ty != LOGIC);
                if (end >= 0) {
                    s.hit(k > 0 ? ts[k - 1] : ts[k], te[end]);
                    return Builtin.SQLI_TAUTOLOGY.ordinal();
                }
            } else if (ty == FUNC && kw == K_TIMEFN && enabled[Builtin.SQLI_TIME_FUNCTION.ordinal()]) {
                s.hit(ts[k], Math.min(len, te[k] + 8));
                return Builtin.SQLI_TIME_FUNCTION.ordinal();
            } else if (ty == KEY && kw == K_WAITFOR && enabled[Builtin.SQLI_TIME_FUNCTION.ordinal()]) {
                int m = next(type, n, k);
                if (m < n && kw(type[m]) == K_DELAY) {
                    s.hit(ts[k], te[m]);
                    return Builtin.SQLI_TIME_FUNCTION.ordinal();
                }
            } else if ((ty == KEY || ty == FUNC) && kw == K_DANGER && enabled[Builtin.SQLI_DANGEROUS_NAME.ordinal()]) {
                s.hit(ts[k], te[k]);
                return Builtin.SQLI_DANGEROUS_NAME.ordinal();
            } else if (ty == VAR && enabled[Builtin.SQLI_DANGEROUS_NAME.ordinal()]
                    && te[k] - ts[k] > 2 && t[ts[k] + 1] == '@') {
                // @@version, @@datadir: server variables have no business in device data
                s.hit(ts[k], te[k]);
                return Builtin.SQLI_DANGEROUS_NAME.ordinal();
            } else if (ty == KEY && (kw == K_ORDER || kw == K_GROUP) && enabled[Builtin.SQLI_ORDER_GROUP.ordinal()]) {
                int by = next(type, n, k);
                if (by < n && kw(type[by]) == K_BY) {
                    int num = next(type, n, by);
                    if (num < n && (type[num] & 0xFF) == FUNC) {
                        s.hit(ts[k], te[num]);
                        return Builtin.SQLI_ORDER_GROUP.ordinal();
                    }
                    if (num < n && (type[num] & 0xFF) == NUM) {
                        int after = next(type, n, num);
                        int at = after < n ? type[after] & 0xFF : 0;
                        int akw = after < n ? kw(type[after]) : 0;
                        if (after >= n || at == COMMENT || at == SEMI || at == COMMA || at == RPAREN
                                || akw == K_HAVING || akw == K_LIMIT || akw == K_ASCDESC || akw == K_UNION
                                || at == LOGIC) {
                            s.hit(ts[k], te[num]);
                            return Builtin.SQLI_ORDER_GROUP.ordinal();
                        }
                    }
                }
            } else if (ty == KEY && kw == K_HAVING && enabled[Builtin.SQLI_ORDER_GROUP.ordinal()]) {
                int a = next(type, n, k);
                while (a < n && (type[a] & 0xFF) == LPAREN) {
                    a = next(type, n, a);
                }
                if (a < n && (type[a] & 0xFF) == FUNC) {
                    s.hit(ts[k], te[a]);
                    return Builtin.SQLI_ORDER_GROUP.ordinal();
                }
                if (a < n && isOperand(type[a])) {
                    int op = afterOperand(type, n, a);
                    if (op < n && ((type[op] & 0xFF) == LOGIC || isComparison(t, type, ts, te, op))) {
                        s.hit(ts[k], te[op]);
                        return Builtin.SQLI_ORDER_GROUP.ordinal();
                    }
                }
            }
        }
        return -1;
    }

    /**
     * The value is an SQL expression (no plain words) cut off by an empty trailing comment:
     * {@code ( ( 1 ) ) --}, {@code 1 OR (1 OR 1)--}, {@code @version/*}.
     */
    private static boolean truncated(char[] t, int[] type, int[] ts, int[] te, int n) {
        if (n < 2 || (type[n - 1] & 0xFF) != COMMENT || !emptyComment(t, ts[n - 1], te[n - 1])) {
            return false;
        }
        boolean literal = false;
        int depth = 0;
        for (int k = 0; k < n - 1; k++) {
            int ty = type[k] & 0xFF;
            if (ty == WORD || (ty == STR && (type[k] & OPEN) != 0) || (ty == COMMA && depth == 0)) {
                return false; // prose, or a plain list ("1,1--")
            }
            if (ty == LPAREN) {
                depth++;
            } else if (ty == RPAREN) {
                depth--;
            }
            literal |= isLiteral(type[k]);
        }
        return literal;
    }

    /** Only SQL tokens, at least one operator, and a call to a string or catalogue function of the database. */
    private static boolean sqlFunctions(char[] t, int[] type, int[] ts, int[] te, int n) {
        boolean operator = false;
        boolean function = false;
        for (int k = 0; k < n; k++) {
            int ty = type[k] & 0xFF;
            if (ty == WORD || ty == COMMENT || (ty == STR && (type[k] & OPEN) != 0)) {
                return false;
            }
            if (ty == OP || ty == LOGIC || (ty == KEY && kw(type[k]) == K_OPWORD)) {
                operator = true;
            } else if (ty == FUNC && SQL_FUNCTIONS.get(t, ts[k], withoutDigits(t, ts[k], te[k])) > 0) {
                function = true;
            }
        }
        return operator && function;
    }

    /** md5, sha1: the name without its trailing digits. */
    private static int withoutDigits(char[] t, int s, int e) {
        while (e > s + 1 && t[e - 1] >= '0' && t[e - 1] <= '9') {
            e--;
        }
        return e;
    }

    private static boolean emptyComment(char[] t, int s, int e) {
        int i = t[s] == '#' ? s + 1 : s + 2;
        for (; i < e; i++) {
            char c = t[i];
            if (c > ' ' && c != '-' && c != '*' && c != '/' && c != '#') {
                return false;
            }
        }
        return true;
    }

    /** In a quoted context: the virtual string at token 0 was closed; what follows it decides. */
    private static int breakout(char[] t, int n, char quote, Scratch s, boolean[] enabled) {
        if (!enabled[Builtin.SQLI_QUOTE_BREAKOUT.ordinal()] || n < 2) {
            return -1;
        }
        int[] type = s.tokType;
        int[] ts = s.tokStart;
        int[] te = s.tokEnd;
        boolean firstIsWord = !hasInnerSpace(t, ts[0], te[0] - 1);
        int m = 1;
        while (m < n && (type[m] & 0xFF) == RPAREN) {
            m++;
        }
        if (m >= n) {
            return -1;
        }
        int ty = type[m] & 0xFF;
        if (ty == COMMENT) {
            // admin'--, 1'#, x'/*: the rest of the query is cut off
            if (firstIsWord) {
                s.hit(0, te[m]);
                return Builtin.SQLI_QUOTE_BREAKOUT.ordinal();
            }
            return -1;
        }
        if (ty == LOGIC && !quotedWordInProse(t, type, ts, te, n, m, quote)) {
            int a = next(type, n, m);
            while (a < n && ((type[a] & 0xFF) == LPAREN || (type[a] & 0xFF) == OP || kw(type[a]) == K_OPWORD)) {
                a = next(type, n, a);
            }
            if (a < n) {
                int at = type[a] & 0xFF;
                int after = afterOperand(type, n, a);
                boolean openAtEnd = at == STR && (type[a] & OPEN) != 0;
                boolean strongOperand = (at == NUM || at == STR || at == FUNC || at == VAR
                        || (at == KEY && kw(type[a]) == K_LITERAL) || (at == KEY && kw(type[a]) == K_SELECT)) && !openAtEnd;
                int ft = after < n ? type[after] & 0xFF : 0;
                boolean closes = after >= n || ft == COMMENT || ft == SEMI || ft == OP || ft == LOGIC || ft == RPAREN
                        || (ft == KEY && (kw(type[after]) == K_OPWORD || kw(type[after]) == K_ORDER
                        || kw(type[after]) == K_GROUP || kw(type[after]) == K_UNION));
                if ((strongOperand && closes) || (at == WORD && after < n && (ft == OP || ft == COMMENT
                        || (ft == KEY && kw(type[after]) == K_OPWORD)))) {
                    s.hit(0, te[Math.min(n - 1, Math.max(a, after))]);
                    return Builtin.SQLI_QUOTE_BREAKOUT.ordinal();
                }
            }
        }
        // A' != 'B, ' - ', 'RLIKE', 1"OR-"1: only SQL after the quote, ending in a string the query closes
        int last = n - 1;
        boolean endsOpen = quote == '\'' && firstIsWord && (type[last] & 0xFF) == STR && (type[last] & OPEN) != 0 && t[ts[last]] == quote
                && !quoteRun(t, ts[last], te[last]) && !prose(t, ts[last] + 1, te[last], 2);
        boolean endsComment = firstIsWord && (type[last] & 0xFF) == COMMENT && last > m;
        if (!endsOpen && !endsComment) {
            return -1;
        }
        boolean operator = false;
        for (int k = m; k < last; k++) {
            int kt = type[k] & 0xFF;
            if (kt == OP || kt == LOGIC || (kt == KEY && kw(type[k]) == K_OPWORD)) {
                operator = true;
            } else if (kt == WORD) {
                boolean nearOp = isOpLike(type[k - 1]) || isOpLike(type[k + 1]);
                if (!nearOp) {
                    return -1;
                }
            } else if (kt == COMMENT || kt == SEMI) {
                return -1;
            }
        }
        if (endsComment) {
            if (operator) {
                s.hit(0, te[last]);
                return Builtin.SQLI_QUOTE_BREAKOUT.ordinal();
            }
            return -1;
        }
        boolean finalEmpty = te[last] - ts[last] <= 1;
        boolean firstEmpty = te[0] <= 1;
        if (operator && (firstEmpty || !finalEmpty)) {
            s.hit(0, te[last]);
            return Builtin.SQLI_QUOTE_BREAKOUT.ordinal();
        }
        return -1;
    }

    /**
     * A keyword written in quotes ({@code "OR"}, {@code 'and'}) with prose on its far side is a quotation: the
     * label said "OR" and the gate output stayed high. In the quoted pass that reads as the keyword between two
     * strings, the second of which holds words; an attack's operand there is a value ({@code 1'or'1'='1}).
     */
    private static boolean quotedWordInProse(char[] t, int[] type, int[] ts, int[] te, int n, int m, char quote) {
        int a = m + 1;
        return ts[m] > 0 && t[ts[m] - 1] == quote && a < n && (type[a] & 0xFF) == STR && ts[a] == te[m]
                && t[ts[a]] == quote && prose(t, ts[a] + 1, te[a], 1);
    }

    /**
     * Whether the inside of a string, {@code t[s, e)}, reads as words: at least {@code words} words that follow
     * a blank. The string an attack leaves for the query to close is a value ({@code 'x}, {@code ' b}); a
     * sentence is not.
     */
    private static boolean prose(char[] t, int s, int e, int words) {
        int found = 0;
        for (int i = s; i + 1 < e; i++) {
            if (t[i] == ' ' && t[i + 1] >= 'a' && t[i + 1] <= 'z' && ++found >= words) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOpLike(int type) {
        int ty = type & 0xFF;
        return ty == OP || ty == LOGIC || (ty == KEY && (type >>> 16) == K_OPWORD);
    }

    /** Whether {@code t[s, e)} has whitespace between non-blank characters (leading and trailing blanks do not count). */
    private static boolean hasInnerSpace(char[] t, int s, int e) {
        while (s < e && t[s] <= ' ') {
            s++;
        }
        while (e > s && t[e - 1] <= ' ') {
            e--;
        }
        for (int i = s; i < e; i++) {
            if (t[i] <= ' ') {
                return true;
            }
        }
        return false;
    }

    /** A string that is only a run of quote characters is padding, not a string. */
    private static boolean quoteRun(char[] t, int s, int e) {
        if (e - s < 2) {
            return false;
        }
        for (int i = s; i < e; i++) {
            if (t[i] != '\'' && t[i] != '"') {
                return false;
            }
        }
        return true;
    }

    private static int afterOperand(int[] type, int n, int a) {
        int j;
        if ((type[a] & 0xFF) == FUNC) {
            int depth = 0;
            int limit = Math.min(n, a + 64);
            j = limit;
            for (int k = a + 1; k < limit; k++) {
                int ty = type[k] & 0xFF;
                if (ty == LPAREN) {
                    depth++;
                } else if (ty == RPAREN) {
                    depth--;
                    if (depth <= 0) {
                        j = next(type, n, k);
                        break;
                    }
                }
            }
        } else {
            j = next(type, n, a);
        }
        while (j < n && (type[j] & 0xFF) == RPAREN) {
            j = next(type, n, j);
        }
        return j;
    }

    /** After OR/AND/XOR/WHEN at {@code k}: operand [arith operand]* comparison operand. */
    private static int tautology(char[] t, int[] type, int[] ts, int[] te, int n, int k, boolean literalsOnly) {
        int a = next(type, n, k);
        while (a < n && ((type[a] & 0xFF) == LPAREN || ((type[a] & 0xFF) == OP && !isComparison(t, type, ts, te, a))
                || (kw(type[a]) == K_OPWORD && Words.eq(t, ts[a], te[a], "not")))) {
            a = next(type, n, a);
        }
        if (a >= n || !isOperand(type[a])) {
            return -1;
        }
        boolean litA = isLiteral(type[a]);
        int op = afterOperand(type, n, a);
        // arithmetic chains: 31337-31337=0, 1+2+3=(6)
        int guard = 0;
        while (op < n && (type[op] & 0xFF) == OP && !isComparison(t, type, ts, te, op) && guard++ < 16) {
            int x = next(type, n, op);
            while (x < n && ((type[x] & 0xFF) == LPAREN || (type[x] & 0xFF) == OP)) {
                x = next(type, n, x);
            }
            if (x >= n || !isOperand(type[x])) {
                return -1;
            }
            litA &= isLiteral(type[x]);
            op = afterOperand(type, n, x);
        }
        if (op >= n || !isComparison(t, type, ts, te, op)) {
            return -1;
        }
        if (Words.eq(t, ts[op], te[op], "not") && !(next(type, n, op) < n && kw(type[next(type, n, op)]) == K_OPWORD)) {
            return -1; // NOT compares only with LIKE, IN, BETWEEN, REGEXP after it: "the 'and' gate, not the 'or' one"
        }
        int b = next(type, n, op);
        while (b < n && ((type[b] & 0xFF) == LPAREN || (type[b] & 0xFF) == OP || kw(type[b]) == K_OPWORD)) {
            b = next(type, n, b);
        }
        if (b >= n || !(isOperand(type[b]) || kw(type[b]) == K_SELECT)) {
            return -1;
        }
        boolean litB = isLiteral(type[b]) || kw(type[b]) == K_SELECT;
        if (litA && litB) {
            return b;
        }
        if (literalsOnly) {
            return -1; // WHEN temp > 30, IF level = 3: a rule, not a tautology
        }
        int prev = prev(type, k);
        int pt = prev >= 0 ? type[prev] & 0xFF : 0;
        boolean valueBefore = prev < 0 || pt == NUM || pt == STR || pt == RPAREN;
        boolean same = (type[a] & 0xFF) == WORD && (type[b] & 0xFF) == WORD
                && te[a] - ts[a] == te[b] - ts[b] && regionEquals(t, ts[a], ts[b], te[a] - ts[a]);
        // "30 and humidity < 40" is prose about ranges; "1 and user_id is not null", "1 or x=1" is SQL
        boolean equality = !(type[op] >>> 16 == 0 && (type[op] & 0xFF) == OP && !hasChar(t, ts[op], te[op], '='));
        if (same || (valueBefore && (litA || (litB && equality)))) {
            return b;
        }
        return -1;
    }

    private static boolean hasChar(char[] t, int s, int e, char c) {
        for (int i = s; i < e; i++) {
            if (t[i] == c) {
                return true;
            }
        }
        return false;
    }

    /** '(' literal comparison literal (')' or ','): IF(1=1, ...), IIF(2510=9436, ...), (1861=1861). */
    private static int parenComparison(char[] t, int[] type, int[] ts, int[] te, int n, int k) {
        int a = next(type, n, k);
        if (a >= n || !isLiteral(type[a]) || (type[a] & 0xFF) == FUNC) {
            return -1;
        }
        int op = next(type, n, a);
        if (op >= n || (type[op] & 0xFF) != OP || !isComparison(t, type, ts, te, op)) {
            return -1;
        }
        int b = next(type, n, op);
        if (b >= n || !isLiteral(type[b]) || (type[b] & 0xFF) == FUNC) {
            return -1;
        }
        int c = next(type, n, b);
        int ct = c < n ? type[c] & 0xFF : 0;
        return ct == RPAREN || ct == COMMA ? c : -1;
    }

    private static int prev(int[] type, int k) {
        int p = k - 1;
        while (p >= 0 && (type[p] & 0xFF) == COMMENT) {
            p--;
        }
        return p;
    }

    private static boolean regionEquals(char[] t, int a, int b, int len) {
        for (int i = 0; i < len; i++) {
            if (t[a + i] != t[b + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOperand(int type) {
        int ty = type & 0xFF;
        return ty == NUM || ty == STR || ty == WORD || ty == FUNC || ty == VAR || (ty == KEY && (type >>> 16) == K_LITERAL);
    }

    private static boolean isLiteral(int type) {
        int ty = type & 0xFF;
        return ty == NUM || ty == STR || ty == FUNC || ty == VAR || (ty == KEY && (type >>> 16) == K_LITERAL);
    }

    private static boolean isComparison(char[] t, int[] type, int[] ts, int[] te, int k) {
        int ty = type[k] & 0xFF;
        if (ty == OP) {
            for (int i = ts[k]; i < te[k]; i++) {
                char c = t[i];
                if (c == '=' || c == '<' || c == '>') {
                    return true;
                }
            }
            return false;
        }
        return ty == KEY && (type[k] >>> 16) == K_OPWORD && !Words.eq(t, ts[k], te[k], "div")
                && !Words.eq(t, ts[k], te[k], "mod");
    }

    /**
     * A SELECT whose list is SQL: literals, functions, variables or '*' (or, after '(' / an operator / ';' /
     * UNION, plain columns followed by FROM); two plain words in a row are prose, not a select list.
     */
    static boolean selectList(char[] t, int[] type, int[] ts, int[] te, int n, int k, char quote) {
        int p = prev(type, k);
        int pt = p >= 0 ? type[p] & 0xFF : 0;
        boolean injected = pt == LPAREN || pt == OP || pt == LOGIC || pt == SEMI || (pt == KEY && kw(type[p]) == K_UNION)
                || (quote != 0 && p == 0);
        int m = next(type, n, k);
        while (m < n && ((type[m] & 0xFF) == LPAREN || kw(type[m]) == K_ALL
                || ((type[m] & 0xFF) == OP && t[ts[m]] != '*'))) {
            m = next(type, n, m);
        }
        if (m < n && kw(type[m]) == K_OTHER && Words.eq(t, ts[m], te[m], "top")) {
            m = next(type, n, m);
            if (m < n && (type[m] & 0xFF) == NUM) {
                m = next(type, n, m);
            }
        }
        if (m >= n) {
            return false;
        }
        boolean strong = false;
        int prevType = 0;
        int depth = 0;
        int limit = Math.min(n, m + 96);
        for (int j = m; j < limit; j = next(type, n, j)) {
            int jt = type[j] & 0xFF;
            int jk = kw(type[j]);
            if (jt == LPAREN) {
                depth++;
            } else if (jt == RPAREN) {
                if (depth == 0) {
                    return strong || injected;
                }
                depth--;
            } else if (depth == 0 && jk == K_FROM) {
                int f = next(type, n, j);
                boolean table = f < n && ((type[f] & 0xFF) == WORD || (type[f] & 0xFF) == LPAREN
                        || kw(type[f]) == K_DANGER || (type[f] & 0xFF) == STR || (type[f] & 0xFF) == KEY);
                return table && (strong || injected);
            } else if (depth == 0 && (jt == COMMENT || jt == SEMI || jk == K_UNION || jk == K_LIMIT)) {
                return strong;
            } else if (jt == NUM || jt == FUNC || jt == VAR
                    || jk == K_LITERAL || (jt == OP && t[ts[j]] == '*')) {
                if ((prevType == WORD || prevType == NUM) && jt == NUM) {
                    return false;
                }
                strong = true;
            } else if (jt == WORD) {
                if (prevType == WORD || prevType == NUM || prevType == STR) {
                    return false; // "select 2 options", "select a mode": prose
                }
            } else if (jt == STR) {
                if ((type[j] & OPEN) != 0 || prevType == WORD || prevType == NUM || prevType == STR) {
                    return false;
                }
            }
            prevType = jt == KEY && jk == K_OTHER && Words.eq(t, ts[j], te[j], "as") ? COMMA : jt;
        }
        return strong && limit >= n;
    }

    /** After the ';' at {@code k}: a second statement ({@link StackedStatement}), past any '(' or BEGIN. */
    private static boolean stacked(char[] t, int[] type, int[] ts, int[] te, int n, int k, char quote) {
        int m = next(type, n, k);
        while (m < n && ((type[m] & 0xFF) == LPAREN || (kw(type[m]) == K_OTHER && Words.eq(t, ts[m], te[m], "begin")))) {
            m = next(type, n, m);
        }
        return m < n && StackedStatement.at(t, type, ts, te, n, m, quote);
    }

    static int kw(int type) {
        return type >>> 16;
    }

    /** Next token after {@code k} that is not a comment ({@code n} when none). */
    static int next(int[] type, int n, int k) {
        int m = k + 1;
        while (m < n && (type[m] & 0xFF) == COMMENT) {
            m++;
        }
        return m;
    }

    /**
     * Tokenises {@code t} into the scratch arrays.
     *
     * @return the number of tokens, or -1 when the quoted context never closes (nothing to inspect)
     */
    static int tokenize(char[] t, int len, char quote, Scratch s) {
        s.ensureTokens(len + 2);
        int[] type = s.tokType;
        int[] ts = s.tokStart;
        int[] te = s.tokEnd;
        int n = 0;
        int i = 0;
        if (quote != 0) {
            int j = closeString(t, len, 0, quote);
            if (j >= len) {
                return -1;
            }
            type[n] = STR;
            ts[n] = 0;
            te[n] = j + 1;
            n++;
            i = j + 1;
        }
        boolean inVersionComment = false;
        while (i < len) {
            char c = t[i];
            if (c <= ' ' || (c >= '\u00a0' && (c == '\u00a0' || c == '\u2028' || c == '\u2029' || c == '\u205f'
                    || c == '\u3000' || c == '\ufeff' || c == '\u00ad'))) {
                i++;
                continue;
            }
            int start = i;
            int ty;
            int kw = 0;
            if (isWordStart(c)) {
                // scan and pack in one pass ('$' and non-ASCII letters have no code: such a word is no keyword)
                long packed = Words.code(c);
                boolean packs = packed != 0;
                i++;
                char d;
                while (i < len && isWordPart(d = t[i])) {
                    int code = Words.code(d);
                    packs &= code != 0;
                    packed = (packed << 5) | code;
                    i++;
                }
                kw = packs && i - start <= Words.MAX_LEN ? KEYWORDS.get(packed, i - start) : -1;
                int p = i;
                while (p < len && t[p] <= ' ') {
                    p++;
                }
                boolean call = p < len && t[p] == '(';
                if (kw == K_LOGIC) {
                    ty = LOGIC;
                } else if (kw == K_LITERAL) {
                    ty = KEY;
                } else if (kw == K_TIMEFN || kw == K_DANGER) {
                    ty = call ? FUNC : KEY;
                } else if (kw > 0 && !(call && (kw == K_OTHER || kw == K_DDL_OBJECT || kw == K_DELAY))) {
                    ty = KEY;
                } else {
                    ty = call ? FUNC : WORD;
                    kw = 0;
                }
            } else if (c == '\'' || c == '"') {
                int j = closeString(t, len, i + 1, c);
                if (j >= len) {
                    ty = STR | OPEN;
                    i = len;
                } else {
                    ty = STR;
                    i = j + 1;
                }
            } else if (c == '`') {
                int j = i + 1;
                while (j < len && t[j] != '`') {
                    j++;
                }
                ty = WORD;
                i = Math.min(len, j + 1);
            } else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len && t[i + 1] >= '0' && t[i + 1] <= '9')) {
                i++;
                while (i < len && (isDigitOrHex(t[i]) || t[i] == '.')) {
                    i++;
                }
                ty = NUM;
            } else if (c == '@') {
                i++;
                while (i < len && (isWordPart(t[i]) || t[i] == '@' || t[i] == '.')) {
                    i++;
                }
                ty = VAR;
            } else if ((c == '#' && (i + 1 >= len || t[i + 1] < '0' || t[i + 1] > '9'))
                    || (c == '-' && i + 1 < len && t[i + 1] == '-' && (i + 2 >= len || !isAlnum(t[i + 2])))) {
                while (i < len && t[i] != '\n') {
                    i++;
                }
                ty = COMMENT;
            } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
                if (i + 2 < len && t[i + 2] == '!') {
                    // MySQL versioned comment: its content runs, so tokenise it
                    i += 3;
                    while (i < len && t[i] >= '0' && t[i] <= '9') {
                        i++;
                    }
                    inVersionComment = true;
                    continue;
                }
                int j = i + 2;
                while (j + 1 < len && !(t[j] == '*' && t[j + 1] == '/')) {
                    j++;
                }
                i = j + 1 < len ? j + 2 : len;
                ty = COMMENT;
            } else if (c == '*' && inVersionComment && i + 1 < len && t[i + 1] == '/') {
                inVersionComment = false;
                i += 2;
                continue;
            } else if (c == '(') {
                i++;
                ty = LPAREN;
            } else if (c == ')') {
                i++;
                ty = RPAREN;
            } else if (c == ',') {
                i++;
                ty = COMMA;
            } else if (c == ';') {
                i++;
                ty = SEMI;
            } else if (isOpChar(c)) {
                i++;
                while (i < len && i - start < 3 && isOpChar(t[i]) && !(t[i] == '-' && i + 1 < len && t[i + 1] == '-')
                        && !(t[i] == '/' && i + 1 < len && t[i + 1] == '*')) {
                    i++;
                }
                boolean logic = (i - start == 2) && ((t[start] == '|' && t[start + 1] == '|')
                        || (t[start] == '&' && t[start + 1] == '&'));
                ty = logic ? LOGIC : OP;
            } else if (c == '\\' && i + 1 < len && t[i + 1] == 'n') {
                // \N is NULL in MySQL
                i += 2;
                ty = NUM;
            } else {
                i++;
                continue;
            }
            type[n] = ty | (kw << 16);
            ts[n] = start;
            te[n] = i;
            n++;
        }
        return n;
    }

    private static int closeString(char[] t, int len, int from, char q) {
        int j = from;
        while (j < len) {
            char c = t[j];
            if (c == '\\') {
                j += 2;
                continue;
            }
            if (c == q) {
                if (j + 1 < len && t[j + 1] == q) {
                    j += 2;
                    continue;
                }
                return j;
            }
            j++;
        }
        return len;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isDigitOrHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x';
    }

    private static boolean isWordStart(char c) {
        return c < 128 ? (c >= 'a' && c <= 'z') || c == '_' || c == '$' : c >= 0xC0 && c < 0x2000 && Character.isLetter(c);
    }

    private static boolean isWordPart(char c) {
        return c < 128 ? (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
                : c >= 0xC0 && c < 0x2000 && Character.isLetter(c);
    }

    private static boolean isOpChar(char c) {
        return c == '=' || c == '<' || c == '>' || c == '!' || c == '|' || c == '&' || c == '^' || c == '~'
                || c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == ':';
    }
}
