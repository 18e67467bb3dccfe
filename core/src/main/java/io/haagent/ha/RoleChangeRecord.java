package io.haagent.ha;

import java.util.List;

/**
 * Why a role changed (DESIGN §4 rule 5): what was decided, the inputs that mattered, and each candidate with
 * its position and the reason it was or was not chosen. Logged as one structured line, served in
 * {@code /patroni}, counted in {@code /metrics}.
 *
 * @param kind what changed; its label is the record's {@code kind} in the log and in {@code /patroni}
 */
public record RoleChangeRecord(
        Kind kind,
        String decision,
        String leaderBefore,
        long clusterTimeline,
        long lastLeaderLsn,
        List<Candidate> candidates) {

    public RoleChangeRecord {
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    /** The kinds of role change the decider records. */
    public enum Kind {
        /** A replica takes over after the leader key was lost, or on a manual failover. */
        FAILOVER("failover"),
        /** A planned hand-over from a named leader. */
        SWITCHOVER("switchover"),
        /** postgres died under us and is started again in the same role (or given up: see the decision). */
        CRASH_RESTART("crash_restart"),
        /** The primary steps down on its own (lost the lock, DCS unreachable). */
        DEMOTE("demote"),
        /** A new cluster was initialized here. */
        BOOTSTRAP("bootstrap");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One member considered: LSN, lag behind the last known leader position, timeline, tags, verdict. */
    public record Candidate(String name, long walPosition, long lag, long timeline, int failoverPriority,
            boolean nofailover, boolean eligible, String reason) {
    }
}
