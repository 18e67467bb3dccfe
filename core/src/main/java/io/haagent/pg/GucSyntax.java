package io.haagent.pg;

import io.haagent.text.SafeText;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What PostgreSQL's configuration-file scanner accepts ({@code src/backend/utils/misc/guc-file.l}), for the lines
 * the agent writes into {@code postgresql.conf}: {@code name = 'value'}.
 *
 * <ul>
 * <li>A name is {@code ID} or {@code QUALIFIED_ID}: a letter or {@code _}, then letters, digits or {@code _}, with
 * at most one {@code .} between two such parts ({@code auto_explain.log_min_duration}). The scanner also takes
 * bytes above 127 as letters; no parameter has such a name, so they are refused here.</li>
 * <li>{@code include}, {@code include_dir} and {@code include_if_exists} are directives, not parameters: as names
 * they would make the server read another file.</li>
 * <li>A value is written as a quoted {@code STRING}, {@code '([^'\\\n]|\\.|'')*'}, with {@code '} and
 * {@code \} doubled. A line feed cannot be inside it, so no value may hold one; a NUL would cut the C string short,
 * and the other control characters have no use in a setting, so every control character but the tab is
 * refused. Patroni (postgresql/config.py, {@code ConfigWriter.escape}) doubles quotes and backslashes but lets a
 * line feed through, which ends the line and lets the rest of the value be read as a new setting.</li>
 * </ul>
 */
public final class GucSyntax {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final Set<String> DIRECTIVES = Set.of("include", "include_dir", "include_if_exists");
    /** Longer names are not parameters (NAMEDATALEN is 64); refusing them keeps messages short. */
    private static final int MAX_NAME = 63;

    private GucSyntax() {
    }

    /** Why {@code name} cannot be written as a parameter name, or null when it can. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "a parameter name cannot be empty";
        }
        int c = firstControl(name, false);
        if (c >= 0) {
            return "the parameter name holds a control character (" + describe(name.charAt(c)) + ")";
        }
        if (name.length() > MAX_NAME) {
            return "not a parameter name: longer than " + MAX_NAME + " characters";
        }
        if (DIRECTIVES.contains(name.toLowerCase(Locale.ROOT))) {
            return "'" + name + "' is a directive of postgresql.conf (it reads another file), not a parameter";
        }
        if (!NAME.matcher(name).matches()) {
            return "not a valid parameter name: a letter or _, then letters, digits or _, with at most one '.'"
                    + " (PostgreSQL's configuration file syntax)";
        }
        return null;
    }

    /** Why {@code value} cannot be written as a quoted value, or null when it can. */
    public static String valueProblem(String value) {
        if (value == null) {
            return null;
        }
        int c = firstControl(value, true);
        if (c >= 0) {
            return "the value holds a control character (" + describe(value.charAt(c)) + " at position " + c
                    + "): postgresql.conf cannot carry it";
        }
        return null;
    }

    /** {@code 'value'} with {@code '} and {@code \} doubled; refuses what {@link #valueProblem} refuses. */
    public static String quote(String value) {
        String problem = valueProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The index of the first control character (C0, DEL, or a line or paragraph separator), or -1. */
    public static int firstControl(String s, boolean tabAllowed) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\t' && tabAllowed) {
                continue;
            }
            if (SafeText.isControl(ch)) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(char ch) {
        switch (ch) {
            case '\n':
                return "a line feed";
            case '\r':
                return "a carriage return";
            case '\0':
                return "a NUL";
            case '\t':
                return "a tab";
            default:
                return String.format("U+%04X", (int) ch);
        }
    }
}
