package io.haagent.config;

import io.haagent.pg.GucSyntax;
import io.haagent.text.NearestWord;
import io.haagent.text.SafeText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value checks {@link DynamicConfigRules} applies key by key (integers and their ranges, booleans as Patroni reads
 * them, text without control characters, mappings, sizes) and the problems they collect, with the messages' way of
 * showing a value.
 */
abstract class ConfigValueChecks {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d{1,15})\\s*(kB|MB|GB|TB)?\\s*");

    final List<ConfigProblem> problems = new ArrayList<>();

    // ------------------------------------------------------------------------------------------------ values

    void unknown(String parent, String k, List<String> known) {
        String near = NearestWord.nearest(k, known, 3);
        String path = parent + key(k);
        String top = parent.isEmpty() && RestrictedGucs.isRestricted(k)
                ? "; did you mean postgresql.parameters." + k + "?" : "";
        error(path, "unknown key" + (near != null ? "; did you mean " + parent + near + "?" : top.isEmpty()
                ? "; the keys known here are " + String.join(", ", known) : top));
    }

    /**
     * {@code ttl} and {@code retry_timeout}: a positive integer below Patroni's minimum is stored, and the nodes run
     * with the minimum, as Patroni's {@code __get_and_maybe_adjust_int_value} adjusts it (a warning says so):
     * Patroni's own tools and scenarios write {@code ttl: 10}. Zero, negatives and what is no integer are refused.
     */
    void timing(String path, Object v, long patroniMin) {
        Long n = integerValue(v);
        if (n != null && n >= 1 && n < patroniMin) {
            warning(path, n + " is below Patroni's minimum " + patroniMin + ": the nodes run with " + patroniMin
                    + ", as Patroni adjusts it; set " + patroniMin + " or more to make this warning go");
        } else {
            integer(path, v, patroniMin, DynamicConfigRules.MAX_SECONDS, "seconds");
        }
    }

    void integer(String path, Object v, long min, long max, String unit) {
        Long n = integerValue(v);
        if (n == null || n < min || n > max) {
            String range = max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "of at least " + min
                    : "from " + min + " to " + max;
            error(path, "must be an integer " + range + (unit == null ? "" : " (" + unit + ")") + ", not "
                    + shown(v));
        }
    }

    /**
     * An integer as Patroni reads one ({@code int(value)}): a JSON integer, a whole number, or a string holding
     * digits; null otherwise (booleans, fractions, "30s", out of the long range).
     */
    static Long integerValue(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? b.longValue() : null;
        }
        if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d : null;
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

    void bool(String path, Object v) {
        if (boolValue(v) == null) {
            error(path, "must be true or false, not " + shown(v));
        }
    }

    /** A JSON boolean, 0 or 1, or Patroni's words (on/off, true/false, yes/no); null otherwise. */
    static Boolean boolValue(Object v) {
        if (v instanceof Number) {
            Long n = integerValue(v);
            return n == null || n < 0 || n > 1 ? null : n == 1;
        }
        return Values.toBool(v);
    }

    /** A string without control characters (a tab only where allowed); reports and returns false otherwise. */
    boolean text(String path, Object v, boolean tabAllowed) {
        if (!(v instanceof String s)) {
            error(path, "must be a string, not " + kind(v) + (v instanceof Number || v instanceof Boolean
                    ? " " + shown(v) : ""));
            return false;
        }
        int c = GucSyntax.firstControl(s, tabAllowed);
        if (c >= 0) {
            error(path, "holds a control character at position " + c);
            return false;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> mapping(String path, Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<Object, Object>) m).forEach((k, val) -> out.put(String.valueOf(k), val));
            return out;
        }
        error(path, "must be a mapping, not " + kind(v));
        return null;
    }

    static Long megabytes(String text) {
        Matcher mt = SIZE.matcher(text);
        if (!mt.matches()) {
            return null;
        }
        long n = Long.parseLong(mt.group(1));
        String unit = mt.group(2) == null ? "MB" : mt.group(2);
        return switch (unit) {
            case "kB" -> n / 1024;
            case "GB" -> n * 1024;
            case "TB" -> n * 1024 * 1024;
            default -> n;
        };
    }

    static String key(String k) {
        return SafeText.of(k, 80);
    }

    /** A value for a message: strings quoted, escaped and clipped; containers by kind only. */
    static String shown(Object v) {
        if (v instanceof String s) {
            return "'" + SafeText.of(s, 60) + "'";
        }
        if (v instanceof Map || v instanceof List || v == null) {
            return kind(v);
        }
        return SafeText.of(String.valueOf(v), 60);
    }

    static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        return "a string";
    }

    void error(String path, String reason) {
        problems.add(ConfigProblem.error(path, reason));
    }

    void warning(String path, String reason) {
        problems.add(ConfigProblem.warning(path, reason));
    }
}
