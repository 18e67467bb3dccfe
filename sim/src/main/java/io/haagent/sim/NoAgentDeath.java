package io.haagent.sim;

/** Invariant 5: no agent dies except by an injected fault, and no exception escapes the HA loop. */
public final class NoAgentDeath implements Invariant {
    @Override
    public String name() {
        return "no-agent-death";
    }

    @Override
    public String check(StepView step) {
        return step.deaths().isEmpty() ? null : String.join("; ", step.deaths());
    }
}
