package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Map;

/**
 * JSON exactly as Patroni writes it: Python's {@code json.dumps(value, separators=(',', ':'))}. Compact
 * separators, maps in their iteration order (give it a {@code LinkedHashMap}), {@code ensure_ascii}: every
 * character outside printable ASCII as a lowercase {@code \\uXXXX} escape (astral characters as surrogate
 * pairs), floats in Python's {@code repr} form ({@code 1.0}, {@code 1e+16}, {@code 1.5e-05}).
 *
 * <p>Reading is Jackson with Python's leniencies that matter here ({@code NaN}/{@code Infinity} accepted) and
 * its strictness (trailing data after the value is an error, as {@code json.loads} reports "Extra data").
 */
public final class PythonJson {
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PythonJson() {
    }

    /** Parses one JSON value: maps as {@code LinkedHashMap}, lists, strings, numbers, booleans, null. */
    public static Object parse(String text) throws JsonProcessingException {
        return READER.readValue(text, Object.class);
    }

    /** {@code json.dumps(value, separators=(',', ':'))}: what Patroni writes to etcd. */
    public static String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, ",", ":");
        return sb.toString();
    }

    /** {@code json.dumps(value)} with Python's default separators {@code ', '} and {@code ': '} (log lines). */
    public static String dumpsSpaced(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, ", ", ": ");
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, String itemSep, String keySep) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof CharSequence s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            sb.append(floatRepr(((Number) v).doubleValue()));
        } else if (v instanceof BigDecimal d) {
            sb.append(floatRepr(d.doubleValue()));
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(itemSep);
                }
                first = false;
                string(sb, key(e.getKey()));
                sb.append(keySep);
                write(sb, e.getValue(), itemSep, keySep);
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    sb.append(itemSep);
                }
                first = false;
                write(sb, o, itemSep, keySep);
            }
            sb.append(']');
        } else if (v instanceof Object[] a) {
            write(sb, java.util.Arrays.asList(a), itemSep, keySep);
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
    }

    /** Python converts non-string keys: numbers to their text, booleans to true/false, None to null. */
    private static String key(Object k) {
        if (k == null) {
            return "null";
        }
        if (k instanceof CharSequence s) {
            return s.toString();
        }
        if (k instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (k instanceof Double || k instanceof Float) {
            return floatRepr(((Number) k).doubleValue());
        }
        if (k instanceof Number) {
            return k.toString();
        }
        throw new IllegalArgumentException("JSON object keys must be strings, not " + k.getClass().getName());
    }

    private static void string(StringBuilder sb, CharSequence s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    // ensure_ascii: only ' ' .. '~' pass through (DEL and everything above are escaped)
                    if (c < 0x20 || c > 0x7e) {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest digit string that reads back as the same double, in fixed
     * notation when the decimal point position is within (-4, 16], else {@code d.ddde±XX}.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        String sign = d < 0 ? "-" : "";
        BigDecimal exact = new BigDecimal(Math.abs(d));
        BigDecimal shortest = null;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal r = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == Math.abs(d)) {
                shortest = r;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        // value = 0.<digits> * 10^decpt
        int decpt = digits.length() - shortest.scale();
        StringBuilder sb = new StringBuilder(sign);
        if (decpt <= -4 || decpt > 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        } else if (decpt <= 0) {
            sb.append("0.");
            sb.append("0".repeat(-decpt));
            sb.append(digits);
        } else if (decpt < digits.length()) {
            sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        } else {
            sb.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        }
        return sb.toString();
    }
}
