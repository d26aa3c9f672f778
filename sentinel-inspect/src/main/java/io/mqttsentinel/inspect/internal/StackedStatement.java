package io.mqttsentinel.inspect.internal;

import static io.mqttsentinel.inspect.internal.SqlDetector.COMMA;
import static io.mqttsentinel.inspect.internal.SqlDetector.COMMENT;
import static io.mqttsentinel.inspect.internal.SqlDetector.FUNC;
import static io.mqttsentinel.inspect.internal.SqlDetector.KEY;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_DANGER;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_DDL;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_DDL_OBJECT;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_DECLARE;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_DELAY;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_FROM;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_LIMIT;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_OPWORD;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_ORDER;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_OTHER;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_SELECT;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_SET;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_STMT;
import static io.mqttsentinel.inspect.internal.SqlDetector.K_WAITFOR;
import static io.mqttsentinel.inspect.internal.SqlDetector.LPAREN;
import static io.mqttsentinel.inspect.internal.SqlDetector.NUM;
import static io.mqttsentinel.inspect.internal.SqlDetector.OP;
import static io.mqttsentinel.inspect.internal.SqlDetector.RPAREN;
import static io.mqttsentinel.inspect.internal.SqlDetector.SEMI;
import static io.mqttsentinel.inspect.internal.SqlDetector.STR;
import static io.mqttsentinel.inspect.internal.SqlDetector.VAR;
import static io.mqttsentinel.inspect.internal.SqlDetector.WORD;

/**
 * The grammar of a second statement after a terminator ({@code ;}), the stacked-query class: DDL
 * ({@code create/alter/drop} of an object), DCL ({@code grant/revoke} of privileges), DML ({@code insert into},
 * {@code update ... set}, {@code delete from}), procedure calls ({@code exec}, {@code call}, MS-SQL's bare
 * {@code sp_}/{@code xp_} procedures), variables ({@code declare @x}) and batch control ({@code shutdown},
 * {@code waitfor}). A statement keyword alone is not enough: what follows it must go on as that statement does
 * (an object kind and a name, a privilege and a grantee, a routine and its arguments) and then end or go on
 * in SQL, so that a note such as "done; create user guide next week" or "ok; grant access after the audit"
 * stays prose.
 *
 * <p>Reads the tokens of {@link SqlDetector}; look-ahead is bounded by a constant number of tokens.
 */
final class StackedStatement {

    private static final int STRONG_KIND = 1;
    private static final int WEAK_KIND = 2;
    private static final int MODIFIER = 3;
    private static final int CLAUSE = 4;
    private static final int PRIVILEGE = 5;
    private static final int DCL = 6;
    private static final int CALL = 7;
    private static final int DML_MODIFIER = 8;

