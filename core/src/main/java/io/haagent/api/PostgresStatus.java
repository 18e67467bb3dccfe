package io.haagent.api;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What the agent last learned about its local postgres (§2.4): the state it manages, the role it reports, and,
 * when the monitoring query of the cycle succeeded ({@code queried}), the positions and replication details.
 * When {@code queried} is false only {@code state} and {@code role} are meaningful, as in Patroni's answer
 * for a postgres that is down or did not answer.
 *
 * @param state               Patroni's state string ({@link PostgresState})
 * @param role                the role string as served: {@code master}, {@code replica}, {@code standby_leader},
 *                            {@code demoted}, {@code uninitialized}, ...
 * @param xlogLocation        the flush LSN while not in recovery; {@code null} in recovery (a replica)
 * @param receivedLocation    in recovery: the last received LSN, {@code null} when no walreceiver
 * @param replayedLocation    in recovery: the last replayed LSN
 * @param replayedTimestamp   in recovery: commit time of the last replayed transaction, may be null
 * @param replayPaused        in recovery: {@code pg_is_wal_replay_paused()}
 * @param timeline            current timeline, null when unknown
 * @param replicationState    replicas: {@code streaming} or {@code in archive recovery}, else null
 * @param replication         one row per walsender connection (may be empty)
 */
public record PostgresStatus(
        String state,
        String role,
        boolean queried,
        OffsetDateTime postmasterStartTime,
        int serverVersion,
        Long xlogLocation,
        Long receivedLocation,
        Long replayedLocation,
        OffsetDateTime replayedTimestamp,
        Boolean replayPaused,
        Integer timeline,
        String replicationState,
        List<ReplicationConnection> replication) {

    public PostgresStatus {
        state = state == null ? PostgresState.UNKNOWN : state;
        role = role == null ? Role.UNINITIALIZED.wire() : role;
        replication = replication == null ? List.of() : List.copyOf(replication);
    }

    /** A postgres that is not running (or whose status query failed): only state and role are known. */
    public static PostgresStatus notQueried(String state, String role) {
        return new PostgresStatus(state, role, false, null, 0, null, null, null, null, null, null, null, List.of());
    }

    /** A running primary as its monitoring query saw it, role spelled {@code primary} (Patroni 4). */
    public static PostgresStatus primary(String state, OffsetDateTime postmasterStart, int serverVersion,
            long flushLsn, int timeline, List<ReplicationConnection> replication) {
        return primary(Role.PRIMARY.wire(), state, postmasterStart, serverVersion, flushLsn, timeline, replication);
    }

    /** A running primary, its role spelled {@code role} ({@code master} or {@code primary}, io.haagent.cluster.RoleNames). */
    public static PostgresStatus primary(String role, String state, OffsetDateTime postmasterStart, int serverVersion,
            long flushLsn, int timeline, List<ReplicationConnection> replication) {
        return new PostgresStatus(state, role, true, postmasterStart, serverVersion, flushLsn, null,
                null, null, null, timeline, null, replication);
    }

    /** A running standby (role {@code replica} or, in a standby cluster, {@code standby_leader}). */
    public static PostgresStatus standby(String state, String role, OffsetDateTime postmasterStart, int serverVersion,
            Long receivedLsn, long replayedLsn, OffsetDateTime replayedTimestamp, boolean replayPaused,
            Integer timeline, String replicationState, List<ReplicationConnection> replication) {
        return new PostgresStatus(state, role, true, postmasterStart, serverVersion, null, receivedLsn, replayedLsn,
                replayedTimestamp, replayPaused, timeline, replicationState, replication);
    }

    /** Not in recovery, by what the query reported (Patroni: timeline > 0 / an {@code xlog.location}). */
    public boolean inRecovery() {
        return xlogLocation == null;
    }

    public boolean isRunning() {
        return PostgresState.RUNNING.equals(state);
    }

    /** The role string names a primary ({@code master} or {@code primary}). */
    public boolean primaryRole() {
        return "master".equals(role) || "primary".equals(role);
    }

    /** In recovery: the WAL position a replica has, max(received, replayed), as peers compute it (§2.4). */
    public long walPosition() {
        if (!inRecovery()) {
            return xlogLocation;
        }
        long replayed = replayedLocation == null ? 0 : replayedLocation;
        long received = receivedLocation == null ? 0 : receivedLocation;
        return Math.max(received, replayed);
    }

    /** One walsender row of {@code pg_stat_replication} joined with {@code pg_stat_activity}. */
    public record ReplicationConnection(
            String usename,
            String applicationName,
            String clientAddr,
            String state,
            String syncState,
            int syncPriority) {
    }
}
