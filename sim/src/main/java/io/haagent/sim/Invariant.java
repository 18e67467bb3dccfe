package io.haagent.sim;

/**
 * A property every simulated run must keep (issue 13), judged after every step. Stateful: it sees the steps of one
 * run in order; a new run takes new instances ({@link Invariants#all()}).
 */
public interface Invariant {
    /** Its name in a breach report, e.g. {@code one-primary}. */
    String name();

    /** @return null when the step keeps the invariant, else what breaks it */
    String check(StepView step);
}