    /** Words the statement grammar reads by text (the tokenizer's keyword ids stay as they are). */
    private static final Words GRAMMAR = Words.of(
            // objects whose kind alone makes DDL (create table ...), and those that need a name and a tail
            "table", STRONG_KIND, "database", STRONG_KIND, "schema", STRONG_KIND, "procedure", STRONG_KIND,
            "proc", STRONG_KIND, "function", STRONG_KIND, "view", STRONG_KIND, "index", STRONG_KIND,
            "trigger", STRONG_KIND, "sequence", STRONG_KIND, "tablespace", STRONG_KIND, "assembly", STRONG_KIND,
            "synonym", STRONG_KIND, "extension", STRONG_KIND,
            "user", WEAK_KIND, "login", WEAK_KIND, "role", WEAK_KIND, "type", WEAK_KIND, "event", WEAK_KIND,
            "credential", WEAK_KIND, "certificate", WEAK_KIND,
            // between the verb and the kind: create or replace, create temporary, alter server role
            "or", MODIFIER, "replace", MODIFIER, "temporary", MODIFIER, "temp", MODIFIER, "unique", MODIFIER,
            "clustered", MODIFIER, "nonclustered", MODIFIER, "global", MODIFIER, "local", MODIFIER,
            "server", MODIFIER, "materialized", MODIFIER, "external", MODIFIER, "application", MODIFIER,
            // what goes on after an account's or a role's name
            "identified", CLAUSE, "with", CLAUSE, "password", CLAUSE, "superuser", CLAUSE, "nosuperuser", CLAUSE,
            "nologin", CLAUSE, "createdb", CLAUSE, "createrole", CLAUSE, "inherit", CLAUSE, "add", CLAUSE,
            "member", CLAUSE, "rename", CLAUSE, "owner", CLAUSE, "returns", CLAUSE,
            "language", CLAUSE, "cascade", CLAUSE, "restrict", CLAUSE, "without", CLAUSE, "default", CLAUSE,
            "account", CLAUSE, "valid", CLAUSE, "connection", CLAUSE, "encrypted", CLAUSE,
            // privileges and roles that grant/revoke name
            "all", PRIVILEGE, "privileges", PRIVILEGE, "usage", PRIVILEGE, "references", PRIVILEGE,
            "connect", PRIVILEGE, "control", PRIVILEGE, "impersonate", PRIVILEGE, "dba", PRIVILEGE,
            "sysadmin", PRIVILEGE, "super", PRIVILEGE, "file", PRIVILEGE, "process", PRIVILEGE, "reload", PRIVILEGE,
            "resource", PRIVILEGE, "admin", PRIVILEGE, "any", PRIVILEGE, "session", PRIVILEGE, "proxy", PRIVILEGE,
            "replication", PRIVILEGE, "lock", PRIVILEGE, "tables", PRIVILEGE, "show", PRIVILEGE, "unlimited", PRIVILEGE,
            "grant", DCL, "revoke", DCL, "call", CALL,
            "ignore", DML_MODIFIER, "low_priority", DML_MODIFIER, "delayed", DML_MODIFIER, "quick", DML_MODIFIER);

    /** Tokens a clause may take at most, so that every look-ahead stays bounded. */
    private static final int REACH = 24;

    private StackedStatement() {
    }

    /**
     * @param m     the first token of the statement (after the terminator and any '(' or BEGIN)
     * @param quote the quoting context of the pass
     * @return whether tokens from {@code m} on are a statement of the stacked-query class
     */
    static boolean at(char[] t, int[] type, int[] ts, int[] te, int n, int m, char quote) {
        int ty = type[m] & 0xFF;
        int kw = SqlDetector.kw(type[m]);
        int f = SqlDetector.next(type, n, m);
        int ft = f < n ? type[f] & 0xFF : 0;
        int fk = f < n ? SqlDetector.kw(type[f]) : 0;
        if (ty == WORD || ty == FUNC) {
            int g = grammar(t, ts, te, n, m);
            if (g == DCL) {
                return privileges(t, type, ts, te, n, f);
            }
            if (g == CALL) {
                return call(t, type, ts, te, n, f);
            }
            if (Words.eq(t, ts[m], te[m], "load")) {
                return f < n && (Words.eq(t, ts[f], te[f], "data") || Words.eq(t, ts[f], te[f], "xml"));
            }
            // MS-SQL runs a procedure named first in a batch without EXEC: sp_addlogin 'x', 'y'
            return isProcedureName(t, ts[m], te[m]) && (ends(type, n, f) || ft == STR || ft == NUM || ft == VAR
                    || ft == LPAREN);
        }
        if (ty != KEY) {
            return false;
        }
        switch (kw) {
            case K_SELECT:
                return SqlDetector.selectList(t, type, ts, te, n, m, quote);
            case K_STMT:
                return dml(t, type, ts, te, n, m, f);
            case K_DDL:
                return ddl(t, type, ts, te, n, f);
            case K_DECLARE:
            case K_SET:
                return ft == VAR;
            case K_WAITFOR:
                return fk == K_DELAY;
            case K_OTHER:
                return Words.eq(t, ts[m], te[m], "if") && (ft == LPAREN || (ft == WORD && Words.eq(t, ts[f], te[f], "exists"))
                        || (fk == K_OPWORD && Words.eq(t, ts[f], te[f], "not")));
            default:
                return false;
        }
    }

