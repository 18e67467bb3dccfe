package io.haagent.ha;

import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import java.util.Locale;

/**
 * The REST requests that change what the node does (§2.6, §3.11; {@link NodeRequest}), decided with the rest of the
 * cycle (issue 12): Patroni's handlers take its async executor between cycles and check there; here the decider reads
 * the request as an input, refuses it with Patroni's sentence or emits the long action, and answers it. A restart is
 * answered when its outcome comes back ({@code restarted successfully}, {@code postgres is still starting},
 * {@code restart failed}); it is allowed in pause. A reinitialize is refused on the leader and while a long action
 * runs, unless forced: then that action is cancelled and the reinitialize starts in the first cycle after it ended.
 */
abstract class DecisionCycleRequests extends DecisionCycleSetup {

    DecisionCycleRequests(HaInput in) {
        super(in);
    }

    /**
     * Before step 5 (a long action in progress): a reinitialize, new or forced and waiting, that can start now
     * replaces the rest of the cycle (this node is no leader; the clone is all it does); null when none does.
     */
    String reinitializeRequest() {
        NodeRequest.InFlight f = mem.requestInFlight();
        if (f != null && f.request() instanceof NodeRequest.Reinitialize r) {
            if (in.longAction() != null) {
                return null;
            }
            mem = mem.withRequestInFlight(null);
            return reinitialize(r);
        }
        if (in.request() instanceof NodeRequest.Reinitialize r) {
            return reinitialize(r);
        }
        return null;
    }

    /** §3.11: Patroni's {@code reinitialize}; null when refused (and answered) or waiting for a cancelled action. */
    private String reinitialize(NodeRequest.Reinitialize r) {
        if (cluster.isUnlocked()) {
            answer(r, false, "Cluster has no leader, can not reinitialize");
            return null;
        }
        if (me.equals(cluster.leaderName())) {
            answer(r, false, "I am the leader, can not reinitialize");
            return null;
        }
        if (in.longAction() != null) {
            if (!r.force()) {
                answer(r, false, in.longAction().name() + " already in progress");
                return null;
            }
            // {"force": true}: the running action stops at its next safe point; the clone starts once it ended
            plan.add(new Action.CancelLongAction());
            mem = mem.withRequestInFlight(new NodeRequest.InFlight(r, null));
            return null;
        }
        // from_leader (Patroni 4.1): the leader, by pg_basebackup, instead of a clonefrom member's replica methods
        Member source = r.fromLeader() ? cluster.leaderMember().orElse(Member.builder(cluster.leaderName()).build())
                : cloneMember();
        plan.add(new Action.Reinitialize(FollowTarget.member(source.name(), source.connUrl(), null), nodeToFollow(),
                "requested", r.fromLeader()));
        answer(r, true, "reinitialize started");
        return "reinitializing from " + (source.name().equals(cluster.leaderName()) ? "leader" : "replica") + " '"
                + source.name() + "' as requested";
    }

    /**
     * After the cycle's own steps: a restart waiting for its outcome is answered once it came back; a new one is
     * refused when its conditions do not hold or a long action runs or was just decided (Patroni: {@code <action>
     * already in progress}), else it runs. A reinitialize when etcd could not be read is refused.
     */
    String restartRequest(String summary) {
        NodeRequest.InFlight f = mem.requestInFlight();
        if (f != null && f.request() instanceof NodeRequest.Restart r && (f.restarted() != null || in.longAction() == null)) {
            Outcome.Restarted done = f.restarted();
            mem = mem.withRequestInFlight(null);
            Outcome.Restarted.Result result = done == null ? Outcome.Restarted.Result.FAILED : done.result();
            switch (result) {
                case RESTARTED -> answer(r, true, "restarted successfully");
                case STILL_STARTING -> answer(r, false, "postgres is still starting");
                case NOT_STARTED -> answer(r, false, done.busyWith() + " already in progress");
                default -> answer(r, false, "restart failed");
            }
        }
        if (in.request() instanceof NodeRequest.Reinitialize r && !in.dcsAvailable()) {
            answer(r, false, "DCS is not accessible, can not reinitialize");
        }
        if (!(in.request() instanceof NodeRequest.Restart r)) {
            return summary;
        }
        if (!restartMatches(r.role(), r.postgresVersion(), r.restartPending())) {
            answer(r, false, "restart conditions are not satisfied");
            return summary;
        }
        String busy = in.longAction() != null ? in.longAction().name() : plannedLongAction();
        if (busy != null) {
            answer(r, false, busy + " already in progress");
            return summary;
        }
        plan.add(restart(r.timeoutSeconds()));
        mem = mem.withRequestInFlight(new NodeRequest.InFlight(r, null));
        return "restarting as requested";
    }

    /**
     * The restart action (§3.5): postgres comes back in the role it has, the primary as the primary, a replica
     * following whom it follows; the start may take {@code timeoutSeconds} (else primary_start_timeout) before the
     * leader's start counts as failed, and a start that fails is handled as a failed recovery (Patroni sets
     * {@code recovering}).
     */
    Action.Restart restart(Integer timeoutSeconds) {
        mem = mem.withStartTimeout(timeoutSeconds).withRecovering(true);
        Role role = roleNow();
        if (role.isPrimary() || role == Role.PROMOTED) {
            return new Action.Restart(timeoutSeconds, null, role);
        }
        return new Action.Restart(timeoutSeconds, cluster == null ? FollowTarget.NONE : nodeToFollow(), role);
    }

    /** Patroni's {@code restart_matches}: the role (either spelling of the primary), an older server, a pending restart. */
    boolean restartMatches(String role, Integer postgresVersion, boolean restartPending) {
        if (role != null && Role.parse(role) != (local.role() == Role.PROMOTED ? Role.PRIMARY : local.role())) {
            return false;
        }
        if (postgresVersion != null && local.serverVersion() >= postgresVersion) {
            return false;
        }
        return !restartPending || local.pendingRestart();
    }

    private String plannedLongAction() {
        for (Action a : plan.actions()) {
            if (a instanceof Action.LongRunning) {
                return a.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private void answer(NodeRequest r, boolean ok, String text) {
        plan.add(new Action.AnswerRequest(r.id(), ok, text));
    }
}
