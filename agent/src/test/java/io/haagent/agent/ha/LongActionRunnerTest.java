package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.ha.HaMemory;
import io.haagent.ha.LongAction;
import io.haagent.ha.RewindState;
import io.haagent.time.FakeClock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The runner on a scheduler the test steps (as loop tests and the simulator of issue 13 drive it): a long action
 * is busy from submit until the test runs it, its outcome reaches the next cycle only then, and nothing runs on a
 * thread of its own.
 */
class LongActionRunnerTest {

    /** Holds submitted work until {@link #runNext()}: the test decides when a long action finishes. */
    static final class SteppedExecutor implements Executor {
        private final Queue<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queue.add(r);
        }

        boolean runNext() {
            Runnable r = queue.poll();
            if (r == null) {
                return false;
            }
            r.run();
            return true;
        }
    }

    @Test
    void aLongActionFinishesWhenTheSchedulerRunsIt() {
        SteppedExecutor steps = new SteppedExecutor();
        AtomicInteger wakes = new AtomicInteger();
        FakeClock clock = new FakeClock();
        LongActionRunner runner = new LongActionRunner(clock, wakes::incrementAndGet, steps);
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];

        assertThat(runner.submit(LongAction.Kind.REWIND, "running pg_rewind from pg1", cancel -> {
            ranOn[0] = Thread.currentThread();
            return List.<io.haagent.ha.Outcome>of(new io.haagent.ha.Outcome.Rewind(RewindState.SUCCESS));
        })).isNull();
        assertThat(runner.busy()).isTrue();
        assertThat(runner.current().name()).isEqualTo("running pg_rewind from pg1");
        assertThat(runner.submit(LongAction.Kind.START, "start", cancel -> List.of()))
                .as("one at a time").isEqualTo("running pg_rewind from pg1");
        assertThat(runner.drainFinished()).as("nothing finished before the scheduler runs it").isEmpty();

        assertThat(steps.runNext()).isTrue();
        assertThat(ranOn[0]).as("no hidden thread").isSameAs(caller);
        assertThat(runner.busy()).isFalse();
        assertThat(wakes.get()).as("the loop is woken").isEqualTo(1);
        HaMemory after = io.haagent.ha.Outcome.applyAll(HaMemory.INITIAL, runner.drainFinished());
        assertThat(after.rewind()).isEqualTo(RewindState.SUCCESS);
        assertThat(steps.runNext()).isFalse();
        runner.close();
    }

    @Test
    void aFailedBodyStillEndsTheActionAndCancelIsSeenAtTheSafePoint() {
        SteppedExecutor steps = new SteppedExecutor();
        LongActionRunner runner = new LongActionRunner(new FakeClock(), () -> { }, steps);
        boolean[] cancelled = new boolean[1];
        runner.submit(LongAction.Kind.PROMOTE, "promote", cancel -> {
            cancelled[0] = cancel.requested();
            throw new IllegalStateException("pg_ctl promote failed");
        });
        runner.cancel();
        steps.runNext();
        assertThat(cancelled[0]).isTrue();
        assertThat(runner.busy()).isFalse();
        assertThat(runner.drainFinished()).isEmpty();
        runner.close();
    }

    /**
     * The cycle drains finished outcomes at its start and reads the running action later, for the decision: an action
     * that ends in between must not look gone without its outcome (a standby leader's bootstrap did, and the decision
     * ran post_bootstrap on the replica it had made: ClusterRoleIT).
     */
    @Test
    void anActionThatEndsBeforeTheDecisionReadsItHandsItsOutcomeOverFirst() {
        SteppedExecutor steps = new SteppedExecutor();
        LongActionRunner runner = new LongActionRunner(new FakeClock(), () -> { }, steps);
        runner.submit(LongAction.Kind.BOOTSTRAP, "bootstrap a standby leader", cancel ->
                List.<io.haagent.ha.Outcome>of(new io.haagent.ha.Outcome.BootstrapFinished(true, true)));
        assertThat(runner.drainFinished()).as("the cycle's first drain: still running").isEmpty();
        List<List<io.haagent.ha.Outcome>> late = new java.util.ArrayList<>();
        assertThat(runner.currentWithOutcomes(late::add).name()).isEqualTo("bootstrap a standby leader");
        assertThat(late).as("running: nothing to hand over").isEmpty();
        steps.runNext(); // it ends between the drain and the decision
        assertThat(runner.currentWithOutcomes(late::add)).isNull();
        assertThat(late).singleElement().isEqualTo(List.of(new io.haagent.ha.Outcome.BootstrapFinished(true, true)));
    }
}
