package io.haagent.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last decision of the HA loop (safety rule 5: every decision that changes a role is recorded), as
 * {@code /patroni} shows it under {@code last_decision}.
 *
 * @param at         wall time of the cycle that decided
 * @param summary    the cycle's one sentence, in Patroni's words ("no action. I am (pg1), the leader with the lock")
 * @param actions    the actions decided, in order (e.g. {@code acquire_leader_lock}, {@code promote}); may be empty
 * @param inputs     the facts that decided it, by name (e.g. {@code leader -> none}, {@code my_wal -> 0/3000060})
 * @param candidates members considered in an election and why each was or was not eligible; may be empty
 */
public record DecisionRecord(
        Instant at,
        String summary,
        List<String> actions,
        Map<String, String> inputs,
        List<CandidateCheck> candidates) {

    public DecisionRecord {
        actions = actions == null ? List.of() : List.copyOf(actions);
        inputs = inputs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    public static DecisionRecord of(Instant at, String summary) {
        return new DecisionRecord(at, summary, List.of(), Map.of(), List.of());
    }
}
