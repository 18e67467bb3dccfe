package io.haagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The simulator itself: one seed, one run, event for event. */
class SimRunTest {

    @Test
    void aSeedReplaysEventForEvent() {
        SimRun.Result a = new SimRun(7, 3, null, null).run();
        SimRun.Result b = new SimRun(7, 3, null, null).run();
        assertThat(a.events()).isGreaterThan(500);
        assertThat(a.trace().lines()).anyMatch(l -> l.contains("FAULT "))
                .anyMatch(l -> l.contains("the leader with the lock"));
        assertThat(b.trace().lines()).isEqualTo(a.trace().lines());
        assertThat(b.events()).isEqualTo(a.events());
        assertThat(new SimRun(8, 3, null, null).run().trace().lines()).isNotEqualTo(a.trace().lines());
    }

    @Test
    void anyNumberOfAgentsFromThreeToSeven() {
        SimRun.Result r = new SimRun(3, 7, null, null).run();
        assertThat(r.trace().lines()).anyMatch(l -> l.contains("pg7 agent starts"));
    }
}
