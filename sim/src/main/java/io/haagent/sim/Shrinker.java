package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks a breaching fault schedule (issue 13): drops faults one at a time, then halves the durations of those
 * left, keeping each change after which the same seed still breaches the same invariant, until none helps. The
 * rest of the run (scheduling, delays, the client) still comes from the seed, so the result replays exactly.
 */
public final class Shrinker {
    private Shrinker() {
    }

    /** What is left: a schedule no single fault of which can go, and the run it gives. */
    public record Shrunk(List<Fault> faults, SimRun.Result result, int runs) {
    }

    public static Shrunk shrink(long seed, int agents, SimRun.Result breached) {
        return shrink(seed, agents, breached, null);
    }

    /** @param mutant the broken decider the breach was found with, or null for the real one */
    public static Shrunk shrink(long seed, int agents, SimRun.Result breached, Mutant mutant) {
        String invariant = breached.breach().invariant();
        List<Fault> best = new ArrayList<>(breached.faults());
        SimRun.Result bestRun = breached;
        int runs = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < best.size() && !progress; i++) {
                List<Fault> fewer = new ArrayList<>(best);
                fewer.remove(i);
                SimRun.Result r = new SimRun(seed, agents, fewer, mutant == null ? null : mutant.wrap()).run();
                runs++;
                if (r.breach() != null && r.breach().invariant().equals(invariant)) {
                    best = fewer;
                    bestRun = r;
                    progress = true;
                }
            }
            for (int i = 0; i < best.size() && !progress; i++) {
                Fault f = best.get(i);
                if (f.forNanos() < 2 * Fault.S) {
                    continue;
                }
                List<Fault> shorter = new ArrayList<>(best);
                shorter.set(i, new Fault(f.kind(), f.atNanos(), f.forNanos() / 2, f.a(), f.b(), f.oneWay()));
                SimRun.Result r = new SimRun(seed, agents, shorter, mutant == null ? null : mutant.wrap()).run();
                runs++;
                if (r.breach() != null && r.breach().invariant().equals(invariant)) {
                    best = shorter;
                    bestRun = r;
                    progress = true;
                }
            }
        }
        return new Shrunk(best, bestRun, runs);
    }
}
