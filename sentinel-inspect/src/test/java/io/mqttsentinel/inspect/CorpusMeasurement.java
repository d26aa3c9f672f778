package io.mqttsentinel.inspect;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Verdict;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Measures detection on the attack corpus and false positives on the benign list: every non-comment line,
 * raw and embedded as a string value in JSON telemetry. Used by {@link CorpusDetectionTest}; also runnable
 * on its own ({@code main}) to print the report that docs/inspection.md quotes.
 */
final class CorpusMeasurement {

    static final MessageContext CONTEXT = new MessageContext("corpus", "devices/d1/telemetry", 1, "", 0L);

    /** One corpus line. */
    record Line(String file, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Counts for one category and one form. */
    static final class Tally {
        int total;
        int detected;
        int sameCategory;
        int operatorTotal;
        int operatorDetected;
        final List<String> misses = new ArrayList<>();
    }

    static Path corpusRoot() {
        for (Path p : List.of(Path.of("src/test/resources/corpus"), Path.of("sentinel-inspect/src/test/resources/corpus"),
                Path.of("/work/shared/corpus"))) {
            if (Files.isDirectory(p.resolve("attack"))) {
                return p;
            }
        }
        throw new IllegalStateException("corpus not found (expected src/test/resources/corpus)");
    }

    static List<Line> lines(Path dir) {
        List<Line> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                byte[] all = Files.readAllBytes(f);
                int start = 0;
                for (int i = 0; i <= all.length; i++) {
                    if (i == all.length || all[i] == '\n') {
                        int end = i;
                        if (end > start && all[end - 1] == '\r') {
                            end--;
                        }
                        if (end > start && all[start] != '#') {
                            byte[] line = new byte[end - start];
                            System.arraycopy(all, start, line, 0, line.length);
                            out.add(new Line(f.getFileName().toString(), line));
                        }
                        start = i + 1;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static byte[] json(Line line) {
        char[] escaped = JsonStringEncoder.getInstance().quoteAsString(line.text());
        return ("{\"device\":\"sensor-0042\",\"temp\":21.5,\"note\":\"" + new String(escaped) + "\",\"seq\":7}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a command-injection line carries a shell operator, substitution or newline. */
    static boolean hasShellOperator(String s) {
        String l = s.toLowerCase(java.util.Locale.ROOT);
        return l.indexOf(';') >= 0 || l.indexOf('|') >= 0 || l.indexOf('&') >= 0 || l.indexOf('`') >= 0
                || l.contains("$(") || l.indexOf('\n') >= 0 || l.contains("\\n") || l.contains("%0a");
    }

    static Verdict inspect(PayloadInspector inspector, byte[] payload) {
        return inspector.inspect(CONTEXT, ByteBuffer.wrap(payload));
    }

    /** @return per category, per form ("raw", "json"): the tally */
    static Map<String, Map<String, Tally>> attacks(PayloadInspector inspector) {
        Map<String, Map<String, Tally>> result = new TreeMap<>();
        Map<String, String> categories = Map.of("sqli", "sql_injection", "xss", "xss", "cmdi", "command_injection",
                "traversal", "path_traversal");
        for (Map.Entry<String, String> c : categories.entrySet()) {
            Map<String, Tally> forms = new TreeMap<>();
            for (String form : List.of("raw", "json")) {
                Tally t = new Tally();
                for (Line line : lines(corpusRoot().resolve("attack").resolve(c.getKey()))) {
                    byte[] payload = form.equals("raw") ? line.bytes() : json(line);
                    Verdict v = inspect(inspector, payload);
                    boolean hit = v.action() == Action.BLOCK;
                    t.total++;
                    if (hit) {
                        t.detected++;
                        if (v.findings().stream().anyMatch(f -> f.category().label().equals(c.getValue()))) {
                            t.sameCategory++;
                        }
                    } else {
                        t.misses.add(line.file() + ": " + line.text());
                    }
                    if (c.getKey().equals("cmdi") && hasShellOperator(line.text())) {
                        t.operatorTotal++;
                        if (hit) {
                            t.operatorDetected++;
                        }
                    }
                }
                forms.put(form, t);
            }
            result.put(c.getKey(), forms);
        }
        return result;
    }

    /** @return the benign lines (raw and JSON) that got any finding */
    static List<String> benignFindings(PayloadInspector inspector) {
        List<String> out = new ArrayList<>();
        for (Line line : lines(corpusRoot().resolve("benign"))) {
            for (byte[] payload : List.of(line.bytes(), json(line))) {
                Verdict v = inspect(inspector, payload);
                if (v.action() != Action.ALLOW) {
                    out.add(line.text() + " -> " + v.findings());
                }
            }
        }
        return out;
    }

    static int benignCount() {
        return lines(corpusRoot().resolve("benign")).size();
    }

    static void report(PayloadInspector inspector, PrintStream out, boolean listMisses) {
        Map<String, Map<String, Tally>> r = attacks(inspector);
        out.println("category   form  lines  blocked  rate     same-category  operator-lines  operator-blocked");
        for (Map.Entry<String, Map<String, Tally>> c : r.entrySet()) {
            for (Map.Entry<String, Tally> f : c.getValue().entrySet()) {
                Tally t = f.getValue();
                out.printf("%-10s %-5s %5d  %7d  %6.2f%%  %13d  %14s  %16s%n", c.getKey(), f.getKey(), t.total, t.detected,
                        100.0 * t.detected / t.total, t.sameCategory,
                        c.getKey().equals("cmdi") ? String.valueOf(t.operatorTotal) : "-",
                        c.getKey().equals("cmdi") ? String.format("%d (%.2f%%)", t.operatorDetected,
                                100.0 * t.operatorDetected / Math.max(1, t.operatorTotal)) : "-");
            }
        }
        List<String> fp = benignFindings(inspector);
        out.println("benign corpus: " + benignCount() + " lines x 2 forms, findings: " + fp.size());
        fp.forEach(l -> out.println("  FP " + l));
        if (listMisses) {
            for (Map.Entry<String, Map<String, Tally>> c : r.entrySet()) {
                for (Map.Entry<String, Tally> f : c.getValue().entrySet()) {
                    for (String m : f.getValue().misses) {
                        out.println("MISS " + c.getKey() + " " + f.getKey() + " " + m);
                    }
                }
            }
        }
    }

    public static void main(String[] args) {
        report(SignatureInspector.withDefaults(), System.out, args.length > 0);
    }
}
