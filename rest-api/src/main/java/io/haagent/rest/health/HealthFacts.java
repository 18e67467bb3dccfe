package io.haagent.rest.health;

import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Tags;

/**
 * The facts a health check is decided on (§2.3), taken from one snapshot at one instant.
 *
 * @param role             the role string served in the status document
 * @param state            the state string served (a running postgres whose status query failed is {@code unknown})
 * @param replayedLocation a replica's replayed LSN as served, 0 when not known
 * @param tags             the tags {@code tag_<k>=<v>} filters are matched against
 * @param clusterFresh     the cluster view was read less than ttl ago (Patroni: {@code dcs.cluster} is not None)
 * @param leaderOptime     the leader's last published LSN from a fresh view, 0 when unknown
 * @param holdsLeaderLock  we believe we hold the leader lock right now
 * @param standbyCluster   the dynamic configuration in force defines a standby cluster
 * @param paused           the cluster is in maintenance mode
 * @param syncStandby      this replica is listed in {@code /sync} of a fresh view while synchronous mode is on
 * @param quorumStandby    this replica is a voter in {@code /sync} of a fresh view while quorum commit is on
 * @param writable         postgres is the primary (the role served is a primary's) and the node is not stepping
 *                         down: it takes writes, or will again the moment a crash restart ends
 */
public record HealthFacts(
        String role,
        String state,
        long replayedLocation,
        Tags tags,
        boolean clusterFresh,
        long leaderOptime,
        boolean holdsLeaderLock,
        boolean standbyCluster,
        boolean paused,
        boolean syncStandby,
        boolean writable,
        boolean quorumStandby) {

    /** Outside quorum commit. */
    public HealthFacts(String role, String state, long replayedLocation, Tags tags, boolean clusterFresh,
            long leaderOptime, boolean holdsLeaderLock, boolean standbyCluster, boolean paused, boolean syncStandby,
            boolean writable) {
        this(role, state, replayedLocation, tags, clusterFresh, leaderOptime, holdsLeaderLock, standbyCluster, paused,
                syncStandby, writable, false);
    }

    public static HealthFacts of(NodeSnapshot s, long nowNanos) {
        PostgresStatus pg = s.postgres();
        ClusterView fresh = s.freshCluster(nowNanos);
        long replayed = pg.queried() && pg.inRecovery() && pg.replayedLocation() != null ? pg.replayedLocation() : 0;
        return new HealthFacts(
                pg.role(),
                servedState(pg),
                replayed,
                s.configuredTags(),
                fresh != null,
                fresh == null ? 0 : fresh.lastLsn(),
                s.holdsLeaderLock(nowNanos),
                s.standbyCluster(),
                s.paused(),
                syncStandby(s, fresh),
                writable(s),
                quorumStandby(s, fresh));
    }

    /**
     * Postgres is the primary and this node is not stepping down: it takes writes. Not a replica still being
     * promoted (its role is a replica's until postgres leaves recovery). The state does not count: a primary whose
     * monitoring query failed on a busy server (served state {@code unknown}), or whose postmaster the agent is
     * restarting after a crash, is where writes go, and there is nowhere else to send them; a load balancer that
     * took it out would only put it back later than postgres comes back.
     */
    public static boolean writable(NodeSnapshot s) {
        return s.postgres().primaryRole() && !s.steppingDown();
    }

    /** Patroni reports {@code unknown} for a postgres it manages as running whose status query failed. */
    public static String servedState(PostgresStatus pg) {
        return !pg.queried() && PostgresState.RUNNING.equals(pg.state()) ? PostgresState.UNKNOWN : pg.state();
    }

    /** Listed in {@code /sync} while synchronous mode is on, as a queried replica (§2.4 {@code sync_standby}). */
    public static boolean syncStandby(NodeSnapshot s, ClusterView fresh) {
        return fresh != null && s.postgres().queried() && "replica".equals(s.postgres().role())
                && s.dynamic().synchronousModeEffective() && !s.dynamic().quorumCommit() && fresh.sync().matches(s.name());
    }

    /**
     * Patroni 4's {@code quorum_standby}: a voter in {@code /sync} while {@code synchronous_mode} is {@code quorum}
     * (then {@code sync_standby} is false).
     */
    public static boolean quorumStandby(NodeSnapshot s, ClusterView fresh) {
        return fresh != null && s.postgres().queried() && "replica".equals(s.postgres().role())
                && s.dynamic().quorumCommitEffective() && fresh.sync().matches(s.name());
    }
}
