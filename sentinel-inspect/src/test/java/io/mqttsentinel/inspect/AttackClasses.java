package io.mqttsentinel.inspect;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classes of attack (and of benign text that looks like them) built from a small grammar written for this
 * module, not taken from any list: every injection context x terminator x statement x ending for stacked SQL,
 * every overlong UTF-8 length x separator x spelling for traversal, and so on. {@link AttackClassesTest} asserts
 * that every attack is blocked in its category, raw and as a JSON string value, and every benign case passes;
 * {@code main} prints the rate per class (the figures in docs/inspection.md).
 */
final class AttackClasses {

    /** One class: its name, the category its attacks must be blocked in ({@code null} for benign), its cases. */
    record Case(String klass, ThreatCategory category, List<byte[]> payloads) {
    }

    private AttackClasses() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- stacked SQL statements

    /** Where user input lands: closing a string or a parenthesis, or a bare number. */
    private static final String[] CONTEXTS = {"'", "7'", "zone_b'", "')", "1'))", "\"", "4\"", "3", "9)"};
    private static final String[] TERMINATORS = {";", "; ", " ;\n", ";/**/", "; \t"};
    /** DDL, DCL, DML, procedure calls and batch control, as an attacker would stack them. */
    private static final String[] STATEMENTS = {
        // accounts and roles
        "create user svc_bk identified by 'Pa55w0rd!'",
        "CREATE LOGIN tmp1 WITH PASSWORD = 'x1!x1'",
        "create user \"ops\"@\"%\" identified by \"p\"",
        "create user mallory with superuser password 'm'",
        "create role auditor2",
        "create user [svc] for login [svc]",
        "alter login sa with password = 'Changed1'",
        "ALTER USER postgres WITH PASSWORD 'owned'",
        "alter role eve superuser",
        "alter server role sysadmin add member eve",
        "drop user eve",
        "DROP LOGIN eve",
        // privileges
        "grant all privileges on *.* to 'eve'@'%'",
        "GRANT ALL ON DATABASE iot TO eve",
        "grant dba to scott",
        "grant control server to guest2",
        "grant execute on xp_cmdshell to public",
        "grant select, insert, update on readings to public",
        "grant db_owner to eve",
        "revoke all on audit_log from public",
        "REVOKE SELECT ON t1 FROM auditor",
        // writes to system and application tables
        "insert into mysql.user (user, host) values ('eve','%')",
        "INSERT INTO master.dbo.syslogins VALUES ('eve')",
        "insert into pg_authid select * from tmp",
        "insert ignore into users(name, role) values('eve', 'admin')",
        "update users set is_admin=1 where name='eve'",
        "UPDATE mysql.user SET authentication_string = '' WHERE user = 'root'",
        "delete from audit_log",
        "DELETE FROM users WHERE 1=1",
        "truncate table event_log",
        // procedures
        "exec sp_addlogin 'eve', 'pw'",
        "exec master.dbo.sp_addsrvrolemember 'eve','sysadmin'",
        "EXEC master..xp_regwrite 'HKLM','SOFTWARE\\x','v','REG_SZ','1'",
        "execute sp_configure 'xp_cmdshell', 1",
        "exec dbo.sp_executesql N'select 1'",
        "exec('ins'+'ert into t values(1)')",
        "exec @cmd",
        "execute immediate 'drop table t'",
        "execute as login = 'sa'",
        "sp_addsrvrolemember 'eve', 'sysadmin'",
        "call sys.exec_cmd('id')",
        "CALL reset_password(1, 'x')",
        // batch control and variables
        "declare @s varchar(99) set @s=0x73656c656374 exec(@s)",
        "DECLARE @x INT",
        "shutdown",
        "SHUTDOWN WITH NOWAIT",
        "waitfor delay '0:0:7'",
        "WAITFOR TIME '23:59:59'",
        // schema changes
        "drop table audit_log",
        "alter table users add is_root int",
        "create procedure p1 as exec xp_cmdshell 'dir'",
        "create or replace function f() returns int as $$ select 1 $$ language sql",
        "drop database iot",
    };
    private static final String[] ENDINGS = {"", "--", "-- -", "#", ";--", "/*", "; --'"};

