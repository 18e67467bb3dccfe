package io.haagent.sim;

import io.haagent.ha.RoleChangeRecord;
import java.util.HashSet;
import java.util.Set;

/**
 * Invariant 3: with asynchronous replication, a failover loses no more than {@code maximum_lag_on_failover}: a node
 * promoted off timeline {@code T} forked from it at most that many bytes behind the last position T's primary
 * published in the DCS (Patroni's guarantee; what was written after that position is the documented window of
 * asynchronous replication). Bytes acknowledged and lost anyway are counted ({@link #lostBytes()}).
 *
 * <p>And every loss is reported by the agent that promoted: a promotion that lost acknowledged commits has its
 * role-change record (logged and served in {@code /patroni}: the last known leader position, its own, the lag), and
 * the bytes between T's last published position and the fork, the loss its agent could know of, are at most the lag
 * that record gives it. Commits after the last published position are beyond what any agent can know.
 */
public final class AsyncLossBounded implements Invariant {
    private final Set<Long> seen = new HashSet<>();
    private long lostBytes;
    private int failovers;

    @Override
    public String name() {
        return "async-loss-bounded";
    }

    @Override
    public String check(StepView step) {
        String breach = null;
        for (NodeView n : step.writable()) {
            if (!seen.add(n.timeline()) || n.history().isEmpty()) {
                continue;
            }
            var fork = n.history().get(n.history().size() - 1);
            long old = fork.timeline();
            Long acked = step.acked().get(old);
            if (acked != null && acked > fork.lsn()) {
                lostBytes += acked - fork.lsn();
            }
            failovers++;
            Long published = step.published().get(old);
            boolean lost = acked != null && acked > fork.lsn();
            long known = published == null ? 0 : Math.max(0, published - fork.lsn());
            String unreported = "off".equals(step.syncMode()) && (lost || known > 0)
                    ? unreported(n, old, known, step.promotionReports().get(n.name())) : null;
            if (unreported != null) {
                breach = unreported;
            }
            if ("off".equals(step.syncMode()) && published != null && published - fork.lsn() > step.maxLag()) {
                breach = n.name() + " was promoted to timeline " + n.timeline() + " from " + fork.lsn() + " on timeline "
                        + old + ", " + (published - fork.lsn()) + " bytes behind the published " + published
                        + ": more than maximum_lag_on_failover " + step.maxLag();
            }
        }
        return breach;
    }

    /** Why the promotion of {@code n} off timeline {@code old}, {@code known} bytes behind, went unreported. */
    private static String unreported(NodeView n, long old, long known, PromotionReport report) {
        if (report == null || report.fromTimeline() != old) {
            return n.name() + " was promoted to timeline " + n.timeline() + ", losing acknowledged commits of timeline "
                    + old + " (" + known + " bytes behind its published position), and recorded no role change for it";
        }
        long reported = report.record().candidates().stream().filter(c -> c.name().equals(n.name()))
                .mapToLong(RoleChangeRecord.Candidate::lag).findFirst().orElse(-1);
        if (reported < known) {
            return n.name() + " was promoted to timeline " + n.timeline() + " " + known + " bytes behind timeline " + old
                    + "'s published position, but its role-change record reports "
                    + (reported < 0 ? "no lag for it" : "a lag of " + reported + " bytes");
        }
        return null;
    }

    public long lostBytes() {
        return lostBytes;
    }

    public int promotions() {
        return failovers;
    }
}
