package io.haagent.pg.files;

import io.haagent.pg.EffectiveParameters;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code postgresql.auto.conf} (written by {@code ALTER SYSTEM}, by {@code pg_basebackup -R} and by
 * {@code pg_rewind}) is read after {@code postgresql.conf}, so recovery settings left in it would override the
 * ones the agent wants (e.g. a stale {@code primary_conninfo} pointing at a former primary). They are removed.
 */
public final class AutoConf {
    private AutoConf() {
    }

    /** The content without recovery settings, or empty when there was none to remove. Pure. */
    public static Optional<String> stripRecoverySettings(String content) {
        StringBuilder sb = new StringBuilder();
        boolean changed = false;
        for (String line : content.split("\n", -1)) {
            String name = parameterName(line);
            if (name != null && EffectiveParameters.RECOVERY_PARAMETERS.contains(name)) {
                changed = true;
                continue;
            }
            sb.append(line).append('\n');
        }
        if (!changed) {
            return Optional.empty();
        }
        String out = sb.toString();
        if (!content.endsWith("\n")) {
            out = out.substring(0, out.length() - 1);
        }
        // split with -1 adds an empty last element for a trailing newline; it was re-appended above
        if (content.endsWith("\n") && out.endsWith("\n\n")) {
            out = out.substring(0, out.length() - 1);
        }
        return Optional.of(out);
    }

    private static String parameterName(String line) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return null;
        }
        int end = 0;
        while (end < t.length() && (Character.isLetterOrDigit(t.charAt(end)) || t.charAt(end) == '_'
                || t.charAt(end) == '.')) {
            end++;
        }
        return end == 0 ? null : t.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
