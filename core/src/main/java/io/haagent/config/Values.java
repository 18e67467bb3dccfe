package io.haagent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Lenient readers for values that come from YAML, JSON or environment variables, as Patroni reads them:
 * integers may be strings, booleans may be on/off/yes/no. A value that cannot be read reports a warning
 * through the given sink and yields the default, so one bad value in etcd never stops the HA loop.
 */
public final class Values {
    private Values() {
    }

    public static Integer toInt(Object v) {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                return (int) d;
            }
            return null;
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                try {
                    double d = Double.parseDouble(s.trim());
                    return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE ? (int) d : null;
                } catch (NumberFormatException e2) {
                    return null;
                }
            }
        }
        return null;
    }

    public static Long toLong(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) ? n.longValue() : null;
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Patroni's {@code parse_bool} (patroni/utils.py, the same at v3.0.2 and v4.1.4): the value's text, lowercased,
     * is {@code on}, {@code true}, {@code yes} or {@code 1} (true) or {@code off}, {@code false}, {@code no} or
     * {@code 0} (false); anything else, {@code 2}, {@code y} or {@code 1.0} included, is {@code null}.
     */
    public static Boolean toBool(Object v) {
        if (v == null) {
            return null;
        }
        switch (v.toString().toLowerCase(java.util.Locale.ROOT)) {
            case "on": case "true": case "yes": case "1":
                return true;
            case "off": case "false": case "no": case "0":
                return false;
            default:
                return null;
        }
    }

    public static int intOr(Map<String, ?> m, String key, int dflt, String path, Consumer<String> warn) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        Integer i = toInt(v);
        if (i == null) {
            warn.accept(path + key + ": '" + v + "' is not an integer; using the default " + dflt);
            return dflt;
        }
        return i;
    }

    public static long longOr(Map<String, ?> m, String key, long dflt, String path, Consumer<String> warn) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        Long i = toLong(v);
        if (i == null) {
            warn.accept(path + key + ": '" + v + "' is not an integer; using the default " + dflt);
            return dflt;
        }
        return i;
    }

    public static boolean boolOr(Map<String, ?> m, String key, boolean dflt, String path, Consumer<String> warn) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        Boolean b = toBool(v);
        if (b == null) {
            warn.accept(path + key + ": '" + v + "' is not a boolean; using the default " + dflt);
            return dflt;
        }
        return b;
    }

    public static String str(Map<String, ?> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), val));
            return out;
        }
        return null;
    }

    public static List<String> stringList(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (o != null) {
                    out.add(o.toString());
                }
            }
            return out;
        }
        return List.of(v.toString());
    }

    /** The one truthiness of configuration values and tags: Patroni's {@code parse_bool(v) or False}. */
    public static boolean truthy(Object v) {
        return Boolean.TRUE.equals(toBool(v));
    }
}
