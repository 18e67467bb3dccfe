package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Lsn;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DivergenceRuleTest {
    private static final List<PgTimelineHistory.Entry> HISTORY = List.of(
            new PgTimelineHistory.Entry(1, Lsn.parse("0/3000000"), "no recovery target specified"),
            new PgTimelineHistory.Entry(2, Lsn.parse("0/5000A08"), "no recovery target specified"));
    private final AtomicInteger checkpointEndAsked = new AtomicInteger();

    private Divergence decide(boolean inRecovery, long tl, String lsn, long primaryTl, Optional<Lsn> checkpointEnd) {
        return DivergenceRule.decide(new ControlData.LocalPosition(inRecovery, tl, Lsn.parse(lsn)), primaryTl, HISTORY,
                () -> {
                    checkpointEndAsked.incrementAndGet();
                    return checkpointEnd;
                });
    }

    @Test
    void sameTimelineNeedsNothing() {
        assertThat(decide(true, 3, "0/9000000", 3, Optional.empty())).isInstanceOf(Divergence.NotDiverged.class);
    }

    @Test
    void localTimelineAheadOfThePrimaryIsDivergence() {
        assertThat(decide(true, 4, "0/1000000", 3, Optional.empty())).isInstanceOf(Divergence.RewindNeeded.class);
    }

    @Test
    void replicaThatReplayedOnlyUpToTheBranchPointIsFine() {
        assertThat(decide(true, 1, "0/3000000", 3, Optional.empty())).isInstanceOf(Divergence.NotDiverged.class);
        assertThat(decide(true, 2, "0/4000000", 3, Optional.empty())).isInstanceOf(Divergence.NotDiverged.class);
    }

    @Test
    void replicaThatReplayedPastTheBranchPointDiverged() {
        Divergence d = decide(true, 1, "0/3000028", 3, Optional.empty());
        assertThat(d).isInstanceOf(Divergence.RewindNeeded.class);
        assertThat(d.reason()).contains("0/3000028").contains("0/3000000").contains("replayed past");
    }

    @Test
    void formerPrimaryWithCheckpointAtOrAfterTheBranchPointDiverged() {
        assertThat(decide(false, 1, "0/3000000", 3, Optional.empty())).isInstanceOf(Divergence.RewindNeeded.class);
        assertThat(checkpointEndAsked).hasValue(0);
    }

    @Test
    void formerPrimaryWhoseShutdownCheckpointEndsAtTheBranchPointDidNotDiverge() {
        assertThat(decide(false, 1, "0/2FFFF88", 3, Optional.of(Lsn.parse("0/3000000"))))
                .isInstanceOf(Divergence.NotDiverged.class);
        assertThat(decide(false, 1, "0/2FFFF88", 3, Optional.of(Lsn.parse("0/2FFFFF0"))))
                .isInstanceOf(Divergence.RewindNeeded.class);
        // an unreadable checkpoint end is treated as divergence: never follow on a guess
        assertThat(decide(false, 1, "0/2FFFF88", 3, Optional.empty())).isInstanceOf(Divergence.RewindNeeded.class);
    }

    @Test
    void timelineMissingFromThePrimaryHistoryDiverged() {
        List<PgTimelineHistory.Entry> skip = List.of(new PgTimelineHistory.Entry(1, Lsn.parse("0/3000000"), ""),
                new PgTimelineHistory.Entry(3, Lsn.parse("0/6000000"), ""));
        assertThat(DivergenceRule.decide(new ControlData.LocalPosition(true, 2, Lsn.parse("0/4000000")), 4, skip,
                Optional::empty)).isInstanceOf(Divergence.RewindNeeded.class);
        assertThat(DivergenceRule.decide(new ControlData.LocalPosition(true, 5, Lsn.parse("0/4000000")), 6,
                List.of(), Optional::empty)).isInstanceOf(Divergence.RewindNeeded.class);
    }
}
