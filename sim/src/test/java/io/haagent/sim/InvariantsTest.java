package io.haagent.sim;

import static io.haagent.sim.Views.S;
import static io.haagent.sim.Views.frozenPrimary;
import static io.haagent.sim.Views.primary;
import static io.haagent.sim.Views.replica;
import static io.haagent.sim.Views.step;
import static io.haagent.sim.Views.stopped;
import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.pg.FakePostgres.Switch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each invariant of issue 13 fed a history that breaks it, and one that keeps it. */
class InvariantsTest {

    @Test
    void onePrimaryCatchesTwoWritableNodes() {
        OnePrimary inv = new OnePrimary();
        assertThat(inv.check(step(1, List.of(primary("pg1", 1, 100), replica("pg2", "pg1", 1, 100, true))))).isNull();
        assertThat(inv.check(step(2, List.of(primary("pg1", 1, 100), primary("pg2", 2, 100)))))
                .startsWith("2 nodes accept writes");
    }

    @Test
    void onePrimaryMeasuresTheFrozenAgentExceptionApartUnlessAWatchdogGuardsIt() {
        OnePrimary inv = new OnePrimary();
        assertThat(inv.check(step(10, List.of(frozenPrimary("pg1", 1, 100, false), primary("pg2", 2, 100))))).isNull();
        assertThat(inv.overlappingNow()).isTrue();
        assertThat(inv.check(step(13, List.of(stopped("pg1"), primary("pg2", 2, 100))))).isNull();
        assertThat(inv.overlapNanos()).isEqualTo(3 * S);
        assertThat(inv.overlappingNow()).isFalse();
        // with a watchdog the frozen primary must have been fenced: no exception
        assertThat(new OnePrimary().check(step(20, List.of(frozenPrimary("pg1", 1, 100, true),
                primary("pg2", 2, 100))))).startsWith("2 nodes accept writes");
    }

    @Test
    void ackedCommitsKeptCatchesAPromotedNodeWithoutASynchronouslyAcknowledgedCommit() {
        AckedCommitsKept inv = new AckedCommitsKept();
        Map<Long, Long> acked = Map.of(1L, 5000L);
        // pg2 left timeline 1 at 4000: the commit at 5000, confirmed by a synchronous standby, is gone
        assertThat(inv.check(step(1, List.of(primary("pg2", 2, 6000, new Switch(1, 4000))), "on", acked, Map.of(),
                acked))).contains("lacks the commit at 5000 on timeline 1");
        assertThat(inv.check(step(1, List.of(primary("pg2", 2, 6000, new Switch(1, 5000))), "quorum", acked,
                Map.of(), acked))).isNull();
        // asynchronous replication promises nothing of the kind (invariant 3 bounds that loss)
        assertThat(inv.check(step(1, List.of(primary("pg2", 2, 6000, new Switch(1, 4000))), "off", acked, Map.of(),
                acked))).isNull();
    }

    @Test
    void asyncLossBoundedCatchesAPromotionFurtherBehindThanMaximumLagOnFailover() {
        AsyncLossBounded inv = new AsyncLossBounded();
        // published 100000 on timeline 1; pg2 forked at 30000: 70000 behind, more than 65536
        assertThat(inv.check(step(1, List.of(primary("pg2", 2, 30000, new Switch(1, 30000))), "off", Map.of(),
                Map.of(1L, 100000L), Map.of(1L, 101000L)))).contains("more than maximum_lag_on_failover 65536");
        assertThat(inv.lostBytes()).isEqualTo(71000);
        AsyncLossBounded ok = new AsyncLossBounded();
        assertThat(ok.check(reported(List.of(primary("pg2", 2, 40000, new Switch(1, 40000))), Map.of(1L, 100000L),
                Map.of(1L, 100000L), Map.of("pg2", report(1, "pg2", 60000))))).isNull();
        assertThat(ok.promotions()).isEqualTo(1);
    }

