package io.haagent.agent.ha;

import io.haagent.api.ActionOutcome;
import io.haagent.api.CandidateCheck;
import io.haagent.api.FailsafeHeartbeat;
import io.haagent.api.NodeActions;
import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.dcs.DcsUnavailableException;
import java.util.List;
import java.util.Map;

/**
 * The write port while the agent starts: the REST API binds at once (health checks answer from the first
 * snapshot) while etcd is being reached; until the HA loop exists every write is refused with a clear reason.
 */
public final class StartingNodeActions implements NodeActions {
    private static final String STARTING = "the agent is starting: etcd is not reached yet";
    private volatile NodeActions ready;

    public void ready(NodeActions actions) {
        this.ready = actions;
    }

    private NodeActions delegate() {
        NodeActions a = ready;
        if (a == null) {
            throw new DcsUnavailableException(STARTING);
        }
        return a;
    }

    @Override
    public ClusterView readCluster() {
        return delegate().readCluster();
    }

    @Override
    public boolean writeConfig(Map<String, Object> config, long expectedRevision) {
        return delegate().writeConfig(config, expectedRevision);
    }

    @Override
    public boolean writeFailover(FailoverRequest request, long expectedRevision) {
        return delegate().writeFailover(request, expectedRevision);
    }

    @Override
    public void wakeUp() {
        NodeActions a = ready;
        if (a != null) {
            a.wakeUp();
        }
    }

    @Override
    public void scheduleReload() {
        NodeActions a = ready;
        if (a != null) {
            a.scheduleReload();
        }
    }

    @Override
    public ActionOutcome restart(RestartRequest request) {
        NodeActions a = ready;
        return a == null ? ActionOutcome.refused(STARTING) : a.restart(request);
    }

    @Override
    public boolean scheduleRestart(RestartRequest request) {
        return delegate().scheduleRestart(request);
    }

    @Override
    public boolean cancelScheduledRestart() {
        return delegate().cancelScheduledRestart();
    }

    @Override
    public ActionOutcome reinitialize(boolean force, boolean fromLeader) {
        NodeActions a = ready;
        return a == null ? ActionOutcome.refused(STARTING) : a.reinitialize(force, fromLeader);
    }

    @Override
    public ActionOutcome acceptFailsafe(FailsafeHeartbeat heartbeat) {
        NodeActions a = ready;
        return a == null ? ActionOutcome.refused(STARTING) : a.acceptFailsafe(heartbeat);
    }

    @Override
    public List<CandidateCheck> checkCandidates(ClusterView cluster, List<Member> members) {
        return delegate().checkCandidates(cluster, members);
    }
}
