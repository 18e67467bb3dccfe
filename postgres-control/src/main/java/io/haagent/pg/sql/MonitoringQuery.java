package io.haagent.pg.sql;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.Role;
import io.haagent.pg.ServerStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one monitoring query per HA cycle (§4.11): role, timeline, WAL positions, walreceiver, replication
 * connections, pending restarts, version, postmaster start time and system identifier in a single round trip,
 * so everything in a {@link ServerStatus} was true at the same instant.
 *
 * <p>A pending restart's new value is the last {@code pg_file_settings} entry for it: PostgreSQL marks that
 * entry "setting could not be applied", so it must not be filtered out by its error column.
 */
public final class MonitoringQuery {
    public static final String SQL = "SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,"
            + " CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL ELSE ('x' || pg_catalog.substr("
            + "pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,"
            + " CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL"
            + " ELSE pg_catalog.pg_current_wal_flush_lsn()::text END AS flush_lsn,"
            + " pg_catalog.pg_last_wal_receive_lsn()::text AS receive_lsn,"
            + " pg_catalog.pg_last_wal_replay_lsn()::text AS replay_lsn,"
            + " CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_is_wal_replay_paused() ELSE false END"
            + " AS replay_paused,"
            + " pg_catalog.pg_last_xact_replay_timestamp() AS replay_timestamp,"
            + " w.status AS wr_status, w.received_tli AS wr_tli, w.slot_name AS wr_slot, w.sender_host AS wr_host,"
            + " w.sender_port AS wr_port, w.conninfo AS wr_conninfo,"
            + " (SELECT min_recovery_end_timeline FROM pg_catalog.pg_control_recovery()) AS min_recovery_tli,"
            + " (SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()) AS checkpoint_tli,"
            + " pg_catalog.current_setting('restore_command') AS restore_command,"
            + " pg_catalog.current_setting('synchronous_standby_names') AS ssn,"
            + " pg_catalog.current_setting('synchronous_commit') AS sync_commit,"
            + " pg_catalog.current_setting('server_version_num')::int AS server_version,"
            + " pg_catalog.pg_postmaster_start_time() AS postmaster_start,"
            + " (SELECT system_identifier FROM pg_catalog.pg_control_system())::text AS sysid,"
            + " (SELECT pg_catalog.array_agg(ARRAY[r.pid::text, r.usename::text, r.application_name,"
            + " r.client_addr::text, r.state, r.sync_state, r.sync_priority::text, r.sent_lsn::text,"
            + " r.write_lsn::text, r.flush_lsn::text, r.replay_lsn::text] ORDER BY r.application_name, r.pid)"
            + " FROM pg_catalog.pg_stat_replication r) AS replication,"
            + " (SELECT pg_catalog.array_agg(ARRAY[s.name, pg_catalog.current_setting(s.name), f.setting]"
            + " ORDER BY s.name) FROM pg_catalog.pg_settings s LEFT JOIN LATERAL (SELECT fs.setting"
            + " FROM pg_catalog.pg_file_settings fs WHERE fs.name = s.name"
            + " ORDER BY fs.seqno DESC LIMIT 1) f ON true WHERE s.pending_restart"
            // Recovery settings change with the role (the block is removed at promotion, rewritten when following):
            // the agent manages them and restarts or reloads itself when needed, as Patroni excludes them too.
            + " AND s.name <> ALL (ARRAY['archive_cleanup_command', 'restore_command', 'recovery_end_command',"
            + " 'recovery_target', 'recovery_target_name', 'recovery_target_time', 'recovery_target_xid',"
            + " 'recovery_target_lsn', 'recovery_target_inclusive', 'recovery_target_timeline',"
            + " 'recovery_target_action', 'recovery_min_apply_delay', 'primary_conninfo', 'primary_slot_name',"
            + " 'promote_trigger_file'])) AS pending"
            + " FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true";

    private MonitoringQuery() {
    }

    public static ServerStatus run(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SQL)) {
            if (!rs.next()) {
                throw new SQLException("the monitoring query returned no row");
            }
            return map(rs);
        }
    }

    static ServerStatus map(ResultSet rs) throws SQLException {
        boolean inRecovery = rs.getBoolean("in_recovery");
        ServerStatus.WalReceiver wr = null;
        String wrStatus = rs.getString("wr_status");
        if (wrStatus != null) {
            wr = new ServerStatus.WalReceiver(wrStatus, longOrNull(rs, "wr_tli"), rs.getString("wr_slot"),
                    rs.getString("wr_host"), intOrNull(rs, "wr_port"), rs.getString("wr_conninfo"));
        }
        long timeline;
        if (!inRecovery) {
            timeline = rs.getLong("timeline");
        } else if (wr != null && wr.receivedTimeline() != null && wr.receivedTimeline() > 0) {
            timeline = wr.receivedTimeline();
        } else {
            long minRecovery = rs.getLong("min_recovery_tli");
            timeline = minRecovery > 0 ? minRecovery : rs.getLong("checkpoint_tli");
        }
        return new ServerStatus(
                inRecovery ? Role.REPLICA : Role.PRIMARY,
                timeline,
                lsn(rs.getString("flush_lsn")),
                lsn(rs.getString("receive_lsn")),
                lsn(rs.getString("replay_lsn")),
                rs.getBoolean("replay_paused"),
                rs.getObject("replay_timestamp", OffsetDateTime.class),
                wr,
                rs.getString("restore_command"),
                replication(rs.getArray("replication")),
                pending(rs.getArray("pending")),
                rs.getInt("server_version"),
                rs.getObject("postmaster_start", OffsetDateTime.class),
                rs.getString("sysid"),
                rs.getString("ssn"),
                rs.getString("sync_commit"));
    }

    private static List<ServerStatus.ReplicationConnection> replication(Array a) throws SQLException {
        List<ServerStatus.ReplicationConnection> out = new ArrayList<>();
        for (String[] r : rows(a)) {
            out.add(new ServerStatus.ReplicationConnection(Integer.parseInt(r[0]), r[1], r[2], r[3], r[4], r[5],
                    r[6] == null ? 0 : Integer.parseInt(r[6]), lsn(r[7]), lsn(r[8]), lsn(r[9]), lsn(r[10])));
        }
        return out;
    }

    private static Map<String, ServerStatus.PendingRestart> pending(Array a) throws SQLException {
        Map<String, ServerStatus.PendingRestart> out = new LinkedHashMap<>();
        for (String[] r : rows(a)) {
            out.put(r[0], new ServerStatus.PendingRestart(r[0], r[1], r[2]));
        }
        return out;
    }

    private static String[][] rows(Array a) throws SQLException {
        if (a == null) {
            return new String[0][];
        }
        Object o = a.getArray();
        return o instanceof String[][] rows ? rows : new String[0][];
    }

    static Lsn lsn(String text) {
        return text == null ? null : Lsn.parse(text);
    }

    private static Long longOrNull(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
