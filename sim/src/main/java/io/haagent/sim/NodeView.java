package io.haagent.sim;

import io.haagent.pg.FakePostgres;
import java.util.List;

/**
 * One simulated node as the invariants see it after a step: its agent, and its postgres as a client or a replica would.
 *
 * @param agent    the agent process: up, frozen (SIGSTOP, a GC pause), down (crashed, not restarted yet), or resuming
 *                 (back from a freeze or a crash, until its first cycle and what that cycle started have run)
 * @param watchdog a watchdog (a fence outside the agent process) guards this node
 * @param writable postgres runs as a primary and accepts connections: it acknowledges writes
 * @param replica  postgres runs in recovery and accepts connections
 * @param history  the timeline switches that lead to {@code timeline} (oldest first)
 * @param upstream the member it replicates from, or null
 * @param streaming it received WAL from its upstream at the last replication step
 */
public record NodeView(String name, Agent agent, boolean watchdog, boolean writable, boolean replica, long timeline,
        long lsn, List<FakePostgres.Switch> history, String upstream, boolean streaming) {

    /** The agent process of a node. */
    public enum Agent { UP, FROZEN, DOWN, RESUMING }

    /** An agent that cannot stop its postgres: frozen or dead, with no watchdog to fence it. */
    public boolean unfenced() {
        return agent != Agent.UP && !watchdog;
    }

    /**
     * How far this node's history reaches on timeline {@code tl}: its position when {@code tl} is its own, the
     * switch point when it left {@code tl}, -1 when {@code tl} is not in its history (another branch, or newer).
     */
    public long reach(long tl) {
        if (tl == timeline) {
            return lsn;
        }
        for (FakePostgres.Switch s : history) {
            if (s.timeline() == tl) {
                return s.lsn();
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return name + "[agent " + agent.name().toLowerCase(java.util.Locale.ROOT) + (watchdog ? "+wd" : "") + ", "
                + (writable ? "primary" : replica ? "replica" + (upstream == null ? "" : " of " + upstream)
                        + (streaming ? " streaming" : "") : "postgres down")
                + ", tl " + timeline + " at " + lsn + "]";
    }
}
