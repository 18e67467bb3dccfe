package io.haagent.ha;

import java.util.List;
import java.util.Map;

/**
 * The result of one cycle's decision: the actions in order, the one sentence operators read (Patroni's
 * vocabulary; tests assert it), the memory to carry into the next cycle, and, when the decision changes
 * which node is primary, the record of why.
 *
 * @param nextCycleInMillis run the next cycle this soon (a scheduled switchover due before loop_wait), or null
 * @param notes             why an election went as it did, in Patroni's log lines ("Wal position of pg1 is ahead of
 *                          my wal position", "pg3 has equally tolerable WAL position and priority 2, ..."): logged
 *                          before the summary, so a replica that does not promote says why
 */
public record Decision(List<Action> actions, String summary, HaMemory memory, RoleChangeRecord roleChange,
        Long nextCycleInMillis, List<String> notes) {

    public Decision {
        actions = List.copyOf(actions);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    public Decision(List<Action> actions, String summary, HaMemory memory, RoleChangeRecord roleChange,
            Long nextCycleInMillis) {
        this(actions, summary, memory, roleChange, nextCycleInMillis, List.of());
    }

    public boolean has(Class<? extends Action> type) {
        return actions.stream().anyMatch(type::isInstance);
    }

    /** What {@code decide} returns: a decision, or the peers it must hear from first. */
    /**
     * @param peersNeeded            member name → {@code api_url} of every peer to ask {@code GET /patroni}
     * @param divergenceCheckAgainst the leader to compare our data with (§4.7) before deciding, or null
     */
    public record Outcome(Decision decision, Map<String, String> peersNeeded, boolean failsafeCheckNeeded,
            io.haagent.cluster.Member divergenceCheckAgainst) {
        public static Outcome of(Decision d) {
            return new Outcome(d, null, false, null);
        }

        public static Outcome needPeers(Map<String, String> peers) {
            return new Outcome(null, Map.copyOf(peers), false, null);
        }

        /** The primary lost etcd with failsafe_mode on: POST /failsafe to every member of the failsafe key first. */
        public static Outcome needFailsafeCheck() {
            return new Outcome(null, null, true, null);
        }

        /** The divergence check the previous cycle asked for: compare our data with {@code leader} first. */
        public static Outcome needDivergenceCheck(io.haagent.cluster.Member leader) {
            return new Outcome(null, null, false, leader);
        }

        public boolean needsPeers() {
            return peersNeeded != null;
        }
    }
}
