package io.haagent.rest.status;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.Member;
import io.haagent.cluster.TimelineHistory;
import io.haagent.config.DynamicConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /cluster} and {@code GET /history} (§2.5), as Patroni 4.1.4's {@code cluster_as_json} builds them from a
 * cluster view: Patroni 3.3's document, plus each non-leader's {@code receive_lsn}/{@code receive_lag},
 * {@code replay_lsn}/{@code replay_lag} and {@code lsn} (lags in bytes behind the status key's position, 'unknown'
 * when the member does not publish the position), and {@code quorum_standby} for quorum commit's standbys.
 */
public final class ClusterDocument {

    private ClusterDocument() {
    }

    public static Map<String, Object> cluster(ClusterView c, String scope) {
        DynamicConfig config = c.dynamic();
        String leaderName = c.leaderName();
        long clusterLsn = c.lastLsn();
        List<Object> members = new ArrayList<>();
        for (Member m : c.members()) {
            String role;
            if (m.name().equals(leaderName)) {
                role = config.isStandbyCluster() ? "standby_leader" : "leader";
            } else if (config.synchronousModeEffective() && c.sync().matches(m.name())) {
                role = config.quorumCommitEffective() ? "quorum_standby" : "sync_standby";
            } else {
                role = "replica";
            }
            // Non-leaders show how they replicate (streaming / in archive recovery) when they publish it.
            String state = !"leader".equals(role) && m.replicationState() != null && !m.replicationState().isEmpty()
                    ? m.replicationState() : m.state() == null ? "" : m.state();
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", m.name());
            item.put("role", role);
            item.put("state", state);
            item.put("api_url", m.apiUrl());
            String host = m.host();
            if (host != null && !host.isEmpty()) {
                item.put("host", host);
                if (m.port() != null) {
                    item.put("port", m.port());
                }
            }
            if (m.timeline() != null) {
                item.put("timeline", m.timeline());
            }
            if (m.pendingRestart()) {
                item.put("pending_restart", true);
            }
            if (m.pendingRestartReason() != null && !m.pendingRestartReason().isEmpty()) {
                item.put("pending_restart_reason", m.pendingRestartReason());
            }
            if (m.scheduledRestart() != null) {
                item.put("scheduled_restart", m.scheduledRestart());
            }
            if (!m.tags().isEmpty()) {
                item.put("tags", m.tags().values());
            }
            if (!m.name().equals(leaderName)) {
                putLsn(item, "receive_", m.receiveLsn(), clusterLsn);
                putLsn(item, "replay_", m.replayLsn(), clusterLsn);
                putLsn(item, "", m.xlogLocation(), clusterLsn);
            }
            members.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("members", members);
        out.put("scope", scope);
        if (config.pause()) {
            out.put("pause", true);
        }
        FailoverRequest f = c.failover();
        if (f != null && f.scheduledAt() != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("at", PythonTime.iso(f.scheduledAt()));
            if (f.leader() != null) {
                s.put("from", f.leader());
            }
            if (f.candidate() != null) {
                s.put("to", f.candidate());
            }
            out.put("scheduled_switchover", s);
        }
        return out;
    }

    /** The keys in the order Patroni's assignments leave them (json.dumps keeps a dict's insertion order). */
    private static void putLsn(Map<String, Object> item, String prefix, Long lsn, long clusterLsn) {
        if (lsn == null || lsn == 0) {
            item.put(prefix + "lsn", "unknown");
            item.put(prefix + "lag", "unknown");
        } else {
            item.put(prefix + "lag", Math.max(0, clusterLsn - lsn));
            item.put(prefix + "lsn", Lsn.of(lsn).toString());
        }
    }

    /** The {@code history} key as arrays {@code [timeline, lsn, reason(, timestamp(, new_leader))]}, or {@code []}. */
    public static List<Object> history(ClusterView c) {
        List<Object> out = new ArrayList<>();
        for (TimelineHistory.Line l : c.history().lines()) {
            List<Object> line = new ArrayList<>(List.of(l.parentTimeline(), l.switchLsn(),
                    l.reason() == null ? "" : l.reason()));
            if (l.timestamp() != null || l.newLeader() != null) {
                line.add(l.timestamp());
            }
            if (l.newLeader() != null) {
                line.add(l.newLeader());
            }
            out.add(line);
        }
        return out;
    }
}