    /** INSERT, UPDATE, DELETE, EXEC, TRUNCATE, SHUTDOWN at {@code m}; {@code f} is the token after it. */
    private static boolean dml(char[] t, int[] type, int[] ts, int[] te, int n, int m, int f) {
        int ft = f < n ? type[f] & 0xFF : 0;
        if (Words.eq(t, ts[m], te[m], "shutdown")) {
            return ends(type, n, f) || (ft == KEY && Words.eq(t, ts[f], te[f], "end"))
                    || (isWord(t, ts, te, n, f, "with") && isWord(t, ts, te, n, SqlDetector.next(type, n, f), "nowait"));
        }
        if (Words.eq(t, ts[m], te[m], "exec") || Words.eq(t, ts[m], te[m], "execute")) {
            return execTarget(t, type, ts, te, n, f, true);
        }
        if (Words.eq(t, ts[m], te[m], "truncate")) {
            return f < n && SqlDetector.kw(type[f]) == K_DDL_OBJECT;
        }
        int g = f;
        for (int guard = 0; g < n && grammar(t, ts, te, n, g) == DML_MODIFIER && guard < 3; guard++) {
            g = SqlDetector.next(type, n, g); // insert ignore, delete low_priority quick
        }
        if (Words.eq(t, ts[m], te[m], "insert")) {
            // insert into <table> ( ... ) | values | select | set | default values, or the end
            if (g >= n || !(isKey(type, n, g, K_OTHER) && Words.eq(t, ts[g], te[g], "into"))) {
                return false;
            }
            int after = name(t, type, ts, te, n, SqlDetector.next(type, n, g));
            if (after < 0) {
                return false;
            }
            int at = after < n ? type[after] & 0xFF : 0;
            return ends(type, n, after) || at == LPAREN || isKey(type, n, after, K_SELECT) || isKey(type, n, after, K_SET)
                    || isWord(t, ts, te, n, after, "values") || isWord(t, ts, te, n, after, "value")
                    || grammar(t, ts, te, n, after) == CLAUSE;
        }
        if (Words.eq(t, ts[m], te[m], "update")) {
            int after = name(t, type, ts, te, n, g);
            return after >= 0 && isKey(type, n, after, K_SET);
        }
        if (Words.eq(t, ts[m], te[m], "delete")) {
            // delete from <table> [where | limit | order | using ...], or the end
            if (g >= n || !isKey(type, n, g, K_FROM)) {
                return false;
            }
            int after = name(t, type, ts, te, n, SqlDetector.next(type, n, g));
            return after >= 0 && (ends(type, n, after) || isWord(t, ts, te, n, after, "where")
                    || isKey(type, n, after, K_LIMIT) || isKey(type, n, after, K_ORDER)
                    || isWord(t, ts, te, n, after, "using") || isWord(t, ts, te, n, after, "output"));
        }
        return false;
    }

    /** After CREATE/ALTER/DROP: [modifiers] kind [if [not] exists] [name [tail]]. */
    private static boolean ddl(char[] t, int[] type, int[] ts, int[] te, int n, int f) {
        int k = f;
        for (int guard = 0; k < n && grammar(t, ts, te, n, k) == MODIFIER && guard < 3; guard++) {
            k = SqlDetector.next(type, n, k);
        }
        if (k >= n) {
            return false;
        }
        int kind = grammar(t, ts, te, n, k);
        if (kind == STRONG_KIND) {
            return true; // create table, drop procedure: no prose uses these pairs after a ';'
        }
        if (kind != WEAK_KIND) {
            return false;
        }
        int x = SqlDetector.next(type, n, k);
        if (x < n && isKey(type, n, x, K_OTHER) && Words.eq(t, ts[x], te[x], "if")) {
            return true; // drop user if exists
        }
        int after = name(t, type, ts, te, n, x);
        return after >= 0 && tail(t, type, ts, te, n, after);
    }

