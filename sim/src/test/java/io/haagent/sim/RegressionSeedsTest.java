package io.haagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeds on which the simulator found a breach in the real agent (issue 13): each replays the same run and must now
 * keep every invariant. The bug each one found is named beside it.
 */
class RegressionSeedsTest {

    @ParameterizedTest(name = "seed {0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            119  | pg_rewind failed while the leader was briefly unreachable: FAILED for good, never rewound (now tried again)
            1405 | the same, quorum strict
            1223 | (the model) the history key: a stalled old primary on timeline 1 retook the lock after a promotion to 2
            2592 | a failover's named candidate promoted while the former primary, cut off from etcd and still paused, wrote on
            20294 | (the model) the watchdog's timer ran from the last cycle, not the last keepalive: a leader cut from etcd crashed mid-demote
            21449 | (the model) the watchdog spared a frozen leader whose start as primary, begun before the freeze, ended after it
            8617 | a paused primary cut off from etcd kept running (as Patroni's); after the resume its lock expired and a replica promoted
            9271 | the same, with a switchover the paused primary never saw
            8106 | (the model) a restarted agent counted as a watchdog over the primary its predecessor left running in pause
            3967 | a replica on timeline 1 behind its leader on 3 (its last check reset by a pause) never checked again
            5313 | in pause a primary left on timeline 1 (agent crashed, another promoted to 2) took the free lock
            17080 | every replica deferred to an old primary on timeline 2 whose position beat theirs on 3: nobody promoted
            11339 | quorum: a failover requested while the leader ran went to a candidate that missed its last WAL (stream cut)
            11018 | the same, quorum strict
            23375 | quorum: the leader gone, a failover's named candidate promoted behind a voter that confirmed more
            8806 | the same, quorum strict
            16256 | the same after a switchover, quorum
            """)
    void keepsEveryInvariant(long seed, String bug) {
        SimRun.Result r = new SimRun(seed, 3, null, null).run();
        assertThat(r.breach()).as("seed %d (%s): %s", seed, bug, r.trace().tail(60)).isNull();
    }

    /** Seeds of {@code scripts/simulate.sh --faults all}: their schedules are drawn from every kind of fault. */
    @ParameterizedTest(name = "seed {0} (--faults all): {1}")
    @CsvSource(delimiter = '|', textBlock = """
            4599 | a crashed primary's start, not yet begun when its lock was lost, ran anyway: a second primary
            1477 | (the model) a lossy link dropped a standby's connection: a clean stop left it behind, unlike TCP
            4927 | (the model) a slow promote outlasted its fault by a minute: no primary 50 s after the last heal
            2725 | (the model) a member whose pg_rewind failed during a tool fault stayed FAILED: the operator now reinitializes it
            7125 | quorum: the sync key's stale leader took the lock back; then a named candidate without postgres running kept the others waiting
            14118 | a switchover's named candidate, its replication stalled, promoted beyond maximum_lag_on_failover: the leader was frozen
            """)
    void keepsEveryInvariantUnderEveryFault(long seed, String bug) {
        SimRun.Result r = new SimRun(seed, 3, null, null, List.of(Fault.Kind.values())).run();
        assertThat(r.breach()).as("seed %d (%s): %s", seed, bug, r.trace().tail(60)).isNull();
    }
}
