package io.haagent.pg;

import java.util.Locale;

/**
 * Replication slot names derived from member names exactly as Patroni derives them (§4.8), so a slot made by
 * Patroni for a member is the slot we find and keep, and the reverse.
 */
public final class SlotNames {
    /** PostgreSQL's NAMEDATALEN - 1. */
    public static final int MAX_LENGTH = 63;

    private SlotNames() {
    }

    /**
     * Lowercase; {@code -} and {@code .} become {@code _}; any other character outside {@code [a-z0-9_]}
     * becomes {@code u} followed by its code point as (at least) 4 decimal digits; the result is cut to 63.
     * Lowercasing uses the root locale (a Turkish default locale must not change the name) and works on code
     * points, so characters outside the BMP count once.
     */
    public static String fromMemberName(String memberName) {
        String lower = memberName.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        lower.codePoints().forEach(cp -> {
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_') {
                sb.append((char) cp);
            } else if (cp == '-' || cp == '.') {
                sb.append('_');
            } else {
                sb.append('u').append(String.format(Locale.ROOT, "%04d", cp));
            }
        });
        return sb.length() > MAX_LENGTH ? sb.substring(0, MAX_LENGTH) : sb.toString();
    }
}
