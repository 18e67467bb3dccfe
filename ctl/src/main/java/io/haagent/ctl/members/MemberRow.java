package io.haagent.ctl.members;

import java.util.Map;

/**
 * One line of {@code agentctl list}: what patronictl shows (from the member key, the leader, sync and status keys)
 * and what it does not (lag in bytes and seconds, a silent API, a key that is no longer renewed).
 *
 * @param role       {@code leader}, {@code standby_leader}, {@code sync_standby} or {@code replica}
 * @param state      Patroni 3.3's column: the replication state of a replica, else the postgres state; with
 *                   agentctl's findings in front when the member is not heard from
 * @param lagBytes   leader's last WAL position minus the member's, from etcd; null for the leader, -1 when the
 *                   member publishes no position ("unknown")
 * @param lagSeconds how far the member's replay is behind, from its API; null when unknown or for the leader
 * @param problem    true when agentctl could not confirm the member is alive (silent API, key not renewed)
 * @param positions  Patroni 4.1's receive and replay positions and lags; null for the leader and unlisted members
 */
public record MemberRow(
        String name,
        String role,
        String state,
        String host,
        Integer port,
        Integer timeline,
        Long lagBytes,
        Double lagSeconds,
        boolean pendingRestart,
        Map<String, Map<String, String>> pendingRestartReason,
        Map<String, Object> scheduledRestart,
        Map<String, Object> tags,
        boolean problem,
        Positions positions) {

    /**
     * What patronictl 4.1 shows in {@code Receive LSN}, {@code Receive Lag}, {@code Replay LSN}, {@code Replay Lag}:
     * an LSN as text or "unknown", a lag in bytes behind the status key's position or null when unknown.
     */
    public record Positions(String receiveLsn, Long receiveLag, String replayLsn, Long replayLag) {
    }

    public boolean isLeader() {
        return role.endsWith("leader");
    }

    public String replicatefrom() {
        Object v = tags == null ? null : tags.get("replicatefrom");
        return v == null ? null : v.toString();
    }
}
