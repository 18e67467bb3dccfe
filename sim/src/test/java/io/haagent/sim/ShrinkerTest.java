package io.haagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shrinking a breaching schedule: what is left still breaches, and none of it can go. */
class ShrinkerTest {

    @Test
    void aBreachingScheduleShrinksToFaultsThatAreEachNeeded() {
        Mutant m = Mutant.KEEP_PRIMARY_WITHOUT_LOCK;
        long seed = 24; // its schedule has several faults, and this mutant breaches one-primary on it
        SimRun.Result found = new SimRun(seed, 3, null, m.wrap()).run();
        assertThat(found.breach()).as("seed 24 catches the mutant").isNotNull();
        assertThat(found.faults()).hasSizeGreaterThan(1);
        Shrinker.Shrunk shrunk = Shrinker.shrink(seed, 3, found, m);
        assertThat(shrunk.faults().size()).isLessThanOrEqualTo(found.faults().size());
        assertThat(shrunk.result().breach()).isNotNull();
        assertThat(shrunk.result().breach().invariant()).isEqualTo(found.breach().invariant());
        SimRun.Result again = new SimRun(seed, 3, shrunk.faults(), m.wrap()).run();
        assertThat(again.trace().lines()).as("the shrunk schedule replays").isEqualTo(shrunk.result().trace().lines());
        for (int i = 0; i < shrunk.faults().size(); i++) {
            List<Fault> fewer = new ArrayList<>(shrunk.faults());
            fewer.remove(i);
            SimRun.Result r = new SimRun(seed, 3, fewer, m.wrap()).run();
            assertThat(r.breach() == null || !r.breach().invariant().equals(found.breach().invariant()))
                    .as("without " + shrunk.faults().get(i) + " it no longer breaches").isTrue();
        }
    }
}
