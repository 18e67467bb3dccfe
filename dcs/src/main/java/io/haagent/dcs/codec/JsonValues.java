package io.haagent.dcs.codec;

import java.util.LinkedHashMap;
import java.util.Map;

/** Lenient reading of single JSON values, as Python's {@code int(...)} and {@code str(...)} would take them. */
final class JsonValues {
    private JsonValues() {
    }

    /** A JSON integer, an integral float, or a decimal string; null otherwise. */
    static Long toLong(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.bitLength() < 64 ? b.longValue() : null;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            // int(1.5) == 1 in Python: truncate finite floats
            return Double.isFinite(d) && Math.abs(d) < 9.2e18 ? (long) d : null;
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

    static Integer toInt(Object v) {
        Long l = toLong(v);
        return l == null || l > Integer.MAX_VALUE || l < Integer.MIN_VALUE ? null : l.intValue();
    }

    /** A string value, or the text of a scalar; null for null, maps and lists. */
    static String str(Object v) {
        if (v == null || v instanceof Map || v instanceof java.util.Collection) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return v.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<Object, Object>) m).forEach((k, val) -> out.put(String.valueOf(k), val));
            return out;
        }
        return null;
    }

    /**
     * Python's {@code bool()} of a JSON value, as Patroni reads {@code pending_restart}, {@code pause} and
     * {@code checkpoint_after_promote} in a member key (not {@code parse_bool}: a non-empty string is true).
     */
    static boolean pythonBool(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }
}
