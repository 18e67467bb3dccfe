package io.haagent.pg.sql;

import io.haagent.config.Credentials;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or alters the roles the cluster needs (§4.11): the superuser, the replication user and the pg_rewind
 * user with the grants pg_rewind needs. Statements carrying passwords run with statement logging switched off
 * for the session, so no password reaches the server log; identifiers and literals are escaped by pgjdbc.
 */
public final class RoleSetup {
    /** What pg_rewind needs to read a source server's files without being a superuser (PG11+). */
    public static final List<String> REWIND_FUNCTIONS = List.of("pg_catalog.pg_ls_dir(text, boolean, boolean)",
            "pg_catalog.pg_stat_file(text, boolean)", "pg_catalog.pg_read_binary_file(text)",
            "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)");
    private static final Logger LOG = LoggerFactory.getLogger(RoleSetup.class);

    private RoleSetup() {
    }

    public static void apply(Connection c, Credentials superuser, Credentials replication, Credentials rewind)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            // Safety: these statements carry passwords; keep them out of the server log, and make them durable
            // locally without waiting for a synchronous standby that may not exist yet.
            s.execute("SET log_statement TO 'none'");
            s.execute("SET log_min_duration_statement TO -1");
            s.execute("SET log_min_error_statement TO 'log'");
            s.execute("SET synchronous_commit TO 'local'");
        }
        upsert(c, superuser, "SUPERUSER");
        if (replication != null && !replication.username().equals(superuser.username())) {
            upsert(c, replication, "REPLICATION");
        }
        if (rewind != null && !rewind.username().equals(superuser.username())) {
            upsert(c, rewind, "");
            String role = c.unwrap(PGConnection.class).escapeIdentifier(rewind.username());
            try (Statement s = c.createStatement()) {
                for (String f : REWIND_FUNCTIONS) {
                    s.execute("GRANT EXECUTE ON FUNCTION " + f + " TO " + role);
                }
            }
        }
    }

    private static void upsert(Connection c, Credentials cred, String attributes) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            ps.setString(1, cred.username());
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        StringBuilder sql = new StringBuilder(exists ? "ALTER ROLE " : "CREATE ROLE ")
                .append(pg.escapeIdentifier(cred.username())).append(" WITH LOGIN ").append(attributes);
        if (cred.password() != null) {
            // escapeLiteral doubles quotes (and backslashes when needed) but does not add the quotes
            sql.append(" PASSWORD '").append(pg.escapeLiteral(cred.password().reveal())).append('\'');
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql.toString());
        }
        LOG.info("{} role {}{}", exists ? "altered" : "created", cred.username(),
                attributes.isEmpty() ? "" : " (" + attributes + ")");
    }
}
