package io.haagent.ha;

import java.util.List;

/**
 * Why a role changed (DESIGN §4 rule 5): what was decided, the inputs that mattered, and each candidate with
 * its position and the reason it was or was not chosen. Logged as one structured line, served in
 * {@code /patroni}, counted in {@code /metrics}.
 *
 * @param kind one of failover, switchover, crash_restart, demote, bootstrap
 */
public record RoleChangeRecord(
        String kind,
        String decision,
        String leaderBefore,
        long clusterTimeline,
        long lastLeaderLsn,
        List<Candidate> candidates) {

    public RoleChangeRecord {
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    /** One member considered: LSN, lag behind the last known leader position, timeline, tags, verdict. */
    public record Candidate(String name, long walPosition, long lag, long timeline, int failoverPriority,
            boolean nofailover, boolean eligible, String reason) {
    }
}
