package io.haagent.ctl.output;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Values printed as patronictl prints them: {@code str()} for table cells and {@code json.dumps()} (default
 * separators, non-ASCII escaped) for {@code --format json}, so scripts written against patronictl read our output.
 */
public final class PyText {
    private PyText() {
    }

    /** Python's {@code str()} of a JSON-like value: None, True/False, integers, floats with a decimal point. */
    public static String str(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double || v instanceof Float) {
            return floatText(((Number) v).doubleValue());
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            return dumps(v);
        }
        return v.toString();
    }

    /** {@code json.dumps(v)}: {@code ", "} and {@code ": "} separators, keys in the map's order, ASCII only. */
    public static String dumps(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            b.append(floatText(((Number) v).doubleValue()));
        } else if (v instanceof Number n) {
            b.append(n);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue());
                if (it.hasNext()) {
                    b.append(", ");
                }
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                write(b, l.get(i));
            }
            b.append(']');
        } else {
            string(b, v.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Python's repr of a float: shortest round-trip digits, always with a decimal point. */
    static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return new BigDecimal(d).toPlainString() + ".0";
        }
        return Double.toString(d);
    }
}
