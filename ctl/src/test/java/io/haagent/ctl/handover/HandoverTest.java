package io.haagent.ctl.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.ctl.CtlException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks before a switchover or failover, and the sentence printed after it. */
class HandoverTest {
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    static ClusterView cluster(String leader) {
        Member pg1 = Member.builder("pg1").role("master").state("running").xlogLocation(100L).build();
        Member pg2 = Member.builder("pg2").role("replica").state("running").xlogLocation(100L).build();
        Member pg3 = Member.builder("pg3").role("replica").state("running").xlogLocation(100L)
                .tags(new Tags(Map.of("nofailover", true))).build();
        return new ClusterView("1", ClusterConfig.of(Map.of(), 1), leader == null ? null : new Leader(leader, 1, 1),
                ClusterStatus.of(100, Map.of()), List.of(pg1, pg2, pg3), null, SyncState.EMPTY, TimelineHistory.ABSENT,
                null, 1);
    }

    @Test
    void leaderChecks() {
        assertThat(Handover.checkLeader(cluster("pg1"), "batman", null)).isEqualTo("pg1");
        assertThat(Handover.checkLeader(cluster("pg1"), "batman", "pg1")).isEqualTo("pg1");
        assertThatThrownBy(() -> Handover.checkLeader(cluster("pg1"), "batman", "pg2"))
                .isInstanceOf(CtlException.class).hasMessage("pg2 is not the leader of cluster batman: the leader is pg1");
        assertThatThrownBy(() -> Handover.checkLeader(cluster("pg1"), "batman", "pg9"))
                .hasMessage("pg9 is not a member of cluster batman (members: pg1, pg2, pg3); the leader is pg1");
        assertThatThrownBy(() -> Handover.checkLeader(cluster(null), "batman", null))
                .hasMessageStartingWith("cluster batman has no leader");
    }

    @Test
    void candidateChecks() {
        ClusterView v = cluster("pg1");
        assertThat(Handover.candidates(v)).containsExactly("pg2");
        Handover.checkCandidate(v, "batman", "switchover", "pg2");
        assertThatThrownBy(() -> Handover.checkCandidate(v, "batman", "switchover", "pg1"))
                .hasMessage("pg1 is already the leader of cluster batman: the switchover target and source are the"
                        + " same; candidates: pg2");
        assertThatThrownBy(() -> Handover.checkCandidate(v, "batman", "switchover", "pg7"))
                .hasMessage("pg7 is not a member of cluster batman (members: pg1, pg2, pg3)");
        assertThatThrownBy(() -> Handover.checkCandidate(v, "batman", "failover", "pg3"))
                .hasMessageStartingWith("pg3 is tagged nofailover");
    }

    @Test
    void scheduledTimesNeedAZoneAndAFuture() {
        assertThat(Handover.schedule(null, "switchover", NOW)).isNull();
        assertThat(Handover.schedule("now", "switchover", NOW)).isNull();
        assertThat(Handover.schedule("2024-05-01T12:30+02:00", "switchover", NOW))
                .isEqualTo(OffsetDateTime.parse("2024-05-01T12:30+02:00"));
        assertThat(Handover.schedule("2024-05-01 11:00Z", "switchover", NOW))
                .isEqualTo(OffsetDateTime.parse("2024-05-01T11:00Z"));
        assertThatThrownBy(() -> Handover.schedule("2024-05-01T12:30", "switchover", NOW))
                .hasMessage("--scheduled '2024-05-01T12:30' has no time zone: add one, e.g. 2024-05-01T12:30+00:00 or"
                        + " 2024-05-01T12:30Z");
        assertThatThrownBy(() -> Handover.schedule("2024-05-01T09:59Z", "switchover", NOW))
                .hasMessage("--scheduled '2024-05-01T09:59Z' is in the past (it is now 2024-05-01T10:00:00Z)");
        assertThatThrownBy(() -> Handover.schedule("tomorrow", "restart", NOW))
                .hasMessageStartingWith("--scheduled 'tomorrow' is not a time");
    }

