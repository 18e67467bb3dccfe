package io.haagent.sim;

import java.util.List;
import java.util.Map;

/**
 * The simulated world after one step, as the invariants judge it.
 *
 * @param nanos          simulated time
 * @param nodes          every node, in name order
 * @param leader         the leader key's holder in the DCS, or null
 * @param syncMode       the cluster's synchronous mode: {@code off}, {@code on}, {@code quorum}
 * @param strict         synchronous_mode_strict
 * @param maxLag         maximum_lag_on_failover in bytes
 * @param protectedAcked per timeline, the highest commit acknowledged after a synchronous standby confirmed it (by a
 *                       primary whose agent could still stop it)
 * @param published      per timeline, the highest position its primary published in the DCS status key
 * @param acked          per timeline, the highest commit acknowledged at all
 * @param healedAt       when the last fault healed (simulated nanos), or -1 while faults are still to come
 * @param settleNanos    ttl + 2 x loop_wait: by then after the last heal the cluster must have converged
 * @param deaths         agents that died this step without an injected fault (with why), or thrown out of the loop
 * @param promotionReports per node, what its agent reported at its last decision to promote
 */
public record StepView(long nanos, List<NodeView> nodes, String leader, String syncMode, boolean strict, long maxLag,
        Map<Long, Long> protectedAcked, Map<Long, Long> published, Map<Long, Long> acked, long healedAt,
        long settleNanos, List<String> deaths, Map<String, PromotionReport> promotionReports) {

    /** A step without promotion reports (the invariants that do not read them). */
    public StepView(long nanos, List<NodeView> nodes, String leader, String syncMode, boolean strict, long maxLag,
            Map<Long, Long> protectedAcked, Map<Long, Long> published, Map<Long, Long> acked, long healedAt,
            long settleNanos, List<String> deaths) {
        this(nanos, nodes, leader, syncMode, strict, maxLag, protectedAcked, published, acked, healedAt, settleNanos,
                deaths, Map.of());
    }

    public List<NodeView> writable() {
        return nodes.stream().filter(NodeView::writable).toList();
    }

    public NodeView node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    String seconds() {
        return Trace.seconds(nanos);
    }
}
