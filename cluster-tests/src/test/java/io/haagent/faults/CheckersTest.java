package io.haagent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.faults.History.Attempt;
import io.haagent.faults.History.Death;
import io.haagent.faults.History.Expectations;
import io.haagent.faults.History.NodeSample;
import io.haagent.faults.History.Outcome;
import io.haagent.faults.History.Sample;
import io.haagent.faults.History.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each checker fed a history that breaches it, and a clean one that does not. */
class CheckersTest {
    private static final Expectations STRICT = new Expectations(false, true, 1 << 20, 60_000);

    /** A failover at 1000 ms: pg1 (timeline 1) acknowledged rows 1-10, then pg2 (timeline 2) rows 11-20. */
    private static List<Attempt> failover() {
        List<Attempt> out = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            out.add(Attempt.acked("direct", i, i * 50, i * 50 + 5, "pg1", 1, 1000 + i * 100));
        }
        out.add(Attempt.failed("direct", 11, 600, 3000, Outcome.UNKNOWN, "connection reset"));
        for (int i = 12; i <= 20; i++) {
            out.add(Attempt.acked("direct", i, 3000 + i * 50, 3000 + i * 50 + 5, "pg2", 2, 9000 + i * 100));
        }
        return out;
    }

    private static List<Sample> samples(long from, long to, String... writable) {
        List<Sample> out = new ArrayList<>();
        for (long t = from; t < to; t += 150) {
            Map<String, NodeSample> m = new LinkedHashMap<>();
            for (String n : List.of("pg1", "pg2", "pg3")) {
                boolean w = List.of(writable).contains(n);
                m.put(n, new NodeSample(w, w ? 1 : 0, w ? 200 : 503));
            }
            out.add(new Sample(t, t + 20, m));
        }
        return out;
    }

    private static Set<String> all(List<Attempt> attempts) {
        return attempts.stream().filter(a -> a.outcome() == Outcome.ACKNOWLEDGED).map(a -> a.client() + ":" + a.id())
                .collect(Collectors.toSet());
    }

    private static History history(List<Attempt> attempts, List<Sample> samples, List<Death> deaths,
            Expectations e) {
        return new History("test", new Window(550, 2000), attempts, samples, deaths, e);
    }

    @Test
    void aCleanFailoverPassesEveryChecker() {
        List<Sample> s = new ArrayList<>(samples(0, 600, "pg1"));
        s.addAll(samples(3000, 4000, "pg2"));
        var v = Checkers.check(history(failover(), s, List.of(new Death("pg1", 550, "kill -9", true)), STRICT),
                all(failover()), 4000);
        assertThat(v.breaches()).isEmpty();
        assertThat(v.acknowledged()).isEqualTo(19);
        assertThat(v.lost()).isZero();
        assertThat(v.unavailableMillis()).isEqualTo(3605 - 550);
    }

    @Test
    void twoWritableNodesInOneSamplerRoundAreABreach() {
        List<Sample> s = new ArrayList<>(samples(0, 600, "pg1"));
        s.addAll(samples(3000, 3400, "pg1", "pg2"));
        var v = Checkers.check(history(failover(), s, List.of(), STRICT), all(failover()), 4000);
        assertThat(v.breaches()).singleElement().asString().contains("sampler: pg1 and pg2 accepted writes at once");
        assertThat(v.overlapMillis()).isGreaterThan(0);
    }

    @Test
    void aRowAcknowledgedOnAnOlderTimelineAfterANewerOneIsABreach() {
        List<Attempt> a = new ArrayList<>(failover());
        a.add(Attempt.acked("haproxy", 1, 4500, 4510, "pg1", 1, 2500));
        var v = Checkers.check(history(a, List.of(), List.of(), STRICT), all(a), 4000);
        assertThat(v.breaches()).singleElement().asString()
                .contains("haproxy row 1 acknowledged by pg1 on timeline 1").contains("after pg2");
    }

    @Test
    void twoNodesAcknowledgingOnOneTimelineIsABreach() {
        List<Attempt> a = List.of(Attempt.acked("direct", 1, 0, 5, "pg1", 1, 100),
                Attempt.acked("haproxy", 1, 2, 8, "pg2", 1, 100));
        var v = Checkers.check(history(a, List.of(), List.of(), STRICT), all(a), 1000);
        assertThat(v.breaches()).singleElement().asString().contains("both acknowledged rows on timeline 1");
    }

    @Test
    void theUnfencedFrozenAgentIsReportedOnItsOwnLineNotHidden() {
        List<Sample> s = new ArrayList<>(samples(0, 600, "pg1"));
        s.addAll(samples(3000, 3600, "pg1", "pg2"));
        List<Attempt> a = new ArrayList<>(failover());
        a.add(Attempt.acked("haproxy", 1, 3300, 3310, "pg1", 1, 2500));
        Set<String> present = all(a);
        present.remove("haproxy:1");
        var v = Checkers.check(history(a, s, List.of(), new Expectations(true, true, 1 << 20, 60_000)), present, 4000);
        assertThat(v.breaches()).isEmpty();
        assertThat(v.notes()).anySatisfy(n -> assertThat(n).startsWith("unfenced frozen agent: two nodes accepted "
                + "writes for"));
        assertThat(v.overlapMillis()).isGreaterThanOrEqualTo(470);
        assertThat(v.acknowledgedInOverlap()).isGreaterThanOrEqualTo(1);
        assertThat(v.lost()).isEqualTo(1);
    }

    @Test
    void aMissingAcknowledgedRowIsABreachWhenNoneMayBeLost() {
        Set<String> present = all(failover());
        present.remove("direct:10");
        var v = Checkers.check(history(failover(), List.of(), List.of(), STRICT), present, 4000);
        assertThat(v.breaches()).singleElement().asString()
                .contains("durability: 1 acknowledged rows missing afterwards (direct:10)");
    }

    @Test
    void asynchronousLossIsReportedAndBoundedByMaximumLagOnFailover() {
        Set<String> present = all(failover());
        present.remove("direct:2");
        present.remove("direct:10");  // 800 bytes of WAL apart
        var within = Checkers.check(history(failover(), List.of(), List.of(), new Expectations(false, false, 1000,
                60_000)), present, 4000);
        assertThat(within.breaches()).isEmpty();
        assertThat(within.notes()).anySatisfy(n -> assertThat(n).contains("2 acknowledged rows lost"));
        var beyond = Checkers.check(history(failover(), List.of(), List.of(), new Expectations(false, false, 500,
                60_000)), present, 4000);
        assertThat(beyond.breaches()).singleElement().asString()
                .contains("span 800 bytes of WAL, more than maximum_lag_on_failover 500");
    }

    @Test
    void aClusterNotWholeInTimeIsABreach() {
        var never = Checkers.check(history(failover(), List.of(), List.of(), STRICT), all(failover()), -1);
        assertThat(never.breaches()).singleElement().asString().startsWith("recovery: no single primary");
        var late = Checkers.check(history(failover(), List.of(), List.of(), STRICT), all(failover()), 61_000);
        assertThat(late.breaches()).singleElement().asString().contains("took 61000 ms, more than 60000 ms");
    }

    @Test
    void anAgentThatDiedOtherwiseThanByTheFaultIsABreach() {
        var v = Checkers.check(history(failover(), List.of(), List.of(new Death("pg3", 1200, "exit 1", false)),
                STRICT), all(failover()), 4000);
        assertThat(v.breaches()).singleElement().asString().contains("pg3's agent died at 1200 ms (exit 1)");
    }
}
