package io.haagent.agent.ha;

import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.haagent.ha.Action.SyncSlots}: applies the replication slot plan the decider made (§4.8,
 * {@code io.haagent.ha.SlotChoice}). A step that fails is logged; the next decision plans it again.
 */
final class SlotSync {
    private static final Logger LOG = LoggerFactory.getLogger(SlotSync.class);

    private final PostgresControl pg;

    SlotSync(PostgresControl pg) {
        this.pg = pg;
    }

    void apply(SlotPlan plan) {
        if (!plan.hasChanges()) {
            return;
        }
        try {
            for (SlotResult r : pg.applySlots(plan)) {
                if (r.failed()) {
                    LOG.warn("replication slot {}: {}", r.action(), r.detail());
                }
            }
        } catch (PostgresException e) {
            // postgres stopped since the cycle read its slots: the next decision plans again
            LOG.warn("replication slots not changed: {}", e.getMessage());
        }
    }
}
