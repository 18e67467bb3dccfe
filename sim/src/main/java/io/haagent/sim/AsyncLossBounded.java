package io.haagent.sim;

import java.util.HashSet;
import java.util.Set;

/**
 * Invariant 3: with asynchronous replication, a failover loses no more than {@code maximum_lag_on_failover}: a node
 * promoted off timeline {@code T} forked from it at most that many bytes behind the last position T's primary
 * published in the DCS (Patroni's guarantee; what was written after that position is the documented window of
 * asynchronous replication). Bytes acknowledged and lost anyway are counted ({@link #lostBytes()}).
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
            if ("off".equals(step.syncMode()) && published != null && published - fork.lsn() > step.maxLag()) {
                breach = n.name() + " was promoted to timeline " + n.timeline() + " from " + fork.lsn() + " on timeline "
                        + old + ", " + (published - fork.lsn()) + " bytes behind the published " + published
                        + ": more than maximum_lag_on_failover " + step.maxLag();
            }
        }
        return breach;
    }

    public long lostBytes() {
        return lostBytes;
    }

    public int promotions() {
        return failovers;
    }
}
