package io.haagent.sim;

import java.util.Map;

/**
 * Invariant 2: with synchronous replication (synchronous_mode on, strict or quorum), no commit acknowledged after a
 * synchronous standby confirmed it is missing from any primary, after any failover: every writable node whose agent
 * can still act reaches, on each older timeline, the highest such commit made there.
 */
public final class AckedCommitsKept implements Invariant {
    @Override
    public String name() {
        return "acked-commits-kept";
    }

    @Override
    public String check(StepView step) {
        if ("off".equals(step.syncMode())) {
            return null;
        }
        for (NodeView n : step.writable()) {
            if (n.unfenced()) {
                continue;
            }
            for (Map.Entry<Long, Long> e : step.protectedAcked().entrySet()) {
                long tl = e.getKey();
                if (tl > n.timeline()) {
                    continue;
                }
                long reach = n.reach(tl);
                if (reach < e.getValue()) {
                    return "primary " + n + " lacks the commit at " + e.getValue() + " on timeline " + tl
                            + " acknowledged by synchronous replication (it reaches " + reach + ")";
                }
            }
        }
        return null;
    }
}