    /** After GRANT/REVOKE: privileges [ON [kind] object] (TO|FROM) grantee, then the end or SQL. */
    private static boolean privileges(char[] t, int[] type, int[] ts, int[] te, int n, int f) {
        int k = f;
        int items = 0;
        int limit = Math.min(n, f + REACH);
        while (k < limit) {
            int ty = type[k] & 0xFF;
            if ((ty == KEY && SqlDetector.kw(type[k]) != K_FROM) || ((ty == WORD || ty == FUNC)
                    && (isPrivilege(grammar(t, ts, te, n, k)) || hasUnderscore(t, ts[k], te[k])))) {
                items++;
            } else if (ty == LPAREN) {
                while (k < limit && (type[k] & 0xFF) != RPAREN) {
                    k++; // a column list: grant select (a, b) on t
                }
            } else if (ty != COMMA) {
                break;
            }
            k = SqlDetector.next(type, n, k);
        }
        if (items == 0 || k >= limit) {
            return false;
        }
        if (isWord(t, ts, te, n, k, "on")) {
            k = SqlDetector.next(type, n, k);
            if (k < n && (type[k] & 0xFF) == KEY && SqlDetector.kw(type[k]) == K_DDL_OBJECT) {
                k = SqlDetector.next(type, n, k); // on database x, on schema x
            }
            // the object: *.*, db.*, schema::name, a name
            int guard = 0;
            while (k < limit && guard++ < 6 && !isWord(t, ts, te, n, k, "to") && !isKey(type, n, k, K_FROM)
                    && ((type[k] & 0xFF) == OP || isNamePart(type[k]))) {
                k = SqlDetector.next(type, n, k);
            }
        }
        if (!(isWord(t, ts, te, n, k, "to") || isKey(type, n, k, K_FROM))) {
            return false;
        }
        int after = name(t, type, ts, te, n, SqlDetector.next(type, n, k));
        if (after < 0) {
            return false;
        }
        int at = after < n ? type[after] & 0xFF : 0;
        return ends(type, n, after) || at == VAR || at == COMMA || at == STR || isWord(t, ts, te, n, after, "with")
                || isWord(t, ts, te, n, after, "identified");
    }

    /** After CALL: a routine and '(' (call reset(1)), or a routine with '_' or a schema and the end. */
    private static boolean call(char[] t, int[] type, int[] ts, int[] te, int n, int f) {
        int after = name(t, type, ts, te, n, f);
        if (after < 0) {
            return false;
        }
        if (after < n && (type[after] & 0xFF) == LPAREN) {
            return true;
        }
        return ends(type, n, after) && (after - f > 1 || hasUnderscore(t, ts[f], te[f]));
    }

    /**
     * What EXEC/EXECUTE runs: a string or a variable (dynamic SQL), a parenthesis, a dangerous name, a system
     * procedure ({@code sp_}, {@code xp_}, anything in {@code master}, with its schema or not), EXECUTE IMMEDIATE;
     * after a terminator also any routine given arguments ({@code exec audit_purge 30}).
     *
     * @param f               the token after EXEC
     * @param afterTerminator whether EXEC follows a ';' (at the start of a value it needs a system name)
     */
    static boolean execTarget(char[] t, int[] type, int[] ts, int[] te, int n, int f, boolean afterTerminator) {
        if (f >= n) {
            return false;
        }
        int ft = type[f] & 0xFF;
        if (ft == STR || ft == VAR || ft == LPAREN || SqlDetector.kw(type[f]) == K_DANGER) {
            return true;
        }
        if (ft != WORD && ft != FUNC && ft != KEY) {
            return false;
        }
        if (Words.eq(t, ts[f], te[f], "immediate")) {
            return true;
        }
        if (isKey(type, n, f, K_OTHER) && Words.eq(t, ts[f], te[f], "as")) {
            // execute as login = 'sa': impersonation
            int who = SqlDetector.next(type, n, f);
            int op = SqlDetector.next(type, n, who);
            return grammar(t, ts, te, n, who) == WEAK_KIND && op < n && (type[op] & 0xFF) == OP && t[ts[op]] == '=';
        }
        int after = f;
        int parts = 0;
        boolean system = false;
        do {
            system |= isProcedureName(t, ts[after], te[after]) || Words.eq(t, ts[after], te[after], "master")
                    || SqlDetector.kw(type[after]) == K_DANGER;
            parts++;
            after++;
        } while (after < n && parts < 4 && joined(t, te[after - 1], ts[after]));
        if (system) {
            return true;
        }
        if (!afterTerminator) {
            return false;
        }
        int at = after < n ? type[after] & 0xFF : 0;
        // exec audit_purge 30, exec dbo.reset 'x': a routine named as code is, with arguments or alone;
        // a plain word is prose ("exec summary 3 pages attached")
        boolean routine = parts > 1 || hasUnderscore(t, ts[f], te[f]);
        return routine && (ends(type, n, after) || at == STR || at == NUM || at == VAR);
    }

