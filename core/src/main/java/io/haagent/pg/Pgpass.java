package io.haagent.pg;

import java.util.Objects;

/**
 * One line of a libpq password file ({@code hostname:port:database:username:password}, §4.4). The agent keeps
 * passwords off command lines by writing them here (mode 0600) and pointing {@code PGPASSFILE} or
 * {@code passfile=} at the file.
 */
public record Pgpass(String host, String port, String database, String user, String password) {

    public Pgpass {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        port = port == null ? "*" : port;
        database = database == null ? "*" : database;
    }

    public static Pgpass of(String host, int port, String user, String password) {
        return new Pgpass(host, Integer.toString(port), "*", user, password);
    }

    /** The file line: {@code :} and {@code \} inside fields are escaped with a backslash; {@code *} stays a wildcard. */
    public String line() {
        return field(host) + ":" + field(port) + ":" + field(database) + ":" + escape(user) + ":" + escape(password);
    }

    private static String field(String v) {
        return "*".equals(v) ? v : escape(v);
    }

    static String escape(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 2);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ':' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return field(host) + ":" + field(port) + ":" + field(database) + ":" + escape(user) + ":******";
    }
}
