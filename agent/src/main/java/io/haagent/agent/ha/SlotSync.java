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

    void run() {
        ClusterView view = loop.cluster();
        if (view == null || !loop.useSlots() || !pg.isRunning()) {
            return;
        }
        Role role = node.role() == Role.STANDBY_LEADER ? Role.STANDBY_LEADER
                : node.role().isPrimary() ? Role.PRIMARY : Role.REPLICA;
        io.haagent.pg.ServerStatus status;
        try {
            status = pg.state();
        } catch (PostgresException e) {
            return;
        }
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input(name, role,
                view.member(name).map(Member::nofailover).orElse(false), view, pg.replicationSlots(),
                status.isPrimary() ? null : status.replayLsn()));
        for (SlotResult r : pg.applySlots(plan)) {
            if (r.failed()) {
                LOG.warn("replication slot {}: {}", r.action(), r.detail());
            }
        }
    }
}
