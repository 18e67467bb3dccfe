package io.haagent.sim;

import java.util.List;

/**
 * Invariant 1: never two nodes accepting writes at the same simulated instant. The one known exception is a primary
 * whose agent is frozen or dead with no watchdog (nothing can stop its postgres, the hazard Patroni documents): there
 * the overlap is measured ({@link #overlapNanos()}) and reported apart, not counted as a breach. A node guarded by a
 * watchdog gets no such exception: the fence must have stopped it.
 */
public final class OnePrimary implements Invariant {
    private long lastNanos = -1;
    private boolean overlapping;
    private long overlapNanos;
    private int overlaps;

    @Override
    public String name() {
        return "one-primary";
    }

    @Override
    public String check(StepView step) {
        List<NodeView> writable = step.writable();
        long since = lastNanos < 0 ? 0 : step.nanos() - lastNanos;
        lastNanos = step.nanos();
        if (overlapping) {
            overlapNanos += since;
        }
        overlapping = false;
        if (writable.size() < 2) {
            return null;
        }
        long fenced = writable.stream().filter(n -> !n.unfenced()).count();
        if (fenced <= 1) {
            if (!overlapping) {
                overlaps++;
            }
            overlapping = true;
            return null;
        }
        return writable.size() + " nodes accept writes: " + writable;
    }

    /** Simulated time during which an unfenced frozen or dead agent's primary overlapped another primary. */
    public long overlapNanos() {
        return overlapNanos;
    }

    /** Whether the last step was such an overlap (commits acknowledged now are counted apart). */
    public boolean overlappingNow() {
        return overlapping;
    }
}
