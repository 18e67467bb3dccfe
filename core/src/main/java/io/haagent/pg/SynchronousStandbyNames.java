package io.haagent.pg;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders {@code synchronous_standby_names} as Patroni does (§4.9): one standby by its name, several as
 * {@code N (a,b,...)}, any standby as {@code *}, none as the empty string. Names are double-quoted only when
 * they are not plain identifiers (or are the keywords {@code first}/{@code any}).
 */
public final class SynchronousStandbyNames {
    public static final String ANY = "*";
    private static final Pattern PLAIN = Pattern.compile("^[A-Za-z_][A-Za-z_0-9$]*$");

    private SynchronousStandbyNames() {
    }

    /**
     * @param count how many of {@code names} must confirm a commit (synchronous_node_count)
     * @param names application names of the chosen standbys, in priority order
     */
    public static String render(int count, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        if (names.size() == 1 && ANY.equals(names.get(0))) {
            return ANY;
        }
        if (names.size() == 1) {
            return quote(names.get(0));
        }
        if (count < 1) {
            throw new IllegalArgumentException("synchronous standby count must be at least 1: " + count);
        }
        StringBuilder sb = new StringBuilder().append(count).append(" (");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(names.get(i)));
        }
        return sb.append(')').toString();
    }

    /**
     * Quorum commit (Patroni 4's {@code synchronous_mode: quorum}): {@code ANY count (a,b,...)}, names sorted; with
     * no names, {@code *} when at least one must confirm (as Patroni), else the empty string.
     */
    public static String renderAny(int count, java.util.Collection<String> names) {
        if (names.isEmpty()) {
            return count >= 1 ? ANY : "";
        }
        if (count < 1) {
            // nothing waits: Patroni writes ANY 0 (...) only transiently; no list is what it means
            return "";
        }
        List<String> sorted = new java.util.ArrayList<>(names);
        sorted.sort(String.CASE_INSENSITIVE_ORDER);
        StringBuilder sb = new StringBuilder("ANY ").append(count).append(" (");
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(sorted.get(i)));
        }
        return sb.append(')').toString();
    }

    /** A standby name as it must appear in the setting. */
    public static String quote(String name) {
        if (ANY.equals(name)) {
            return name;
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (PLAIN.matcher(name).matches() && !lower.equals("first") && !lower.equals("any")) {
            return name;
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
