package io.haagent.text;

/**
 * Text from outside (etcd keys and values, REST request fields) made safe to print on one line of a log, a message
 * or a terminal: control characters become escapes ({@code \n}, {@code \r}, {@code \t}, {@code \0}, {@code \x1b},
 * {@code \u2028}), a backslash is doubled so an escape cannot be forged, and long text is clipped with the number
 * of characters left out. Nothing read from etcd can forge a log line (a member name holding
 * {@code "\n... ERROR ..."}) or reach a terminal as an escape sequence.
 */
public final class SafeText {
    /** Longest text printed whole by {@link #of(String)}; longer text is clipped. */
    public static final int DEFAULT_LIMIT = 200;

    private SafeText() {
    }

    /** {@code s} escaped and clipped to {@link #DEFAULT_LIMIT} characters; {@code null} prints as {@code null}. */
    public static String of(String s) {
        return of(s, DEFAULT_LIMIT);
    }

    /** {@code s} escaped and clipped to {@code limit} characters of the original. */
    public static String of(String s, int limit) {
        if (s == null) {
            return "null";
        }
        if (!needsWork(s, limit)) {
            return s;
        }
        int end = Math.min(s.length(), limit);
        StringBuilder b = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            append(b, s.charAt(i));
        }
        if (end < s.length()) {
            b.append("...(").append(s.length() - end).append(" more characters)");
        }
        return b.toString();
    }

    /** {@code s} escaped, never clipped (for text that is already bounded, such as a whole log message). */
    public static String escape(String s) {
        return of(s, Integer.MAX_VALUE);
    }

    /**
     * Only the control characters of {@code s} escaped, backslashes left as they are: for a whole log record, whose
     * parts may already have been escaped by {@link #of} (a second pass would double their backslashes). A
     * backslash cannot start a new line, so the record stays one line either way.
     */
    public static String controls(String s) {
        if (s == null) {
            return "null";
        }
        int i = 0;
        while (i < s.length() && !isControl(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (isControl(ch)) {
                append(b, ch);
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static boolean needsWork(String s, int limit) {
        if (s.length() > limit) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' || isControl(ch)) {
                return true;
            }
        }
        return false;
    }

    /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
    public static boolean isControl(char ch) {
        return ch < 0x20 || ch == 0x7f || ch >= 0x80 && ch < 0xa0 || ch == '\u2028' || ch == '\u2029';
    }

    private static void append(StringBuilder b, char ch) {
        switch (ch) {
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case '\0' -> b.append("\\0");
            default -> {
                if (isControl(ch)) {
                    b.append(ch < 0x100 ? String.format("\\x%02x", (int) ch) : String.format("\\u%04x", (int) ch));
                } else {
                    b.append(ch);
                }
            }
        }
    }
}
