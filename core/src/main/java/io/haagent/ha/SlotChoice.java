package io.haagent.ha;

import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotPlanner;
import java.util.List;

/**
 * The decider's choice of replication slots (§4.8, §4.8.1): which to create, advance and drop, from the slots the
 * loop read ({@link LocalState#slots()}) and the cluster view, by {@link SlotPlanner}. The executor applies the
 * plan as it is ({@link Action.SyncSlots}); the permanent logical slots it names as missing are the next
 * decision's to copy ({@link Action.CopyLogicalSlots}).
 */
final class SlotChoice {
    private SlotChoice() {
    }

    /**
     * @param cluster  this cycle's view, or null when etcd is out of reach (the input's last view is used then,
     *                 for a replica that keeps the failsafe primary's slot positions)
     * @param failsafe the primary that called our POST /failsafe, when it stands in for the leader (§3.8): it leads,
     *                 at the slot positions it sent; null otherwise
     * @param role     the role the node has once this decision's {@link Action.SetRole} is applied
     * @return the plan, or null when there is none to make: no view, use_slots off, postgres not running, or its
     *         slots not read this cycle
     */
    static SlotPlan plan(HaInput in, ClusterView cluster, FailsafeContact failsafe, Role role) {
        ClusterView view = cluster != null ? cluster : failsafe != null ? in.lastCluster() : null;
        LocalState local = in.local();
        if (view == null || !local.running() || local.slots() == null
                || !io.haagent.config.DynamicConfig.from(in.self().dynamicConfiguration()).useSlots()) {
            return null;
        }
        if (failsafe != null) {
            view = new ClusterView(view.initialize(), view.config(), new Leader(failsafe.name(), 0, 0),
                    new ClusterStatus(view.status().optime(), failsafe.slots(), 0), view.members(), view.failover(),
                    view.sync(), view.history(), view.failsafe(), view.revision());
        }
        Role as = role == Role.STANDBY_LEADER ? Role.STANDBY_LEADER : role.isPrimary() ? Role.PRIMARY : Role.REPLICA;
        String me = in.name();
        return SlotPlanner.plan(new SlotPlanner.Input(me, as, view.member(me).map(Member::nofailover).orElse(false),
                view, local.slots().existing(), local.primary() ? null : local.slots().replayLsn()));
    }

    /** The role the node has after the actions planned so far: the last {@link Action.SetRole}, else its own. */
    static Role roleAfter(List<Action> planned, Role now) {
        Role r = now;
        for (Action a : planned) {
            if (a instanceof Action.SetRole s) {
                r = s.role();
            }
        }
        return r;
    }
}
