package io.haagent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers with PostgreSQL-style units, as Patroni reads {@code ?lag=16MB} and the restart {@code timeout}: an
 * integer (decimal, {@code 0x} hex or leading-zero octal, as C's {@code strtol}) or a decimal fraction, followed
 * by an optional unit. Memory units ({@code B kB MB GB TB}, factor 1024) and time units
 * ({@code us ms s min h d}) are case-sensitive. A unit of the wrong kind, or garbage, gives {@code null}.
 */
public final class Units {
    private static final Pattern INTEGER = Pattern.compile("^\\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)");
    private static final Pattern DECIMAL = Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** Multipliers to the smallest unit of each kind, largest unit first. */
    private static final Map<String, Double> MEMORY = ordered("TB", 1024d * 1024 * 1024 * 1024, "GB", 1024d * 1024 * 1024,
            "MB", 1024d * 1024, "kB", 1024d, "B", 1d);
    private static final Map<String, Double> TIME = ordered("d", 86_400_000_000d, "h", 3_600_000_000d,
            "min", 60_000_000d, "s", 1_000_000d, "ms", 1_000d, "us", 1d);

    private Units() {
    }

    /**
     * Parses {@code value} into an integer count of {@code baseUnit} ({@code B} or {@code s}), rounding like
     * Patroni (to the next smaller unit, then to an integer), or null when it cannot.
     */
    public static Long parseInt(String value, String baseUnit) {
        if (value == null) {
            return null;
        }
        double number;
        String unit;
        Matcher m = INTEGER.matcher(value);
        String rest = m.find() ? value.substring(m.end()) : null;
        if (rest != null && !(rest.startsWith(".") || rest.startsWith("e") || rest.startsWith("E"))) {
            try {
                number = strtol(m.group(1), m.group(2));
            } catch (NumberFormatException e) {
                return null;
            }
            unit = rest.trim();
        } else {
            Matcher d = DECIMAL.matcher(value);
            if (!d.find()) {
                return null;
            }
            try {
                number = Double.parseDouble(value.substring(0, d.end()).trim());
            } catch (NumberFormatException e) {
                return null;
            }
            unit = value.substring(d.end()).trim();
        }
        if (unit.isEmpty()) {
            return Math.round(Math.rint(number));
        }
        Double converted = toBase(number, unit, baseUnit);
        return converted == null ? null : (long) Math.rint(converted);
    }

    private static double strtol(String sign, String digits) {
        long v;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            v = Long.parseLong(digits.substring(2), 16);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            v = Long.parseLong(digits.substring(1), 8);
        } else {
            v = Long.parseLong(digits);
        }
        return "-".equals(sign) ? -v : v;
    }

    private static Double toBase(double value, String unit, String baseUnit) {
        Map<String, Double> table = MEMORY.containsKey(baseUnit) ? MEMORY : TIME.containsKey(baseUnit) ? TIME : null;
        if (table == null || !table.containsKey(unit)) {
            return null;
        }
        double inBase = value * table.get(unit) / table.get(baseUnit);
        // Patroni rounds a fractional value to a whole number of the next smaller unit (1.5MB -> 1536kB).
        String smaller = null;
        boolean next = false;
        for (String u : table.keySet()) {
            if (next) {
                smaller = u;
                break;
            }
            next = u.equals(unit);
        }
        if (smaller != null) {
            double step = table.get(smaller) / table.get(baseUnit);
            inBase = Math.rint(inBase / step) * step;
        }
        return inBase;
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }
}
