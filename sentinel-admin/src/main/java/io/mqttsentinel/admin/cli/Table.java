package io.mqttsentinel.admin.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header, columns as wide as their widest cell (long cells cut with "..."). */
final class Table {
    private static final int MAX_CELL = 48;

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        this.columns = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            String s = i < cells.length && cells[i] != null ? String.valueOf(cells[i]) : "";
            s = s.replaceAll("\\p{Cntrl}", "?"); // a device's topic or id must not move the operator's cursor
            r[i] = s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s;
        }
        rows.add(r);
        return this;
    }

    int size() {
        return rows.size() - 1;
    }

    void print(PrintWriter out) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                b.append(r[i]);
                if (i < columns - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