    @Test
    void nobodyToHandOverTo() {
        Member pg1 = Member.builder("pg1").role("master").state("running").build();
        ClusterView alone = new ClusterView("1", null, new Leader("pg1", 1, 1), null, List.of(pg1), null, null, null,
                null, 1);
        assertThatThrownBy(() -> Handover.checkSomeoneCanTakeOver(alone, "batman", "switchover"))
                .hasMessage("no candidates to switchover to in cluster batman: it has no member besides the leader");
    }

    @Test
    void reportUsesBothNodesRecords() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Instant requested = Instant.parse("2024-05-01T10:00:00Z");
        var newer = json.readTree("{\"last_role_change\":{\"kind\":\"switchover\",\"from\":\"replica\",\"to\":\"master\","
                + "\"started_at\":\"2024-05-01T10:00:00.200000+00:00\",\"completed_at\":\"2024-05-01T10:00:00.480000+00:00\","
                + "\"duration_seconds\":0.28}}");
        var older = json.readTree("{\"last_role_change\":{\"kind\":\"switchover\",\"from\":\"master\",\"to\":null,"
                + "\"started_at\":\"2024-05-01T10:00:00.070000+00:00\"}}");
        Instant observed = requested.plusMillis(900);
        assertThat(HandoverReport.describe("switchover", "pg1", "pg2", requested, observed, newer, older))
                .isEqualTo("switched over from pg1 to pg2 in 0.48 s; writes were unavailable for 0.41 s");
        assertThat(HandoverReport.describe("failover", "pg1", "pg2", requested, observed, newer, null))
                .isEqualTo("failed over from pg1 to pg2 in 0.48 s; writes were unavailable for 0.28-0.48 s (pg1 did"
                        + " not report when it stopped writes)");
        assertThat(HandoverReport.describe("switchover", "pg1", "pg2", requested, observed, json.readTree("{}"), null))
                .isEqualTo("switched over from pg1 to pg2 in 0.90 s (pg2 does not report role-change timings, so the"
                        + " write outage is not known)");
        // a record from an earlier change is not this one
        var stale = json.readTree("{\"last_role_change\":{\"from\":\"replica\",\"to\":\"master\","
                + "\"started_at\":\"2024-05-01T09:00:00+00:00\",\"completed_at\":\"2024-05-01T09:00:01+00:00\"}}");
        assertThat(HandoverReport.settled(stale, requested)).isFalse();
        assertThat(HandoverReport.settled(newer, requested)).isTrue();
        assertThat(HandoverReport.settled(json.readTree("{}"), requested)).isTrue();
        assertThat(HandoverReport.describe("failover", null, "pg2", requested, observed, newer, null))
                .startsWith("failed over to pg2 in 0.48 s (the cluster had no leader");
    }

    @Test
    void refusalKeepsTheNodesReasonsOrAddsOursToPatronisOneLiner() {
        ClusterView v = cluster("pg1");
        assertThat(HandoverReport.refusal("switchover is not possible: no good candidates have been found\n"
                + "pg2: not reachable\n", v, List.of("pg2"))).containsExactly(
                "switchover is not possible: no good candidates have been found", "pg2: not reachable");
        Member lagging = Member.builder("pg2").role("replica").state("running").xlogLocation(0L).build();
        ClusterView lag = new ClusterView("1", ClusterConfig.of(Map.of("maximum_lag_on_failover", 10), 1),
                new Leader("pg1", 1, 1), ClusterStatus.of(100, Map.of()),
                List.of(Member.builder("pg1").role("master").state("running").build(), lagging), null, null, null,
                null, 1);
        assertThat(HandoverReport.refusal("switchover is not possible: no good candidates have been found", lag,
                List.of())).containsExactly("switchover is not possible: no good candidates have been found",
                "pg2: lag 100 bytes > maximum_lag_on_failover 10");
    }
}