    @Test
    void asyncLossBoundedCatchesALossThePromotingAgentDidNotReport() {
        // pg2 forked from timeline 1 at 90000; 95000 was published there, 99000 acknowledged
        List<NodeView> promoted = List.of(primary("pg2", 2, 90000, new Switch(1, 90000)));
        Map<Long, Long> published = Map.of(1L, 95000L);
        Map<Long, Long> acked = Map.of(1L, 99000L);
        assertThat(new AsyncLossBounded().check(reported(promoted, published, acked, Map.of())))
                .contains("pg2 was promoted to timeline 2").contains("recorded no role change");
        // a record from an earlier promotion (off timeline 0, the bootstrap) does not report this one
        assertThat(new AsyncLossBounded().check(reported(promoted, published, acked,
                Map.of("pg2", report(0, "pg2", 0))))).contains("recorded no role change");
        // a record that gives pg2 less lag than the 5000 bytes it knew it lost
        assertThat(new AsyncLossBounded().check(reported(promoted, published, acked,
                Map.of("pg2", report(1, "pg2", 1000))))).contains("reports a lag of 1000 bytes");
        assertThat(new AsyncLossBounded().check(reported(promoted, published, acked,
                Map.of("pg2", report(1, "pg1", 5000))))).contains("reports no lag for it");
        assertThat(new AsyncLossBounded().check(reported(promoted, published, acked,
                Map.of("pg2", report(1, "pg2", 5000))))).isNull();
        // nothing acknowledged past the fork, nothing known: nothing to report
        assertThat(new AsyncLossBounded().check(reported(promoted, Map.of(1L, 90000L), Map.of(1L, 90000L),
                Map.of()))).isNull();
    }

    private static StepView reported(List<NodeView> nodes, Map<Long, Long> published, Map<Long, Long> acked,
            Map<String, PromotionReport> reports) {
        return new StepView(S, nodes, null, "off", false, 65536, Map.of(), published, acked, -1, 50 * S, List.of(),
                reports);
    }

    private static PromotionReport report(long fromTimeline, String self, long lag) {
        return new PromotionReport(fromTimeline, new io.haagent.ha.RoleChangeRecord(
                io.haagent.ha.RoleChangeRecord.Kind.FAILOVER, "promoted self to leader by acquiring session lock", null,
                fromTimeline, 95000, List.of(new io.haagent.ha.RoleChangeRecord.Candidate(self, 95000 - lag, lag,
                        fromTimeline, 0, false, true, "healthiest eligible member"))));
    }

    @Test
    void convergesCatchesAClusterNotSettledInTime() {
        StepView twoPrimaries = new StepView(100 * S, List.of(primary("pg1", 2, 10), primary("pg2", 1, 10)), "pg1",
                "off", false, 65536, Map.of(), Map.of(), Map.of(), 50 * S, 50 * S, List.of());
        assertThat(new Converges().check(twoPrimaries)).startsWith("2 primaries");
        StepView diverged = new StepView(100 * S, List.of(primary("pg1", 2, 10), replica("pg2", "pg1", 1, 20, false)),
                "pg1", "off", false, 65536, Map.of(), Map.of(), Map.of(), 50 * S, 50 * S, List.of());
        assertThat(new Converges().check(diverged)).startsWith("not following pg1");
        StepView early = new StepView(99 * S, diverged.nodes(), "pg1", "off", false, 65536, Map.of(), Map.of(),
                Map.of(), 50 * S, 50 * S, List.of());
        assertThat(new Converges().check(early)).as("judged only at the deadline").isNull();
        StepView settled = new StepView(100 * S, List.of(primary("pg1", 2, 10), replica("pg2", "pg1", 2, 10, true)),
                "pg1", "off", false, 65536, Map.of(), Map.of(), Map.of(), 50 * S, 50 * S, List.of());
        Converges c = new Converges();
        assertThat(c.check(settled)).isNull();
        assertThat(c.judged()).isTrue();
        StepView wrongLeader = new StepView(100 * S, settled.nodes(), "pg2", "off", false, 65536, Map.of(), Map.of(),
                Map.of(), 50 * S, 50 * S, List.of());
        assertThat(new Converges().check(wrongLeader)).contains("does not hold the leader key");
    }

    @Test
    void noAgentDeathCatchesAnExitOrAnExceptionOutOfTheLoop() {
        StepView died = new StepView(1, List.of(), null, "off", false, 0, Map.of(), Map.of(), Map.of(), -1, 0,
                List.of("pg2 loop threw java.lang.IllegalStateException: boom"));
        assertThat(new NoAgentDeath().check(died)).contains("pg2 loop threw");
        assertThat(new NoAgentDeath().check(step(1, List.of()))).isNull();
    }
}
