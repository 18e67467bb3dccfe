package io.haagent.pg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libpq key/value connection strings as Patroni writes them (§4.4): keys in a fixed order, values with
 * {@code '}, {@code \} and space escaped by a backslash. Also a parser for what PostgreSQL shows back
 * ({@code pg_stat_wal_receiver.conninfo}, {@code primary_conninfo}), which may quote values.
 */
public final class Conninfo {
    /** Patroni's key order; {@code passfile} and {@code password} share a position. */
    public static final List<String> KEY_ORDER = List.of("dbname", "user", "passfile", "password", "host", "port",
            "sslmode", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir",
            "application_name", "krbsrvname", "gssencmode", "channel_binding", "target_session_attrs");

    private Conninfo() {
    }

    /**
     * Renders the known keys of {@code params} in {@link #KEY_ORDER}; null values are left out, and
     * {@code password} is left out whenever {@code passfile} is given (the password is in that file).
     * Keys that libpq would not know are refused, so a typo cannot silently drop a setting.
     */
    public static String build(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!KEY_ORDER.contains(k)) {
                throw new IllegalArgumentException("unknown connection parameter '" + k + "' (known: " + KEY_ORDER + ")");
            }
        }
        boolean hasPassfile = params.get("passfile") != null;
        StringBuilder sb = new StringBuilder();
        for (String k : KEY_ORDER) {
            String v = params.get(k);
            if (v == null || (k.equals("password") && hasPassfile)) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k).append('=').append(escape(v));
        }
        return sb.toString();
    }

    /** Backslash before {@code '}, {@code \} and space; an empty value becomes {@code ''}. */
    public static String escape(String value) {
        if (value.isEmpty()) {
            return "''";
        }
        StringBuilder sb = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'' || c == '\\' || c == ' ') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * Parses a key/value conninfo string as libpq does: {@code key = value} pairs separated by whitespace;
     * a value is either single-quoted (with {@code \'} and {@code \\} escapes) or runs to the next unescaped
     * whitespace. Keys keep their order.
     *
     * @throws IllegalArgumentException naming the position of a malformed pair
     */
    public static Map<String, String> parse(String conninfo) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = conninfo == null ? "" : conninfo;
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(keyStart, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("missing '=' after \"" + key + "\" at position " + i
                        + " in connection info string");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        v.append(s.charAt(i + 1));
                        i += 2;
                    } else if (c == '\'') {
                        i++;
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value for \"" + key
                            + "\" in connection info string");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        v.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
            }
            out.put(key, v.toString());
        }
    }
}
