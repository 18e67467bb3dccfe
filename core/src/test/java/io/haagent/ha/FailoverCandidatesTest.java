package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.Tags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverCandidatesTest {

    /** Issue 18 item 7: POST /failover naming the leader reported the leader's own position as its lag. */
    @Test
    void theLeaderAsCandidateIsJudgedByPatronisLimitationsOnly() {
        ClusterView c = SnapshotFixtures.threeMembers();
        Member leader = c.member("pg1").orElseThrow();
        List<FailoverCandidates.Verdict> v = FailoverCandidates.check(c, List.of(leader),
                Map.of("pg1", PeerStatus.primary("pg1", 1, Tags.NONE)));
        assertThat(v).containsExactly(new FailoverCandidates.Verdict("pg1", true, null));
        assertThat(FailoverCandidates.check(c, List.of(leader), Map.of()))
                .containsExactly(new FailoverCandidates.Verdict("pg1", false, "not reachable"));
    }

    @Test
    void aReplicaStillNeedsToBeCloseEnough() {
        ClusterView c = SnapshotFixtures.threeMembers();
        Member pg3 = c.member("pg3").orElseThrow();
        List<FailoverCandidates.Verdict> v = FailoverCandidates.check(c, List.of(pg3),
                Map.of("pg3", PeerStatus.replica("pg3", 0, 1, Tags.NONE)));
        assertThat(v).singleElement().satisfies(x -> assertThat(x.reason()).startsWith("lags "));
    }
}
