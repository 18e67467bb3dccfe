package io.haagent.agent.ha;

import io.haagent.api.DecisionRecord;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RestartRequest;
import io.haagent.api.RoleChange;
import io.haagent.api.Version;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Role;
import io.haagent.config.AgentConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.ServerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what the loop knows at the end of a cycle into the immutable snapshot the REST API serves. */
final class SnapshotBuilder {
    private SnapshotBuilder() {
    }

    static NodeSnapshot build(AgentConfig config, Observation obs, NodeState node, LockBelief lock, ClusterView view,
            long viewNanos, DynamicConfig dynamic, boolean failsafeActive, long dcsLastSeen, RestartRequest restart,
            long nextRunNanos, DecisionRecord decision, RoleChange lastRoleChange,
            io.haagent.api.RoleChangeStats stats) {
        ServerStatus st = obs.status();
        Map<String, Map<String, String>> pendingReason = new LinkedHashMap<>();
        if (st != null) {
            st.pendingRestart().forEach((k, p) -> pendingReason.put(k, Map.of(
                    "old_value", String.valueOf(p.oldValue()), "new_value", String.valueOf(p.newValue()))));
        }
        NodeSnapshot.Builder b = NodeSnapshot.builder(config.scope(), config.name())
                .patroniVersion(Version.PATRONI_COMPATIBLE)
                .connectAddress(config.postgresql().connectAddress())
                .apiUrl(config.restapi().apiUrl())
                .postgres(postgres(st, node))
                .sysid(obs.local().systemId())
                .tags(config.tags())
                .configuredTags(config.tags())
                .cluster(view, viewNanos)
                .dynamic(dynamic)
                .failsafeActive(failsafeActive)
                .dcsLastSeen(dcsLastSeen)
                .pendingRestart(st != null && st.pendingRestartNeeded())
                .pendingRestartReason(pendingReason)
                .scheduledRestart(restart)
                .nextRunNanos(nextRunNanos)
                .lastDecision(decision)
                .lastRoleChange(lastRoleChange)
                .roleChangeStats(stats)
                .steppingDown(node.steppingDown(), node.steppingDownTo());
        if (lock.flagged()) {
            b.leaderLockUntil(lock.deadlineNanos());
        } else {
            b.noLeaderLock();
        }
        return b.build();
    }

    /** The REST API's view of postgres (§2.4): positions only when the monitoring query of the cycle succeeded. */
    static io.haagent.api.PostgresStatus postgres(ServerStatus st, NodeState node) {
        String state = node.state();
        String role = node.roleName();
        if (st == null) {
            return io.haagent.api.PostgresStatus.notQueried(state, role);
        }
        List<io.haagent.api.PostgresStatus.ReplicationConnection> rows = new ArrayList<>();
        for (ServerStatus.ReplicationConnection r : st.replication()) {
            rows.add(new io.haagent.api.PostgresStatus.ReplicationConnection(r.usename(), r.applicationName(),
                    r.clientAddr(), r.state(), r.syncState(), r.syncPriority()));
        }
        Integer timeline = st.timeline() > 0 ? (int) st.timeline() : null;
        if (st.isPrimary()) {
            return io.haagent.api.PostgresStatus.primary(node.roleNames().primary(), state, st.postmasterStartTime(),
                    st.serverVersion(), st.flushLsn() == null ? 0 : st.flushLsn().value(),
                    timeline == null ? 0 : timeline, rows);
        }
        Long received = st.receiveLsn() == null ? null : st.receiveLsn().value();
        long replayed = st.replayLsn() == null ? 0 : st.replayLsn().value();
        String servedRole = node.role() == Role.STANDBY_LEADER ? Role.STANDBY_LEADER.wire() : Role.REPLICA.wire();
        return io.haagent.api.PostgresStatus.standby(state, servedRole, st.postmasterStartTime(), st.serverVersion(),
                received, replayed, st.lastReplayTimestamp(), st.replayPaused(), timeline, st.replicationState(), rows);
    }
}
