package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 4: once the last fault has healed, within {@code ttl + 2 x loop_wait} there is exactly one primary, it
 * holds the leader key, and every other node runs as a replica streaming from it on its timeline. Judged once, at
 * the first step at or after that deadline.
 */
public final class Converges implements Invariant {
    private boolean judged;

    @Override
    public String name() {
        return "converges-after-heal";
    }

    @Override
    public String check(StepView step) {
        if (judged || step.healedAt() < 0 || step.nanos() < step.healedAt() + step.settleNanos()) {
            return null;
        }
        judged = true;
        List<NodeView> primaries = step.writable();
        String when = Trace.seconds(step.settleNanos()) + " s after the last fault healed at "
                + Trace.seconds(step.healedAt());
        if (primaries.size() != 1) {
            return primaries.size() + " primaries " + when + ": " + step.nodes();
        }
        NodeView p = primaries.get(0);
        if (!p.name().equals(step.leader())) {
            return "primary " + p.name() + " does not hold the leader key (" + step.leader() + ") " + when;
        }
        List<String> stray = new ArrayList<>();
        for (NodeView n : step.nodes()) {
            if (n != p && !(n.replica() && n.streaming() && p.name().equals(n.upstream())
                    && n.timeline() == p.timeline())) {
                stray.add(n.toString());
            }
        }
        return stray.isEmpty() ? null : "not following " + p + " " + when + ": " + stray;
    }

    public boolean judged() {
        return judged;
    }
}
