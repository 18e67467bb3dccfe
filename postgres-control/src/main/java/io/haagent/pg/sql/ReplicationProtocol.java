package io.haagent.pg.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Walsender commands over a {@link Connections.Kind#REPLICATION} session (§4.7). */
public final class ReplicationProtocol {
    private ReplicationProtocol() {
    }

    /** {@code IDENTIFY_SYSTEM}: the system identifier, the current timeline and WAL position. */
    public record SystemIdentity(String systemId, long timeline, String xlogpos) {
    }

    public static SystemIdentity identifySystem(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            if (!rs.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            return new SystemIdentity(rs.getString("systemid"), Long.parseLong(rs.getString("timeline")),
                    rs.getString("xlogpos"));
        }
    }

    /** {@code TIMELINE_HISTORY n}: the content of that timeline's history file (PG15 sends it as text). */
    public static String timelineHistory(Connection c, long timeline) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("TIMELINE_HISTORY " + timeline)) {
            if (!rs.next()) {
                throw new SQLException("TIMELINE_HISTORY " + timeline + " returned no row");
            }
            return rs.getString("content");
        }
    }
}
