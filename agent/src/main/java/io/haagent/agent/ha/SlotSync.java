package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotPlanner;
import io.haagent.slots.SlotResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.haagent.ha.Action.SyncSlots}: the replication slots this node should have (§4.8, {@link SlotPlanner}:
 * a pure plan from the cluster view, the node's role and the slots postgres has), applied. A slot that fails is
 * logged and tried again next cycle.
 */
final class SlotSync {
    private static final Logger LOG = LoggerFactory.getLogger(SlotSync.class);

    private final String name;
    private final PostgresControl pg;
    private final NodeState node;
    private final LoopContext loop;

    SlotSync(String name, PostgresControl pg, NodeState node, LoopContext loop) {
        this.name = name;
        this.pg = pg;
        this.node = node;
        this.loop = loop;
    }

    /** What was planned, and against which view: the caller copies the logical slots the plan names. */
    record Planned(SlotPlan plan, ClusterView view) {
    }

    /**
     * @param failsafe the primary that called our POST /failsafe, when it stands in for the leader (§3.8): it leads,
     *                 at the slot positions it sent; null otherwise
     * @return the plan applied, or null when none was made
     */
    Planned run(io.haagent.ha.FailsafeContact failsafe) {
        ClusterView view = loop.cluster() != null ? loop.cluster() : failsafe != null ? loop.lastView() : null;
        if (view == null || !loop.useSlots() || !pg.isRunning()) {
            return null;
        }
        if (failsafe != null) {
            view = new ClusterView(view.initialize(), view.config(), new io.haagent.cluster.Leader(failsafe.name(), 0,
                    0), new io.haagent.cluster.ClusterStatus(view.status().optime(), failsafe.slots(), 0),
                    view.members(), view.failover(), view.sync(), view.history(), view.failsafe(), view.revision());
        }
        Role role = node.role() == Role.STANDBY_LEADER ? Role.STANDBY_LEADER
                : node.role().isPrimary() ? Role.PRIMARY : Role.REPLICA;
        io.haagent.pg.ServerStatus status;
        try {
            status = pg.state();
        } catch (PostgresException e) {
            return null;
        }
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input(name, role,
                view.member(name).map(Member::nofailover).orElse(false), view, pg.replicationSlots(),
                status.isPrimary() ? null : status.replayLsn()));
        for (SlotResult r : pg.applySlots(plan)) {
            if (r.failed()) {
                LOG.warn("replication slot {}: {}", r.action(), r.detail());
            }
        }
        return new Planned(plan, view);
    }
}