    /**
     * A name at {@code k}: a word, keyword, quoted or bracketed identifier, or parts joined by '.'
     * ({@code mysql.user}, {@code master..sysdatabases}, {@code [dbo].[x]}).
     *
     * @return the token after the name, or -1 when there is none at {@code k}
     */
    private static int name(char[] t, int[] type, int[] ts, int[] te, int n, int k) {
        if (k >= n || !isNamePart(type[k])) {
            return -1;
        }
        int parts = 1;
        while (k + 1 < n && parts < 4 && isNamePart(type[k + 1]) && joined(t, te[k], ts[k + 1])) {
            k++;
            parts++;
        }
        return SqlDetector.next(type, n, k);
    }

    private static boolean isNamePart(int type) {
        int ty = type & 0xFF;
        return ty == WORD || ty == KEY || ty == FUNC || ty == STR && (type & SqlDetector.OPEN) == 0;
    }

    /** Whether two tokens are parts of one dotted name: only '.', '[', ']' between them, and a '.'. */
    private static boolean joined(char[] t, int end, int start) {
        boolean dot = false;
        for (int i = end; i < start; i++) {
            char c = t[i];
            if (c == '.') {
                dot = true;
            } else if (c != '[' && c != ']') {
                return false;
            }
        }
        return dot;
    }

    /** After a name of an account or role: the end, or something only SQL puts there. */
    private static boolean tail(char[] t, int[] type, int[] ts, int[] te, int n, int k) {
        if (ends(type, n, k)) {
            return true;
        }
        int ty = type[k] & 0xFF;
        if (ty == STR || ty == VAR || ty == OP || ty == LPAREN || ty == COMMA || ty == NUM) {
            return true;
        }
        if (grammar(t, ts, te, n, k) == CLAUSE || isKey(type, n, k, K_FROM) || isKey(type, n, k, K_SET)
                || ts[k] > 0 && t[ts[k] - 1] == ']') {
            return true; // ... identified by, ... with password, [name] (an MS-SQL identifier) and anything
        }
        if (isWord(t, ts, te, n, k, "for")) {
            // create user x for login y
            return grammar(t, ts, te, n, SqlDetector.next(type, n, k)) == WEAK_KIND;
        }
        // create procedure p as exec ..., create view v as select ...
        if (isKey(type, n, k, K_OTHER) && Words.eq(t, ts[k], te[k], "as")) {
            int a = SqlDetector.next(type, n, k);
            return a < n && ((type[a] & 0xFF) == KEY || (type[a] & 0xFF) == STR);
        }
        return false;
    }

    /** The statement ends at {@code k}: the end of the value, a comment, a ';' or a ')'. */
    private static boolean ends(int[] type, int n, int k) {
        if (k >= n) {
            return true;
        }
        int ty = type[k] & 0xFF;
        return ty == COMMENT || ty == SEMI || ty == RPAREN;
    }

    private static int grammar(char[] t, int[] ts, int[] te, int n, int k) {
        return k < n ? GRAMMAR.get(t, ts[k], te[k]) : -1;
    }

    private static boolean isKey(int[] type, int n, int k, int kw) {
        return k < n && (type[k] & 0xFF) == KEY && SqlDetector.kw(type[k]) == kw;
    }

    private static boolean isWord(char[] t, int[] ts, int[] te, int n, int k, String word) {
        return k < n && Words.eq(t, ts[k], te[k], word);
    }

    /** control server, create temporary tables: privilege words and the modifiers that qualify them. */
    private static boolean isPrivilege(int g) {
        return g == PRIVILEGE || g == MODIFIER || g == STRONG_KIND;
    }

    private static boolean isProcedureName(char[] t, int s, int e) {
        return e - s > 3 && (Words.startsWith(t, e, s, "sp_") || Words.startsWith(t, e, s, "xp_"));
    }

    private static boolean hasUnderscore(char[] t, int s, int e) {
        for (int i = s + 1; i < e - 1; i++) {
            if (t[i] == '_') {
                return true;
            }
        }
        return false;
    }
}
