package io.haagent.sim;

import io.haagent.ha.RoleChangeRecord;

/**
 * What an agent reported when it decided to promote (invariant 3): the role-change record it logged and served in
 * {@code /patroni}, and the timeline its postgres was on then (the one the promotion leaves).
 */
public record PromotionReport(long fromTimeline, RoleChangeRecord record) {
}
