package io.haagent.ctl.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * patronictl's {@code print_output}: one set of columns and rows printed as a pretty table, tab-separated values,
 * JSON or YAML. In JSON and YAML each row is an object keyed by column name; when the table has a title (member
 * lists) empty cells are left out, as patronictl does. Cell values stay typed (numbers stay numbers in JSON).
 */
public final class Rows {
    private final List<String> columns;
    private final List<List<Object>> rows;
    private final Map<String, Table.Align> align = new LinkedHashMap<>();
    private String title;
    private int skipInPretty;

    public Rows(List<String> columns) {
        this.columns = List.copyOf(columns);
        this.rows = new ArrayList<>();
    }

    public Rows align(String column, Table.Align a) {
        align.put(column, a);
        return this;
    }

    /** The title written into the top border of the pretty table; also makes JSON/YAML omit empty cells. */
    public Rows title(String t) {
        title = t;
        return this;
    }

    /** Leading columns the pretty table leaves out (the cluster name, which the title already shows). */
    public Rows skipInPretty(int n) {
        skipInPretty = n;
        return this;
    }

    public Rows add(List<Object> row) {
        rows.add(new ArrayList<>(row));
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public List<List<Object>> rows() {
        return rows;
    }

    /**
     * @param painter colours a padded pretty cell (column, text) → text; null for none
     * @return the text to print, without a trailing newline
     */
    public String render(Format format, String delimiter, BiFunction<String, String, String> painter) {
        switch (format) {
            case JSON:
                return PyText.dumps(objects());
            case YAML:
                return YamlText.dump(objects()).stripTrailing();
            case TSV: {
                StringBuilder b = new StringBuilder(String.join(delimiter, columns));
                for (List<Object> r : rows) {
                    b.append('\n');
                    List<String> cells = new ArrayList<>();
                    for (Object o : r) {
                        cells.add(cell(o));
                    }
                    b.append(String.join(delimiter, cells));
                }
                return b.toString();
            }
            default: {
                List<String> cols = columns.subList(Math.min(skipInPretty, columns.size()), columns.size());
                List<List<String>> cells = new ArrayList<>();
                for (List<Object> r : rows) {
                    List<String> c = new ArrayList<>();
                    for (int i = skipInPretty; i < r.size(); i++) {
                        c.add(cell(r.get(i)));
                    }
                    cells.add(c);
                }
                return Table.render(title, cols, cells, align, painter);
            }
        }
    }

    private List<Object> objects() {
        List<Object> out = new ArrayList<>();
        for (List<Object> r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            for (int i = 0; i < columns.size() && i < r.size(); i++) {
                Object v = r.get(i);
                if (title != null && cell(v).isEmpty()) {
                    continue;
                }
                o.put(columns.get(i), v);
            }
            out.add(o);
        }
        return out;
    }

    /** A cell as text: empty for null, Python's {@code str()} otherwise. */
    static String cell(Object v) {
        return v == null ? "" : PyText.str(v);
    }
}
