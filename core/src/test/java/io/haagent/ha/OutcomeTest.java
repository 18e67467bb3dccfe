package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each typed outcome changes the decider's memory by its own rule, in order. */
class OutcomeTest {

    @Test
    void bootstrapStartedThenFinished() {
        HaMemory m = Outcome.applyAll(HaMemory.INITIAL, List.of(new Outcome.BootstrapStarted()));
        assertThat(m.bootstrapping()).isTrue();
        assertThat(m.bootstrapResult()).isNull();
        assertThat(new Outcome.BootstrapFinished(false, false).applyTo(m).bootstrapResult()).isFalse();
        HaMemory remote = new Outcome.BootstrapFinished(true, true).applyTo(m);
        assertThat(remote.bootstrapResult()).isTrue();
        assertThat(remote.rewind()).isEqualTo(RewindState.NOT_NEEDED);
        assertThat(new Outcome.BootstrapFinished(true, false).applyTo(m).rewind()).isEqualTo(RewindState.INITIAL);
    }

    @Test
    void aFailedCloneWaitsAndAFreshCopyNeedsNoRewindCheck() {
        HaMemory failed = new Outcome.Cloned(false, 1234).applyTo(HaMemory.INITIAL);
        assertThat(failed.cloneFailedNanos()).isEqualTo(1234);
        HaMemory ok = new Outcome.Cloned(true, 0).applyTo(failed.withOnStartFired(true));
        assertThat(ok.cloneFailedNanos()).isZero();
        assertThat(ok.rewind()).isEqualTo(RewindState.NOT_NEEDED);
        assertThat(ok.onStartFired()).isFalse();
    }

    @Test
    void rewindCheckDueDoesNotUndoAConclusion() {
        HaMemory needed = new Outcome.Rewind(RewindState.NEEDED).applyTo(HaMemory.INITIAL);
        assertThat(new Outcome.RewindCheckDue().applyTo(needed).rewind()).isEqualTo(RewindState.NEEDED);
        assertThat(new Outcome.RewindCheckDue().applyTo(HaMemory.INITIAL).rewind()).isEqualTo(RewindState.CHECK);
    }

    @Test
    void aRewindThatLostItsLeaderIsTriedAgainNotFailed() {
        HaMemory needed = HaMemory.INITIAL.withRewind(RewindState.NEEDED);
        assertThat(new Outcome.RewindFailed(false, false).applyTo(needed).rewind()).as("the leader went away")
                .isEqualTo(RewindState.NEEDED);
        assertThat(new Outcome.RewindFailed(true, false).applyTo(needed).rewind()).as("a healthy primary")
                .isEqualTo(RewindState.FAILED);
        assertThat(new Outcome.RewindFailed(false, true).applyTo(needed).rewind()).as("the data directory went")
                .isEqualTo(RewindState.FAILED);
    }

    @Test
    void promoteRestartAndCheckpoint() {
        HaMemory m = HaMemory.INITIAL.withCheckpointAfterPromotePending(true);
        m = Outcome.applyAll(m, List.of(new Outcome.Promoted(false), new Outcome.Restarted(Outcome.Restarted.Result.RESTARTED),
                new Outcome.CheckpointAfterPromoteDone()));
        assertThat(m.promoteResult()).isFalse();
        assertThat(m.startTimeoutSeconds()).isNull();
        assertThat(m.checkpointAfterPromotePending()).isFalse();
        assertThat(new Outcome.StartCallbackFired().applyTo(HaMemory.INITIAL).onStartFired()).isTrue();
        assertThat(new Outcome.Promoted(true)).isEqualTo(new Outcome.Promoted(true)).hasToString("Promoted[ok=true]");
    }

    @Test
    void aStepDownIsRememberedUntilTheNextDecision() {
        HaMemory m = Outcome.applyAll(HaMemory.INITIAL,
                List.of(new Outcome.RewindCheckDue(), new Outcome.SteppedDown(DemoteMode.GRACEFUL)));
        assertThat(m.startAfterDemote()).isEqualTo(DemoteMode.GRACEFUL);
        assertThat(m.rewind()).isEqualTo(RewindState.CHECK);
        assertThat(m.withOnStartFired(true).withRewind(RewindState.NOT_NEEDED).startAfterDemote())
                .as("kept through other changes").isEqualTo(DemoteMode.GRACEFUL);
        assertThat(new Outcome.SteppedDown(DemoteMode.OFFLINE).applyTo(HaMemory.INITIAL).startAfterDemote())
                .isEqualTo(DemoteMode.OFFLINE);
        assertThat(HaMemory.INITIAL.startAfterDemote()).isNull();
    }
}
