package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.DemoteMode;
import io.haagent.ha.LongAction;
import io.haagent.ha.Outcome;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StopResult;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's step-down (§3.7, {@link io.haagent.ha.Action.Demote}): checkpoint, stop in the mode's way, release
 * the lock when the mode says so. It ends there, stopped and without the lock; what the node becomes is the next
 * decision's: after a graceful (switchover) step-down the rules every stopped replica goes through (§3.6 recover: the
 * leader to follow from that cycle's view, a divergence check, pg_rewind or a start as a replica); after the other
 * modes a start as a replica ({@link Outcome.SteppedDown}: offline, of nobody, while etcd is gone; immediate, of the
 * leader that cycle's view names), as Patroni's demote does. Safety rule 1 orders it: the lock belief goes before
 * anybody else can take the key.
 */
final class StepDown {
    private static final Logger LOG = LoggerFactory.getLogger(StepDown.class);

    private final ActionExecutor ex;
    private final Dcs dcs;
    private final PostgresControl pg;
    private final NodeState node;
    private final LockBelief lock;
    private final LoopContext loop;

    StepDown(ActionExecutor ex, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock, LoopContext loop) {
        this.ex = ex;
        this.dcs = dcs;
        this.pg = pg;
        this.node = node;
        this.lock = lock;
        this.loop = loop;
    }

    /**
     * §3.7, on the background runner or inline as the decision says ({@link io.haagent.ha.Action.Demote#inBackground}):
     * inline, the outcomes go into {@code u} and the loop runs again at once to start the replica.
     */
    boolean demote(DemoteMode mode, boolean inBackground, List<Outcome> u) {
        LOG.info("Demoting self ({})", mode.wire());
        if (!mode.releaseLock()) {
            // Safety rule 1: a mode that keeps no lock stops believing in it now, before the snapshot this cycle
            // publishes (GET /primary), not when the background stop gets to it: an offline demote runs on the
            // runner, and /primary would answer 200 for another cycle of an unreachable etcd.
            lock.clear();
        }
        if (inBackground) {
            String name = switch (mode) {
                case GRACEFUL -> "switchover: demote";
                case DEMOTE_CLUSTER -> "demoting to a standby cluster";
                default -> "demote " + mode.wire();
            };
            return ex.submit(LongAction.Kind.DEMOTE, name, cancel -> demoteBody(mode));
        }
        u.addAll(demoteBody(mode));
        loop.wakeUp();
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
        // synchronous_standby_names is cleared by the decision that starts it as a replica (§3.6, §3.7). Patroni's
        // demote starts the replica itself; here the next decision does (Outcome.SteppedDown): after a switchover by
        // the rules every stopped replica goes through, in pause too; after the other modes at once
        updates.add(new Outcome.SteppedDown(mode));
        return updates;
    }
}
