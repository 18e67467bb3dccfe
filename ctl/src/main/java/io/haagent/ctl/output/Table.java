package io.haagent.ctl.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A table drawn as patronictl draws it (Python's PrettyTable with a title written into the top border):
 *
 * <pre>
 * + Cluster: batman (7312345678901234567) ---------+----+-----------+
 * | Member | Host            | Role    | State     | TL | Lag in MB |
 * +--------+-----------------+---------+-----------+----+-----------+
 * | pg1    | 127.0.0.11:5432 | Leader  | running   |  1 |           |
 * +--------+-----------------+---------+-----------+----+-----------+
 * </pre>
 *
 * Cells are left-aligned unless named in the alignment map; a cell with several lines makes every row end with a
 * rule (PrettyTable's {@code hrules=ALL}). An optional painter colours a cell after it is padded, so escape codes
 * never count towards the width.
 */
public final class Table {
    /** How a cell is aligned within its column. */
    public enum Align { LEFT, RIGHT }

    private Table() {
    }

    /**
     * @param title   written into the top border (may be null or empty)
     * @param painter (column, padded cell text) → text to print; identity when null
     */
    public static String render(String title, List<String> columns, List<List<String>> rows, Map<String, Align> align,
            BiFunction<String, String, String> painter) {
        int n = columns.size();
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            width[i] = widest(columns.get(i));
        }
        boolean multiline = false;
        for (List<String> r : rows) {
            for (int i = 0; i < n; i++) {
                String cell = i < r.size() ? r.get(i) : "";
                width[i] = Math.max(width[i], widest(cell));
                multiline |= cell.indexOf('\n') >= 0;
            }
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        StringBuilder out = new StringBuilder();
        out.append(withTitle(rule.toString(), title)).append('\n');
        appendRow(out, columns, columns, width, align, null);
        out.append(rule).append('\n');
        for (int k = 0; k < rows.size(); k++) {
            appendRow(out, columns, rows.get(k), width, align, painter);
            if (multiline && k < rows.size() - 1) {
                out.append(rule).append('\n');
            }
        }
        out.append(rule);
        return out.toString();
    }

    /** PrettyTable's border with the title: the first character, the title, then the border after it. */
    static String withTitle(String rule, String title) {
        if (title == null || title.isEmpty()) {
            return rule;
        }
        String t = title.length() > rule.length() - 2 ? title.substring(0, rule.length() - 2) : title;
        return rule.charAt(0) + t + rule.substring(1 + t.length());
    }

    private static void appendRow(StringBuilder out, List<String> columns, List<String> cells, int[] width,
            Map<String, Align> align, BiFunction<String, String, String> painter) {
        List<String[]> lines = new ArrayList<>();
        int height = 1;
        for (int i = 0; i < width.length; i++) {
            String cell = i < cells.size() && cells.get(i) != null ? cells.get(i) : "";
            String[] l = cell.split("\n", -1);
            lines.add(l);
            height = Math.max(height, l.length);
        }
        for (int h = 0; h < height; h++) {
            out.append('|');
            for (int i = 0; i < width.length; i++) {
                String[] l = lines.get(i);
                String text = h < l.length ? l[h] : "";
                String col = columns.get(i);
                boolean right = align != null && align.get(col) == Align.RIGHT;
                String pad = " ".repeat(width[i] - text.length());
                String padded = right ? pad + text : text + pad;
                if (painter != null && !text.isEmpty()) {
                    padded = painter.apply(col, padded);
                }
                out.append(' ').append(padded).append(" |");
            }
            out.append('\n');
        }
    }

    private static int widest(String s) {
        int w = 0;
        for (String l : (s == null ? "" : s).split("\n", -1)) {
            w = Math.max(w, l.length());
        }
        return w;
    }
}
