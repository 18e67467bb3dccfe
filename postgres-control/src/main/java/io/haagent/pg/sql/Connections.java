package io.haagent.pg.sql;

import io.haagent.config.Credentials;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * pgjdbc connections with the settings Patroni uses (§4.11): {@code connect_timeout=3}, an application name
 * that says who is connecting, a statement timeout for monitoring. pgjdbc speaks TCP only (no Unix sockets),
 * so the agent connects to the server's own listen address. Passwords go to the driver in memory, never
 * into a URL or a log line.
 */
public final class Connections {
    public static final int CONNECT_TIMEOUT_SECONDS = 3;

    private Connections() {
    }

    /** What kind of session to open. */
    public enum Kind {
        /** Ordinary SQL. */
        SQL,
        /** A walsender session ({@code replication=database}) for IDENTIFY_SYSTEM and TIMELINE_HISTORY. */
        REPLICATION,
        /** Ordinary SQL, refusing a server in recovery ({@code target_session_attrs=read-write}). */
        PRIMARY_ONLY
    }

    /**
     * @param statementTimeout applied as {@code options=-c statement_timeout=...}; null for none
     */
    public static Connection open(String host, int port, String database, Credentials creds, String applicationName,
            Kind kind, Duration statementTimeout) {
        Properties p = new Properties();
        p.setProperty("user", creds.username());
        if (creds.password() != null) {
            p.setProperty("password", creds.password().reveal());
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS + 2));
        if (statementTimeout != null) {
            p.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis());
            // the server enforces statement_timeout; a frozen server (SIGSTOP, hung I/O) does not, so the
            // client gives up a little later on its own: a status read never blocks the HA loop for long
            p.setProperty("socketTimeout", Long.toString(statementTimeout.toSeconds() + 5));
        }
        setIf(p, "sslmode", creds.sslmode());
        setIf(p, "sslcert", creds.sslcert());
        setIf(p, "sslkey", creds.sslkey());
        setIf(p, "sslrootcert", creds.sslrootcert());
        if (creds.sslpassword() != null) {
            p.setProperty("sslpassword", creds.sslpassword().reveal());
        }
        if (creds.gssencmode() != null) {
            p.setProperty("gssEncMode", creds.gssencmode());
        }
        if (kind == Kind.REPLICATION) {
            p.setProperty("replication", "database");
            p.setProperty("preferQueryMode", "simple");
            p.setProperty("assumeMinServerVersion", "9.4");
        } else if (kind == Kind.PRIMARY_ONLY) {
            p.setProperty("targetServerType", "primary");
        }
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + h + ":" + port + "/" + database;
        try {
            Connection c = DriverManager.getConnection(url, p);
            if (kind != Kind.REPLICATION) {
                c.setAutoCommit(true);
            }
            return c;
        } catch (SQLException e) {
            throw SqlErrors.wrap("cannot connect to " + host + ":" + port + " as " + creds.username(), e);
        }
    }

    private static void setIf(Properties p, String key, String value) {
        if (value != null) {
            p.setProperty(key, value);
        }
    }

    /** Closes quietly; used where a failure to close is no news. */
    public static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing a broken connection fails too; it is gone either way
        }
    }
}
