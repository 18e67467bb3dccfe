package io.haagent.ha;

import io.haagent.cluster.Role;
import io.haagent.pg.ControlData;
import java.util.List;

/**
 * What the loop read about the local PostgreSQL and data directory this cycle.
 *
 * @param role               the role this node has taken on (tracked, like Patroni's {@code state_handler.role})
 * @param pgState            the state string this node publishes (tracked: starting, running, stopped, crashed...)
 * @param running            the postmaster is alive
 * @param primary            postgres answers and is not in recovery
 * @param starting           the postmaster is alive but does not accept connections yet
 * @param startingForSeconds how long it has been starting (for {@code primary_start_timeout})
 * @param timeline           current timeline; 0 when unknown
 * @param walPosition        primary: flush LSN; replica: max(received, replayed); 0 when unknown
 * @param controlState       {@code pg_controldata}'s "Database cluster state"; null when unknown or running
 * @param recoveryConfExists {@code standby.signal} or {@code recovery.signal} is present
 * @param systemId           {@code pg_controldata}'s system identifier; null when unknown
 * @param upstream           the member name (or host:port) {@code primary_conninfo} currently points at; null none
 * @param canRewind          pg_rewind is enabled and usable here (use_pg_rewind, wal_log_hints or checksums)
 * @param replication        streaming standbys seen in {@code pg_stat_replication} (primary only)
 * @param synchronousStandbyNames the value postgres runs with; null when unknown
 * @param pendingRestart     a postmaster-context setting differs from what runs
 * @param serverVersion      e.g. 150004; 0 when unknown
 * @param slots              the replication slots postgres has and how far a replica replayed, for the decider's
 *                           slot plan (§4.8); null when not read (postgres down or not answering)
 */
public record LocalState(
        DataDirState dataDir,
        String dataDirError,
        Role role,
        String pgState,
        boolean running,
        boolean primary,
        boolean starting,
        long startingForSeconds,
        long timeline,
        long walPosition,
        ControlData.State controlState,
        boolean recoveryConfExists,
        String systemId,
        String upstream,
        boolean canRewind,
        boolean walReplayPaused,
        List<ReplicationConnection> replication,
        String synchronousStandbyNames,
        String synchronousCommit,
        boolean pendingRestart,
        int serverVersion,
        String postmasterStartTime,
        Slots slots) {

    public LocalState {
        replication = replication == null ? List.of() : List.copyOf(replication);
    }

    /** The state without a slot reading (postgres down, or a caller that plans no slots). */
    public LocalState(DataDirState dataDir, String dataDirError, Role role, String pgState, boolean running,
            boolean primary, boolean starting, long startingForSeconds, long timeline, long walPosition,
            ControlData.State controlState, boolean recoveryConfExists, String systemId, String upstream,
            boolean canRewind, boolean walReplayPaused, List<ReplicationConnection> replication,
            String synchronousStandbyNames, String synchronousCommit, boolean pendingRestart, int serverVersion,
            String postmasterStartTime) {
        this(dataDir, dataDirError, role, pgState, running, primary, starting, startingForSeconds, timeline,
                walPosition, controlState, recoveryConfExists, systemId, upstream, canRewind, walReplayPaused,
                replication, synchronousStandbyNames, synchronousCommit, pendingRestart, serverVersion,
                postmasterStartTime, null);
    }

    /**
     * The node's replication slots as read this cycle ({@code pg_replication_slots}).
     *
     * @param existing  every slot postgres has
     * @param replayLsn a replica's replay position (its slots cannot be advanced past it); null on a primary
     */
    public record Slots(List<io.haagent.slots.ReplicationSlot> existing, io.haagent.cluster.Lsn replayLsn) {
        public Slots {
            existing = existing == null ? List.of() : List.copyOf(existing);
        }
    }

    /** A standby's row in {@code pg_stat_replication}. LSNs as integers. */
    public record ReplicationConnection(int pid, String applicationName, String state, String syncState,
            Long writeLsn, Long flushLsn, Long replayLsn) {
    }

    /** This state, read as a running primary that is not starting (the worst case when postgres cannot be asked). */
    public LocalState asRunningPrimary() {
        return new LocalState(dataDir, dataDirError, role, pgState, true, true, false, 0, timeline, walPosition,
                controlState, recoveryConfExists, systemId, upstream, canRewind, walReplayPaused, replication,
                synchronousStandbyNames, synchronousCommit, pendingRestart, serverVersion, postmasterStartTime,
                slots);
    }

    /** Patroni's {@code is_healthy}: the postmaster is alive. */
    public boolean healthy() {
        return running;
    }

    /** Patroni's sysid check: >= 10 digits. */
    public static boolean sysidValid(String sysid) {
        return sysid != null && sysid.length() >= 10 && sysid.chars().allMatch(Character::isDigit);
    }
}
