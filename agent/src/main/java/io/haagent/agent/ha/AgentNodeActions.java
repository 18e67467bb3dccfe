package io.haagent.agent.ha;

import io.haagent.api.ActionOutcome;
import io.haagent.api.CandidateCheck;
import io.haagent.api.FailsafeHeartbeat;
import io.haagent.api.NodeActions;
import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.dcs.Dcs;
import io.haagent.ha.FailoverCandidates;
import io.haagent.ha.NodeRequest;
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
    private final Dcs dcs;
    private final HaLoop loop;
    private final PeerClient peers;
    private final Runnable reload;
    private final Clock clock;

    public AgentNodeActions(Dcs dcs, HaLoop loop, PeerClient peers, Runnable reload, Clock clock) {
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

    /**
     * §2.6: the next decision reads the request (its conditions, a long action running) and answers it; a restart
     * that runs is answered when its outcome came back, so this waits for the start as Patroni's handler does.
     */
    @Override
    public ActionOutcome restart(RestartRequest request) {
        Integer version = request.postgresVersion() == null ? null
                : RestartRequest.postgresVersionToInt(request.postgresVersion());
        int start = request.timeoutSeconds() != null ? request.timeoutSeconds()
                : Math.max(loop.dynamic().primaryStartTimeout(), loop.pgCtlTimeoutSeconds());
        // the stop, the start, and a cycle on either side to decide and to read the outcome
        Duration wait = Duration.ofSeconds(start + loop.pgCtlTimeoutSeconds() + 2L * loop.dynamic().loopWait() + 5L);
        return loop.requests().ask(id -> new NodeRequest.Restart(id, request.role(), version, request.restartPending(),
                request.timeoutSeconds()), loop::wakeUp, wait, "restart failed");
    }

    @Override
    public boolean scheduleRestart(RestartRequest request) {
        Observation obs = loop.lastObservation();
        String pmStart = obs == null ? null : obs.local().postmasterStartTime();
        Integer version = request.postgresVersion() == null ? null
                : RestartRequest.postgresVersionToInt(request.postgresVersion());
        ScheduledRestart s = new ScheduledRestart(request.schedule().toInstant(), request.role(), version,
                request.restartPending(), request.timeoutSeconds(), pmStart);
        boolean ok = loop.requests().schedule(request, s);
        loop.wakeUp();
        return ok;
    }

    @Override
    public boolean cancelScheduledRestart() {
        if (loop.requests().scheduled() == null) {
            return false;
        }
        loop.clearScheduledRestart();
        return true;
    }

    /**
     * §3.11: the next decision refuses it (no leader, the leader, a long action running unless {@code force}) or
     * starts it; with {@code force} the running action is cancelled first and the answer comes once it ended.
     */
    @Override
    public ActionOutcome reinitialize(boolean force, boolean fromLeader) {
        Duration wait = Duration.ofSeconds(loop.pgCtlTimeoutSeconds() + 2L * loop.dynamic().loopWait() + 5L);
        return loop.requests().ask(id -> new NodeRequest.Reinitialize(id, force, fromLeader), loop::wakeUp, wait,
                "reinitialize not started: no answer from the HA loop");
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
