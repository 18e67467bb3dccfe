package io.haagent.sim;

import io.haagent.ha.Decision;
import io.haagent.ha.HaInput;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Deliberately broken deciders (issue 13): each wraps the real one; the invariants must catch every one. */
public enum Mutant {
    NONE("none", d -> d);

    private final String label;
    private final UnaryOperator<Function<HaInput, Decision.Outcome>> wrap;

    Mutant(String label, UnaryOperator<Function<HaInput, Decision.Outcome>> wrap) {
        this.label = label;
        this.wrap = wrap;
    }

    public String label() {
        return label;
    }

    public UnaryOperator<Function<HaInput, Decision.Outcome>> wrap() {
        return wrap;
    }
}
