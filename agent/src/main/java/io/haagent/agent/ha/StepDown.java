package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.DemoteMode;
import io.haagent.ha.FollowTarget;
import io.haagent.ha.LongAction;
import io.haagent.ha.Outcome;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopResult;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's step-down (§3.7, {@link io.haagent.ha.Action.Demote}): checkpoint, stop in the mode's way, release
 * the lock when the mode says so. A graceful (switchover) step-down ends there, stopped and without the lock: the
 * next cycle decides what the node becomes (§3.6 recover: the leader to follow from that cycle's view, a divergence
 * check, pg_rewind or a start as a replica). The other modes start a replica at once (offline: of nobody, while etcd
 * is gone; immediate: of the leader etcd names now), as Patroni's demote does. Safety rule 1 orders it: the lock
 * belief goes before anybody else can take the key.
 */
final class StepDown {
    private static final Logger LOG = LoggerFactory.getLogger(StepDown.class);

    private final ActionExecutor ex;
    private final Targets targets;
    private final Starts starts;
    private final Dcs dcs;
    private final PostgresControl pg;
    private final NodeState node;
    private final LockBelief lock;
    private final LoopContext loop;

    StepDown(ActionExecutor ex, Starts starts, Targets targets, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock, LoopContext loop) {
        this.ex = ex;
        this.targets = targets;
        this.starts = starts;
        this.dcs = dcs;
        this.pg = pg;
        this.node = node;
        this.lock = lock;
        this.loop = loop;
    }

    /** §3.7. Immediate modes stop inline (their point is to stop writes now); the rest runs in the background. */
    boolean demote(DemoteMode mode) {
        LOG.info("Demoting self ({})", mode.wire());
        if (!mode.releaseLock()) {
            // Safety rule 1: a mode that keeps no lock stops believing in it now, before the snapshot this cycle
            // publishes (GET /primary), not when the background stop gets to it: an offline demote runs on the
            // runner, and /primary would answer 200 for another cycle of an unreachable etcd.
            lock.clear();
        }
        if (mode == DemoteMode.GRACEFUL) {
            return ex.submit(LongAction.Kind.DEMOTE, "switchover: demote", cancel -> demoteBody(mode));
        }
        if (mode == DemoteMode.DEMOTE_CLUSTER) {
            return ex.submit(LongAction.Kind.DEMOTE, "demoting to a standby cluster", cancel -> demoteBody(mode));
        }
        if (mode == DemoteMode.OFFLINE && !ex.runnerBusy()) {
            return ex.submit(LongAction.Kind.DEMOTE, "demote offline", cancel -> demoteBody(mode));
        }
        demoteBody(mode);
        return true;
    }

    /** The member a pending switchover names as candidate, or null. */
    private String switchoverCandidate() {
        ClusterView v = loop.cluster();
        return v == null || v.failover() == null ? null : v.failover().candidate();
    }

    private List<Outcome> demoteBody(DemoteMode mode) {
        try {
            return stepDown(mode);
        } finally {
            // done or failed: the lock and postgres' role say again what this node is
            node.endStepDown();
            loop.publishNow();
        }
    }

    private List<Outcome> stepDown(DemoteMode mode) {
        List<Outcome> updates = new ArrayList<>();
        updates.add(new Outcome.RewindCheckDue());
        if (!mode.releaseLock()) {
            // without the lock (or without etcd) we are not the leader any more, whatever happens next
            lock.clear();
        }
        if (mode.checkpoint()) {
            // The shutdown checkpoint is then short, and the primary keeps taking writes while this one runs: it is
            // not part of the time clients cannot write (issue 17). Patroni's order: checkpoint, then before_stop.
            try {
                pg.checkpoint();
            } catch (PostgresException e) {
                LOG.warn("CHECKPOINT before stopping failed, stopping anyway: {}", e.getMessage());
            }
        }
        // Issue 17: from here on this primary stops taking writes, and GET /primary says so at once (503, naming
        // the member taking over), not once postgres has stopped and the lock is released: a load balancer moves
        // clients away, and a client waits on the successor, while postgres shuts down. Not earlier (during the
        // checkpoint above): HAProxy would cut sessions (on-marked-down shutdown-sessions) that can still write.
        node.beginStepDown(switchoverCandidate());
        loop.publishNow();
        node.setState(PostgresState.STOPPING);
        StopResult stopped = pg.stop(mode.stopMode(), false,
                ex.stopTimeout());
        node.setState(PostgresState.STOPPED);
        node.setRole(Role.DEMOTED);
        loop.roleChanges().phase("demote");
        if (mode.releaseLock()) {
            Long lastLsn = null;
            if ((mode == DemoteMode.GRACEFUL || mode == DemoteMode.DEMOTE_CLUSTER) && stopped.controlData() != null) {
                lastLsn = stopped.controlData().checkpointLocation().map(l -> l.value()).orElse(null);
            }
            try {
                final Long optime = lastLsn;
                lock.releasing(() -> dcs.releaseLeader(optime));
                LOG.info("Leader key released");
            } catch (DcsUnavailableException e) {
                LOG.error("could not release the leader key: {} (it expires with our lease)", e.getMessage());
            }
            loop.roleChanges().phase("release_lock");
        }
        // for this node the change is done: it no longer accepts writes and no longer holds the lock
        loop.roleChanges().complete(Role.DEMOTED.wire());
        if (loop.dynamic().synchronousModeEffective()) {
            try {
                pg.setSynchronousStandbyNames("");
            } catch (PostgresException e) {
                LOG.debug("clearing synchronous_standby_names on a stopped node: {}", e.getMessage());
            }
        }
        if (mode == DemoteMode.GRACEFUL || mode == DemoteMode.DEMOTE_CLUSTER) {
            // A switchover's (or a demote-cluster's) old primary is stopped and holds no lock: the next cycle, woken
            // when this ends, decides what it becomes (§3.6 recover): the leader it follows from that cycle's view,
            // and whether it diverged from it (a divergence check, then pg_rewind or a start as a replica), in pause
            // too.
            updates.add(new Outcome.SteppedDown());
            return updates;
        }
        FollowTarget target = mode == DemoteMode.OFFLINE ? FollowTarget.NONE : targets.currentLeader();
        Runnable startAsReplica = () -> starts.start(new StartRequest(targets.recovery(target), ex.startTimeout(null),
                CallbackAction.ON_ROLE_CHANGE, Role.REPLICA), Role.REPLICA);
        if (mode == DemoteMode.IMMEDIATE || mode == DemoteMode.IMMEDIATE_NOLOCK) {
            ex.submit(LongAction.Kind.START, "starting after demotion", cancel -> {
                startAsReplica.run();
                return List.of();
            });
        } else {
            startAsReplica.run();
        }
        return updates;
    }
}
