package io.mqttsentinel.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table: columns padded to their widest cell, two spaces apart, numbers right-aligned, each line
 * indented by two spaces. Cells contain no line breaks; the last column is not padded.
 */
final class TextTable {
    private final boolean[] numeric;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param header the column names; a name starting with {@code #} marks a right-aligned (numeric) column and
     *               is printed without the {@code #}
     */
    TextTable(String... header) {
        numeric = new boolean[header.length];
        String[] h = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            numeric[i] = header[i].startsWith("#");
            h[i] = numeric[i] ? header[i].substring(1) : header[i];
        }
        rows.add(h);
    }

    /**
     * @param cells one cell per column; a {@code long} or {@code int} is written with thousands separators
     * @return this table
     */
    TextTable row(Object... cells) {
        if (cells.length != numeric.length) {
            throw new IllegalArgumentException("expected " + numeric.length + " cells, got " + cells.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = format(cells[i]);
        }
        rows.add(r);
        return this;
    }

    /** @return the table, one line per row, each ending with a line break */
    String render() {
        int[] width = new int[numeric.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                boolean last = i == r.length - 1;
                String pad = " ".repeat(width[i] - r[i].length());
                line.append(numeric[i] ? pad + r[i] : last ? r[i] : r[i] + pad);
                if (!last) {
                    line.append("  ");
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /**
     * @param value a number or text
     * @return a count with thousands separators, or the text
     */
    static String format(Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return String.valueOf(value);
    }
}