    static List<byte[]> stackedSql() {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        for (String context : CONTEXTS) {
            for (String terminator : TERMINATORS) {
                for (String statement : STATEMENTS) {
                    // every statement in every context; terminator and ending rotate so the set stays small
                    String ending = ENDINGS[i % ENDINGS.length];
                    String s = context + terminator + statement + ending;
                    out.add(ascii(i % 3 == 0 ? s.toUpperCase(Locale.ROOT) : s));
                    i++;
                }
            }
        }
        // the same statements percent-encoded, as a query string would carry them
        for (String statement : STATEMENTS) {
            out.add(ascii(percentEncode("'; " + statement + "--")));
        }
        return out;
    }

    /** Prose that puts a statement keyword after a ';', the way operators write notes. */
    static List<byte[]> stackedSqlBenign() {
        String[] clauses = {"Batch 7 done", "Door sensor ok", "Bob's unit", "Shift change at 6", "Disk 80% full",
            "Reading was 21.5", "O'Brien called", "No signal (north)"};
        String[] follow = {
            "create a user account for the new tech", "create user guide next week", "grant access after the audit",
            "grant them a day off", "exec summary sent to Tom", "execute the plan as discussed",
            "insert the new card next visit", "insert into slot 2 when it arrives", "update the firmware tonight",
            "update: all fine", "delete old exports when convenient", "call the installer",
            "call me back at 5", "declare the zone safe tomorrow", "shutdown planned at 18:00",
            "drop the pressure to 2 bar", "drop by if you can", "alter the schedule", "revoke the badge of the contractor",
            "truncate the report to one page", "waitfor it", "create a table of the readings", "select the union hall sensors",
        };
        List<byte[]> out = new ArrayList<>();
        for (String c : clauses) {
            for (String f : follow) {
                out.add(ascii(c + "; " + f));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- traversal: encodings of separators

    /** The overlong UTF-8 form of an ASCII character in {@code length} bytes (2 to 6). */
    static byte[] overlong(char c, int length) {
        byte[] b = new byte[length];
        b[0] = (byte) switch (length) {
            case 2 -> 0xC0;
            case 3 -> 0xE0;
            case 4 -> 0xF0;
            case 5 -> 0xF8;
            default -> 0xFC;
        };
        for (int k = 1; k < length; k++) {
            b[k] = (byte) 0x80;
        }
        b[0] |= (byte) (length == 2 ? c >> 6 : 0);
        if (length > 2) {
            b[length - 2] |= (byte) (c >> 6);
        }
        b[length - 1] |= (byte) (c & 0x3F);
        return b;
    }

    private static String percent(byte[] bytes, boolean upper) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            sb.append(String.format(upper ? "%%%02X" : "%%%02x", x & 0xFF));
        }
        return sb.toString();
    }

    private static String percentEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            } else {
                sb.append(String.format("%%%02X", (int) c));
            }
        }
        return sb.toString();
    }

    private static final String[] TARGETS = {"etc{S}passwd", "windows{S}win.ini", "srv{S}app{S}.env", "home{S}pi{S}notes.txt", ""};

    /** {@code dots + sep} repeated {@code depth} times, then a target with the same separator. */
    private static byte[] path(byte[] dots, byte[] sep, int depth, String target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int d = 0; d < depth; d++) {
            out.writeBytes(dots);
            out.writeBytes(sep);
        }
        String[] parts = target.split("\\{S\\}", -1);
        for (int p = 0; p < parts.length; p++) {
            if (p > 0) {
                out.writeBytes(sep);
            }
            out.writeBytes(ascii(parts[p]));
        }
        return out.toByteArray();
    }

    /** Separators (and dots) in overlong UTF-8 of every length, as raw bytes, percent-encoded and double-encoded. */
    static List<byte[]> overlongTraversal() {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        for (int length = 2; length <= 6; length++) {
            for (char sepChar : new char[] {'/', '\\'}) {
                byte[] raw = overlong(sepChar, length);
                byte[] rawDot = overlong('.', length);
                String[] seps = {percent(raw, false), percent(raw, true), percent(raw, false).replace("%", "%25")};
                for (int form = 0; form < 4; form++) {
                    byte[] sep = form == 3 ? raw : ascii(seps[form]);
                    byte[] dots = switch (i++ % 3) {
                        case 0 -> ascii("..");
                        case 1 -> form == 3 ? concat(rawDot, rawDot) : ascii(percent(rawDot, false).repeat(2));
                        default -> ascii("%2e%2e");
                    };
                    for (int depth = 1; depth <= 4; depth++) {
                        out.add(path(dots, sep, depth, TARGETS[(i + depth) % TARGETS.length]));
                    }
                }
            }
        }
        return out;
    }

    /** Nested percent encodings: the '%' or the hex digits of an escape themselves encoded; %u forms. */
    static List<byte[]> nestedEncodingTraversal() {
        String[] seps = {"%252f", "%255c", "%25252f", "%%32%66", "%%32%%66", "%%35%63", "%%35%%63", "%%35c",
            "%25%32%66", "%25%35%43", "%2%66", "%u002f", "%U005C", "%u2215", "%25u002f", "%uff0f", "%u2216"};
        String[] dots = {"..", "%2e%2e", "%252e%252e", "%u002e%u002e", ".%2e", "%%32%65%%32%65"};
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        for (String sep : seps) {
            for (String d : dots) {
                int depth = 1 + i % 4;
                out.add(path(ascii(d), ascii(sep), depth, TARGETS[i % TARGETS.length]));
                i++;
            }
        }
        return out;
    }

    /** A dot-dot next to an escape that does not decode: malformed hex, truncated, a lone lead byte. */
    static List<byte[]> malformedEscapeTraversal() {
        String[] escapes = {"%c0%9v", "%c1%pc", "%c0%qf", "%c1%8s", "%e0%80%zf", "%c0%", "%%", "%g0", "%2", "%5%",
            "%c0%af%", "%u002", "%uzz2f", "%c1"};
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        for (String e : escapes) {
            for (int depth = 1; depth <= 3; depth++) {
                out.add(path(ascii(".."), ascii(e), depth, TARGETS[i++ % TARGETS.length]));
                out.add(ascii("/var/www/" + (".." + e).repeat(depth) + "home"));
            }
        }
        // what a decoder upstream leaves of bytes it could not read: replacement characters
        for (String junk : new String[] {"\uFFFD", "\uFFFD\uFFFD\uFFFD", "\uFFFD%"}) {
            out.add(path(ascii(".."), ascii(junk), 3, "etc/passwd"));
        }
        return out;
    }

    /** Text with dots, percent signs, encoded characters and non-ASCII letters that is not a path out of anywhere. */
    static List<byte[]> traversalBenign() {
        String[] s = {
            "Humidity 40%..45% today", "Battery: 20%.. replace soon", "range 1..5 %", "v1.2..1.3 upgrade",
            "Zürich..Genève route closed", "café..été menu", "Wait... 50% done", "Loading.. 80%",
            "/docs/My%20File.pdf", "https://example.com/a%2Fb?x=%25", "https://example.com/?next=%252Fhome",
            "C:\\Users\\Zoë\\notes.txt", "Straße/Ausgang 3", "résumé/2026.pdf", "see ../docs for details",
            "100%..200% scale", "50 % .. 60 %", "déjà vu.. again", "x=%u00e9t%u00e9", "%E2%82%AC 5.00",
            "temp..%", "the ..% column", "ratio ½..¾ open",
        };
        List<byte[]> out = new ArrayList<>();
        for (String x : s) {
            out.add(ascii(x));
        }
        return out;
    }

    // ---------------------------------------------------------------- quoted keywords in prose

    /** Notes that quote a logic-gate or SQL keyword and go on in plain words. */
    static List<byte[]> quotedKeywordProse() {
        String[] templates = {
            "The label said {q}{G}{q} and the gate output stayed high",
            "set the mode to {q}{G}{q} for both inputs",
            "{q}{G}{q} gate on board 2 replaced",
            "Input A feeds the {q}{G}{q} gate, input B the {q}{H}{q} gate",
            "Switch from {q}{G}{q} to {q}{H}{q} logic at 5pm",
            "Wiring note: {q}{G}{q} output is 1 when both inputs are 1",
            "The {q}{G}{q} lamp is on and the relay is off",
            "Choose {q}{G}{q} or {q}{H}{q}, then press OK",
            "Tech wrote {q}{G}{q} on the box; it is a {q}{H}{q} really",
            "Mode {q}{G}{q} selected and saved",
            "the display shows {q}{G}{q} or nothing",
            "Rule: {q}{G}{q} of door and window sensors",
            "It's the {q}{G}{q} gate, not the {q}{H}{q} one",
        };
        String[] gates = {"OR", "AND", "NOT", "XOR", "NAND", "NOR", "XNOR", "or", "And", "select", "union", "like"};
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        for (String t : templates) {
            for (String g : gates) {
                for (String q : new String[] {"\"", "'"}) {
                    String h = gates[(i++ * 7 + 3) % gates.length];
                    out.add(ascii(t.replace("{q}", q).replace("{G}", g).replace("{H}", h)));
                }
            }
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Every class, attacks first. */
    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("sql stacked statements", ThreatCategory.SQL_INJECTION, stackedSql()));
        c.add(new Case("traversal overlong UTF-8 (2-6 bytes)", ThreatCategory.PATH_TRAVERSAL, overlongTraversal()));
        c.add(new Case("traversal nested percent / %u", ThreatCategory.PATH_TRAVERSAL, nestedEncodingTraversal()));
        c.add(new Case("traversal malformed escape by ..", ThreatCategory.PATH_TRAVERSAL, malformedEscapeTraversal()));
        c.add(new Case("benign: ';' + statement word in prose", null, stackedSqlBenign()));
        c.add(new Case("benign: dots, '%', non-ASCII", null, traversalBenign()));
        c.add(new Case("benign: quoted keyword in prose", null, quotedKeywordProse()));
        return c;
    }

    /** The payload as the string value of device JSON: the bytes kept as they are, '"' and '\' escaped. */
    static byte[] inJson(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("{\"device\":\"sensor-0042\",\"temp\":21.5,\"note\":\""));
        for (byte b : value) {
            if (b == '"' || b == '\\') {
                out.write('\\');
                out.write(b);
            } else if (b == '\n') {
                out.writeBytes(ascii("\\n"));
            } else if (b == '\t') {
                out.writeBytes(ascii("\\t"));
            } else {
                out.write(b);
            }
        }
        out.writeBytes(ascii("\",\"seq\":7}"));
        return out.toByteArray();
    }

    /** Whether the inspector's verdict is right for the case: blocked in its category, or allowed when benign. */
    static boolean right(Case c, Verdict v) {
        if (c.category() == null) {
            return v.action() == Action.ALLOW;
        }
        return v.action() == Action.BLOCK && v.findings().stream().anyMatch(f -> f.category() == c.category());
    }

    static String show(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int v = x & 0xFF;
            sb.append(v >= 0x20 && v < 0x7F ? String.valueOf((char) v) : String.format("\\x%02x", v));
        }
        return sb.toString();
    }

    /** Prints, per class, how many cases come out right raw and in JSON; with an argument, the wrong ones too. */
    public static void main(String[] args) {
        PayloadInspector inspector = SignatureInspector.withDefaults();
        Map<String, String> wrong = new LinkedHashMap<>();
        System.out.println("class                                      cases   raw right      json right");
        for (Case c : all()) {
            int raw = 0;
            int json = 0;
            for (byte[] p : c.payloads()) {
                Verdict r = CorpusMeasurement.inspect(inspector, p);
                Verdict j = CorpusMeasurement.inspect(inspector, inJson(p));
                raw += right(c, r) ? 1 : 0;
                json += right(c, j) ? 1 : 0;
                if (!right(c, r) || !right(c, j)) {
                    wrong.put(c.klass() + " | " + show(p), (right(c, r) ? "" : "raw " + r.findings() + " ")
                            + (right(c, j) ? "" : "json " + j.findings()));
                }
            }
            int n = c.payloads().size();
            System.out.printf("%-42s %5d  %5d (%5.1f%%)  %5d (%5.1f%%)%n", c.klass(), n, raw, 100.0 * raw / n, json,
                    100.0 * json / n);
        }
        if (args.length > 0) {
            wrong.forEach((k, v) -> System.out.println("WRONG " + k + " -> " + v));
        }
    }
}
