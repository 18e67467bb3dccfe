package io.haagent.ha;

/**
 * One cycle's decision with everything it was made from: the input as the decider last saw it (the peers'
 * answers, the failsafe check and the divergence check included, as {@link HaInput} carries them) and the decision.
 * The decider is a pure function of its input, so the record answers "why did node pg2 do that?" and replays: the
 * same input decides the same way, in a test or in the simulator.
 */
public record CycleRecord(HaInput input, Decision decision) {

    /** Decide again from the recorded input (it already holds every second-phase answer). */
    public Decision replay() {
        Decision.Outcome out = new HaDecider().decide(input);
        if (out.decision() == null) {
            throw new IllegalStateException("the recorded input lacks an answer the decider asks for");
        }
        return out.decision();
    }

    /** The replay ends in the same sentence, actions and role change as the recorded decision. */
    public boolean replays() {
        Decision again = replay();
        return again.summary().equals(decision.summary()) && again.actions().equals(decision.actions())
                && java.util.Objects.equals(again.roleChange(), decision.roleChange());
    }
}
