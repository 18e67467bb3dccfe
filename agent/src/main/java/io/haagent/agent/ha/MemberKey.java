package io.haagent.agent.ha;

import io.haagent.api.RestartRequest;
import io.haagent.api.Version;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.config.AgentConfig;
import io.haagent.ha.HaMemory;
import io.haagent.ha.LongAction;
import io.haagent.ha.ScheduledRestart;
import io.haagent.pg.ServerStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This node's member key (§1.3), as the loop writes it after each cycle and the SIGTERM handover writes it last:
 * what this node reports of itself, read from the node's own state, never decided here.
 */
final class MemberKey {
    private MemberKey() {
    }

    /** The facts a member key is made of. {@code scheduled}: the scheduled restart as REST asked for it, or null. */
    record Facts(AgentConfig config, NodeState node, LockBelief lock, HaMemory memory, LongAction running,
            RestartRequest scheduledRequest, ScheduledRestart scheduled) {
    }

    static Member build(Facts f, Observation obs, ClusterView v) {
        AgentConfig config = f.config();
        NodeState node = f.node();
        var pgc = config.postgresql();
        Member.Builder b = Member.builder(config.name())
                .connUrl(pgc.connUrl())
                .apiUrl(config.restapi().apiUrl())
                .state(node.state())
                .role(node.roleNames().of(node.role()))
                .version(Version.PATRONI_COMPATIBLE)
                .proxyUrl(pgc.proxyUrl())
                .tags(config.tags())
                .pause(v.isPaused());
        if (f.lock().held() && f.memory().checkpointAfterPromotePending()) {
            b.checkpointAfterPromote(false);
        }
        ServerStatus st = obs.status();
        if (st != null) {
            if (st.pendingRestartNeeded()) {
                b.pendingRestart(true);
                Map<String, Map<String, String>> reason = new LinkedHashMap<>();
                st.pendingRestart().forEach((k, p) -> reason.put(k, Map.of("old_value", String.valueOf(p.oldValue()),
                        "new_value", String.valueOf(p.newValue()))));
                b.pendingRestartReason(reason);
            }
            String state = node.state();
            boolean busyOtherThanPromote = f.running() != null && f.running().kind() != LongAction.Kind.PROMOTE;
            if (!busyOtherThanPromote && (PostgresState.RUNNING.equals(state) || PostgresState.RESTARTING.equals(state)
                    || PostgresState.STARTING.equals(state))) {
                b.xlogLocation(st.xlogLocation().value());
                if (!st.isPrimary()) {
                    // Patroni 4.1 publishes a standby's receive and replay positions (patronictl 4 lists them)
                    b.receiveLsn(st.receiveLsn() == null ? null : st.receiveLsn().value());
                    b.replayLsn(st.replayLsn() == null ? null : st.replayLsn().value());
                }
                if (st.replicationState() != null) {
                    b.replicationState(st.replicationState());
                }
            }
            if (st.timeline() > 0) {
                b.timeline((int) st.timeline());
            }
        }
        RestartRequest sr = f.scheduledRequest();
        if (sr != null) {
            b.scheduledRestart(scheduledRestart(sr, f.scheduled()));
        }
        return b.build();
    }

    private static Map<String, Object> scheduledRestart(RestartRequest sr, ScheduledRestart s) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("schedule", sr.schedule().toString());
        if (s != null && s.postmasterStartTime() != null) {
            data.put("postmaster_start_time", s.postmasterStartTime());
        }
        if (sr.role() != null) {
            data.put("role", sr.role());
        }
        if (sr.postgresVersion() != null) {
            data.put("postgres_version", sr.postgresVersion());
        }
        if (sr.restartPending()) {
            data.put("restart_pending", true);
        }
        if (sr.timeoutSeconds() != null) {
            data.put("timeout", sr.timeoutSeconds());
        }
        return data;
    }
}
