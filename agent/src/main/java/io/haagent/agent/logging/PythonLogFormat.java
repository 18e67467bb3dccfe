package io.haagent.agent.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Patroni's {@code log.format} and {@code log.dateformat} (Python {@code logging} and {@code strftime}) in
 * logback's terms, so a node's log reads like Patroni's: {@code 2026-01-01 12:00:00,123 INFO: message}.
 */
public final class PythonLogFormat {
    /** {@code %(name)-8s}: field, flags, width, conversion. */
    private static final Pattern FIELD = Pattern.compile("%\\((\\w+)\\)([-#0 +]*)(\\d*)(?:\\.\\d+)?([sdfrxXeEgG])");
    /** Python's default asctime: local time with milliseconds after a comma. */
    static final String DEFAULT_ASCTIME = "yyyy-MM-dd HH:mm:ss,SSS";
    /** The conversion word of {@link SafeMessageConverter}, registered by {@link LogSetup}. */
    static final String SAFE_MESSAGE = "safemsg";

    private PythonLogFormat() {
    }

    /** The field names a Python format string uses, in order (the fields of a json log line). */
    public static List<String> fields(String format) {
        List<String> out = new ArrayList<>();
        Matcher m = FIELD.matcher(format);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * A logback pattern for a Python format string. Levels print as Python names (WARNING, not WARN); unknown
     * fields print nothing. The line ends with a newline; exceptions follow unless {@code withTraceback} is false.
     */
    public static String toLogback(String format, String dateformat, boolean withTraceback) {
        StringBuilder out = new StringBuilder();
        Matcher m = FIELD.matcher(format);
        int at = 0;
        while (m.find()) {
            literal(format.substring(at, m.start()), out);
            String converter = converter(m.group(1), dateformat);
            String width = m.group(3);
            if (!width.isEmpty() && !converter.isEmpty()) {
                out.append('%').append(m.group(2).contains("-") ? "-" : "").append(width).append('(')
                        .append(converter).append(')');
            } else {
                out.append(converter);
            }
            at = m.end();
        }
        literal(format.substring(at), out);
        out.append(withTraceback ? "%n" : "%n%nopex");
        return out.toString();
    }

    private static String converter(String field, String dateformat) {
        switch (field) {
            case "asctime":
                return "%d{\"" + (dateformat == null ? DEFAULT_ASCTIME : javaDate(dateformat)) + "\"}";
            case "levelname":
                return "%replace(%level){'^WARN$', 'WARNING'}";
            case "levelno":
                return "%level";
            case "message":
                return "%" + SAFE_MESSAGE; // escaped: see SafeMessageConverter
            case "name":
                return "%logger";
            case "threadName":
            case "thread":
                return "%thread";
            case "process":
                return "%property{PID}";
            case "module":
            case "filename":
            case "pathname":
                return "%file";
            case "funcName":
                return "%method";
            case "lineno":
                return "%line";
            case "msecs":
                return "%d{SSS}";
            case "created":
                return "%d{UNIX_MILLIS}";
            case "relativeCreated":
                return "%relative";
            default:
                return "";
        }
    }

    /** Literal text: %% is a percent sign; logback's special characters are escaped. */
    private static void literal(String text, StringBuilder out) {
        String t = text.replace("%%", "\u0000");
        for (char c : t.toCharArray()) {
            if (c == '\u0000') {
                out.append("\\%");
            } else if (c == '%' || c == '(' || c == ')' || c == '\\' || c == '{' || c == '}') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
    }

    /** A strftime pattern as a java.text.SimpleDateFormat pattern (what logback's %d takes). */
    public static String javaDate(String strftime) {
        StringBuilder out = new StringBuilder();
        StringBuilder quoted = new StringBuilder();
        for (int i = 0; i < strftime.length(); i++) {
            char c = strftime.charAt(i);
            if (c == '%' && i + 1 < strftime.length()) {
                String j = directive(strftime.charAt(++i));
                if (j != null) {
                    flush(quoted, out);
                    out.append(j);
                    continue;
                }
                quoted.append(strftime.charAt(i));
            } else if (Character.isLetter(c) || c == '\'' || c == '"') {
                quoted.append(c);
            } else {
                flush(quoted, out);
                out.append(c);
            }
        }
        flush(quoted, out);
        return out.toString();
    }

    private static void flush(StringBuilder quoted, StringBuilder out) {
        if (quoted.length() > 0) {
            out.append('\'').append(quoted.toString().replace("'", "''").replace("\"", "")).append('\'');
            quoted.setLength(0);
        }
    }

    private static String directive(char d) {
        switch (d) {
            case 'Y': return "yyyy";
            case 'y': return "yy";
            case 'm': return "MM";
            case 'd': return "dd";
            case 'H': return "HH";
            case 'I': return "hh";
            case 'M': return "mm";
            case 'S': return "ss";
            case 'f': return "SSS";
            case 'p': return "a";
            case 'b': return "MMM";
            case 'B': return "MMMM";
            case 'a': return "EEE";
            case 'A': return "EEEE";
            case 'j': return "DDD";
            case 'z': return "Z";
            case 'Z': return "z";
            case '%': return "%";
            default: return null;
        }
    }
}
