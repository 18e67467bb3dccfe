package io.haagent.sim;

import java.util.List;

/** The invariants of one run, fresh (they keep state across the steps of a run). */
public record Invariants(OnePrimary onePrimary, AckedCommitsKept ackedCommits, AsyncLossBounded asyncLoss,
        Converges converges, NoAgentDeath noDeath) {

    public static Invariants all() {
        return new Invariants(new OnePrimary(), new AckedCommitsKept(), new AsyncLossBounded(), new Converges(),
                new NoAgentDeath());
    }

    public List<Invariant> list() {
        return List.of(onePrimary, ackedCommits, asyncLoss, converges, noDeath);
    }
}
