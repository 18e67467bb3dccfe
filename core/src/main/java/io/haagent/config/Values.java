package io.haagent.config;

import io.haagent.cluster.Tags;
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

    /** Patroni's boolean words; anything else is {@code null}. */
    public static Boolean toBool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on": case "true": case "yes": case "1": case "y":
                    return true;
                case "off": case "false": case "no": case "0": case "n":
                    return false;
                default:
                    return null;
            }
        }
        return null;
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

    public static boolean truthy(Object v) {
        return Tags.truthy(v);
    }
}
