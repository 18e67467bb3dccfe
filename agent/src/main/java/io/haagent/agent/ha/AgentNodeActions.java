package io.haagent.agent.ha;

import io.haagent.api.ActionOutcome;
import io.haagent.api.CandidateCheck;
import io.haagent.api.FailsafeHeartbeat;
import io.haagent.api.NodeActions;
import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.dcs.Dcs;
import io.haagent.ha.CloneSource;
import io.haagent.ha.FailoverCandidates;
import io.haagent.ha.FollowTarget;
import io.haagent.ha.PeerStatus;
import io.haagent.ha.ScheduledRestart;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent's side of the REST write port: what each write endpoint asks of the node. */
public final class AgentNodeActions implements NodeActions {
    private final String name;
    private final Dcs dcs;
    private final HaLoop loop;
    private final PeerClient peers;
    private final Runnable reload;
    private final Clock clock;

    public AgentNodeActions(String name, Dcs dcs, HaLoop loop, PeerClient peers, Runnable reload, Clock clock) {
        this.name = name;
        this.dcs = dcs;
        this.loop = loop;
        this.peers = peers;
        this.reload = reload;
        this.clock = clock;
    }

    @Override
    public ClusterView readCluster() {
        return dcs.freshCluster();
    }

    @Override
    public boolean writeConfig(Map<String, Object> config, long expectedRevision) {
        return dcs.setConfig(config, expectedRevision);
    }

    @Override
    public boolean writeFailover(FailoverRequest request, long expectedRevision) {
        return dcs.setFailover(request, expectedRevision);
    }

    @Override
    public void wakeUp() {
        dcs.wakeUp();
    }

    @Override
    public void scheduleReload() {
        reload.run();
    }

    @Override
    public ActionOutcome restart(RestartRequest request) {
        Observation obs = loop.lastObservation();
        var local = obs == null ? null : obs.local();
        String mismatch = request.mismatch(loop.node().role().wire(), local == null ? 0 : local.serverVersion(),
                local != null && local.pendingRestart());
        if (mismatch != null) {
            return ActionOutcome.refused("restart conditions are not satisfied");
        }
        String busy = loop.executor().submitRestart(request.timeoutSeconds());
        if (busy != null) {
            return ActionOutcome.refused(busy + " already in progress");
        }
        int timeout = request.timeoutSeconds() != null ? request.timeoutSeconds()
                : Math.max(loop.dynamic().primaryStartTimeout(), loop.pgCtlTimeoutSeconds());
        try {
            loop.runner().awaitIdle(Duration.ofSeconds(timeout + loop.pgCtlTimeoutSeconds() + 5L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.wakeUp();
        String state = loop.node().state();
        if (PostgresState.RUNNING.equals(state)) {
            return ActionOutcome.ok("restarted successfully");
        }
        if (PostgresState.STARTING.equals(state)) {
            return ActionOutcome.refused("postgres is still starting");
        }
        return ActionOutcome.refused("restart failed");
    }

    @Override
    public boolean scheduleRestart(RestartRequest request) {
        Observation obs = loop.lastObservation();
        String pmStart = obs == null ? null : obs.local().postmasterStartTime();
        Integer version = request.postgresVersion() == null ? null
                : RestartRequest.postgresVersionToInt(request.postgresVersion());
        ScheduledRestart s = new ScheduledRestart(request.schedule().toInstant(), request.role(), version,
                request.restartPending(), request.timeoutSeconds(), pmStart);
        boolean ok = loop.scheduleRestart(request, s);
        loop.wakeUp();
        return ok;
    }

    @Override
    public boolean cancelScheduledRestart() {
        if (!loop.hasScheduledRestart()) {
            return false;
        }
        loop.clearScheduledRestart();
        return true;
    }

    @Override
    public ActionOutcome reinitialize(boolean force, boolean fromLeader) {
        ClusterView v = dcs.cluster();
        if (v.isUnlocked()) {
            return ActionOutcome.refused("Cluster has no leader, can not reinitialize");
        }
        if (name.equals(v.leaderName())) {
            return ActionOutcome.refused("I am the leader, can not reinitialize");
        }
        if (force) {
            loop.runner().cancel();
            try {
                loop.runner().awaitIdle(Duration.ofSeconds(loop.pgCtlTimeoutSeconds()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Patroni 4.1's from_leader: the leader, by pg_basebackup, instead of a clonefrom member's replica methods
        Member source = fromLeader ? v.leaderMember().orElse(null) : CloneSource.pick(v, name);
        String busy = loop.executor().submitReinitialize(
                source == null ? null : FollowTarget.member(source.name(), source.connUrl(), null), fromLeader);
        if (busy != null) {
            return ActionOutcome.refused(busy + " already in progress");
        }
        return ActionOutcome.ok("reinitialize started");
    }

    @Override
    public ActionOutcome acceptFailsafe(FailsafeHeartbeat hb) {
        Observation obs = loop.lastObservation();
        if (obs != null && obs.local().running() && obs.local().primary()) {
            return ActionOutcome.refused("Running as a leader");
        }
        loop.acceptFailsafe(new io.haagent.ha.FailsafeContact(hb.name(), hb.apiUrl(), hb.connUrl(), hb.slots(),
                clock.nanoTime()));
        return ActionOutcome.ok("Accepted");
    }

    @Override
    public List<CandidateCheck> checkCandidates(ClusterView cluster, List<Member> members) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (Member m : members) {
            if (m.apiUrl() != null && !m.apiUrl().isBlank() && !m.nofailover()) {
                urls.put(m.name(), m.apiUrl());
            }
        }
        Map<String, PeerStatus> answers = urls.isEmpty() ? Map.of() : peers.statuses(urls);
        List<CandidateCheck> out = new ArrayList<>();
        for (FailoverCandidates.Verdict v : FailoverCandidates.check(cluster, members, answers)) {
            out.add(new CandidateCheck(v.member(), v.eligible(), v.reason()));
        }
        return out;
    }
}
