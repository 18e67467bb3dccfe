package io.haagent.pg;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.Role;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One snapshot of a running local PostgreSQL, read by a single monitoring query (§4.11). Immutable; the HA
 * loop reads it once per cycle and the REST API serves it.
 *
 * @param role                    {@link Role#PRIMARY} when not in recovery, else {@link Role#REPLICA}
 * @param timeline                primary: from the current WAL file name; replica: the walreceiver's timeline,
 *                                else the minimum recovery point's, else the last checkpoint's
 * @param flushLsn                primary only: {@code pg_current_wal_flush_lsn()}
 * @param receiveLsn              replica only: {@code pg_last_wal_receive_lsn()} (null before anything streamed)
 * @param replayLsn               replica only: {@code pg_last_wal_replay_lsn()}
 * @param walReceiver             null when no walreceiver runs
 * @param restoreCommand          {@code restore_command}, "" when unset
 * @param replication             {@code pg_stat_replication}, ordered by application name
 * @param pendingRestart          settings changed in the files (or on the command line the agent would use)
 *                                that need a restart, by name
 * @param serverVersion           {@code server_version_num}, e.g. 150004
 * @param systemIdentifier        {@code pg_control_system().system_identifier}, the same as pg_controldata shows
 */
public record ServerStatus(
        Role role,
        long timeline,
        Lsn flushLsn,
        Lsn receiveLsn,
        Lsn replayLsn,
        boolean replayPaused,
        OffsetDateTime lastReplayTimestamp,
        WalReceiver walReceiver,
        String restoreCommand,
        List<ReplicationConnection> replication,
        Map<String, PendingRestart> pendingRestart,
        int serverVersion,
        OffsetDateTime postmasterStartTime,
        String systemIdentifier,
        String synchronousStandbyNames,
        String synchronousCommit) {

    public static final String STREAMING = "streaming";
    public static final String IN_ARCHIVE_RECOVERY = "in archive recovery";

    public ServerStatus {
        replication = replication == null ? List.of() : List.copyOf(replication);
        pendingRestart = pendingRestart == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(pendingRestart));
    }

    public boolean isPrimary() {
        return role == Role.PRIMARY;
    }

    public ServerStatus withTimeline(long tl) {
        return new ServerStatus(role, tl, flushLsn, receiveLsn, replayLsn, replayPaused, lastReplayTimestamp,
                walReceiver, restoreCommand, replication, pendingRestart, serverVersion, postmasterStartTime,
                systemIdentifier, synchronousStandbyNames, synchronousCommit);
    }

    public ServerStatus withPendingRestart(Map<String, PendingRestart> pending) {
        return new ServerStatus(role, timeline, flushLsn, receiveLsn, replayLsn, replayPaused, lastReplayTimestamp,
                walReceiver, restoreCommand, replication, pending, serverVersion, postmasterStartTime,
                systemIdentifier, synchronousStandbyNames, synchronousCommit);
    }

    public boolean inRecovery() {
        return role != Role.PRIMARY;
    }

    /**
     * The position published as {@code xlog_location}: the flush LSN on a primary, the larger of received and
     * replayed on a replica (§1.3). Zero when nothing is known yet.
     */
    public Lsn xlogLocation() {
        if (isPrimary()) {
            return flushLsn == null ? Lsn.ZERO : flushLsn;
        }
        Lsn m = Lsn.max(receiveLsn, replayLsn);
        return m == null ? Lsn.ZERO : m;
    }

    /**
     * {@code replication_state} (§1.3): {@code streaming} when the walreceiver streams, {@code in archive
     * recovery} when there is none but a {@code restore_command}; null on a primary or otherwise.
     */
    public String replicationState() {
        if (isPrimary()) {
            return null;
        }
        if (walReceiver != null && STREAMING.equals(walReceiver.status())) {
            return STREAMING;
        }
        if (walReceiver == null && restoreCommand != null && !restoreCommand.isBlank()) {
            return IN_ARCHIVE_RECOVERY;
        }
        return null;
    }

    public boolean pendingRestartNeeded() {
        return !pendingRestart.isEmpty();
    }

    /** Application names of standbys {@code pg_stat_replication} reports as {@code sync} or {@code quorum}. */
    public List<String> synchronousStandbys() {
        return replication.stream()
                .filter(r -> "sync".equals(r.syncState()) || "quorum".equals(r.syncState()))
                .map(ReplicationConnection::applicationName)
                .toList();
    }

    /** The {@code pg_stat_replication} row of a standby by application name (case-insensitive), or null. */
    public ReplicationConnection replicationOf(String applicationName) {
        String n = applicationName.toLowerCase(Locale.ROOT);
        return replication.stream()
                .filter(r -> r.applicationName() != null && r.applicationName().toLowerCase(Locale.ROOT).equals(n))
                .findFirst().orElse(null);
    }

    /** {@code pg_stat_wal_receiver}: who this replica streams from and how far it got. */
    public record WalReceiver(String status, Long receivedTimeline, String slotName, String senderHost,
            Integer senderPort, String conninfo) {
    }

    /** One {@code pg_stat_replication} row: a walsender serving a standby or a base backup. */
    public record ReplicationConnection(int pid, String usename, String applicationName, String clientAddr,
            String state, String syncState, int syncPriority, Lsn sentLsn, Lsn writeLsn, Lsn flushLsn,
            Lsn replayLsn) {
    }

    /**
     * A setting that takes effect only after a restart ({@code pending_restart_reason}).
     *
     * @param oldValue what the server runs with
     * @param newValue what it will run with after a restart
     */
    public record PendingRestart(String name, String oldValue, String newValue) {
    }
}
