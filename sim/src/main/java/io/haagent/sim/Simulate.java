package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/simulate.sh} (issue 13): runs seeds of {@link SimRun} and ends with one line,
 * {@code simulated N clusters, E events, F faults in T s: B invariant breaches}; {@code --seed S} replays one run and
 * prints its whole trace; {@code --mutants} runs the seeds against each {@link Mutant} and ends with
 * {@code mutants caught: C/M}. The exit status is non-zero on any breach (or any mutant that survives).
 */
public final class Simulate {
    private Simulate() {
    }

    public static void main(String[] args) throws Exception {
        long seeds = 100;
        int agents = 3;
        Long one = null;
        long first = 1;
        boolean mutants = false;
        Mutant only = null;
        boolean shrink = false;
        int threads = Runtime.getRuntime().availableProcessors();
        List<Fault.Kind> kinds = Fault.Kind.CLASSIC;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Long.parseLong(args[++i]);
                case "--agents" -> agents = Integer.parseInt(args[++i]);
                case "--seed" -> one = Long.parseLong(args[++i]);
                case "--first" -> first = Long.parseLong(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--mutants" -> mutants = true;
                case "--shrink" -> shrink = true;
                case "--faults" -> {
                    String which = args[++i];
                    if (!which.equals("all") && !which.equals("classic")) {
                        System.err.println("simulate: --faults is classic or all, not " + which);
                        System.exit(2);
                    }
                    kinds = which.equals("all") ? List.of(Fault.Kind.values()) : Fault.Kind.CLASSIC;
                }
                case "--mutant" -> {
                    mutants = true;
                    only = Mutant.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_'));
                }
                default -> {
                    System.err.println("simulate: unknown argument " + args[i]
                            + " (--seeds N, --agents K (3..7), --seed S [--shrink], --first S, --threads T, --mutants, --mutant NAME,"
                            + " --faults classic|all)");
                    System.exit(2);
                }
            }
        }
        if (agents < 3 || agents > 7) {
            System.err.println("simulate: --agents must be 3 to 7, not " + agents);
            System.exit(2);
        }
        int status;
        if (one != null) {
            status = replay(one, agents, shrink, kinds);
        } else if (mutants) {
            status = mutants(only == null ? List.of(Mutant.values()) : List.of(only), first, seeds, agents, threads,
                    kinds);
        } else {
            status = seeds(first, seeds, agents, threads, null, true, kinds).breaches == 0 ? 0 : 1;
        }
        System.exit(status);
    }

    private static int replay(long seed, int agents, boolean shrink, List<Fault.Kind> kinds) {
        long start = System.nanoTime();
        SimRun.Result r = new SimRun(seed, agents, null, null, kinds).run();
        if (shrink && r.breach() != null) {
            Shrinker.Shrunk s = Shrinker.shrink(seed, agents, r);
            System.out.println("shrunk in " + s.runs() + " runs from " + r.faults().size() + " faults to "
                    + s.faults().size() + ": " + s.faults());
            r = s.result();
        }
        r.trace().lines().forEach(System.out::println);
        System.out.printf(Locale.ROOT, "trace digest %08x%n", r.trace().lines().hashCode());
        line(1, r.events(), r.faults().size(), System.nanoTime() - start, r.breach() == null ? 0 : 1);
        return r.breach() == null ? 0 : 1;
    }

    /** What a batch of seeds found. */
    record Batch(long events, long faults, int breaches, List<SimRun.Result> breached, long overlapNanos,
            long overlapCommits, long lostBytes, long promotions) {
    }

    static Batch seeds(long first, long count, int agents, int threads, Mutant mutant, boolean report,
            List<Fault.Kind> kinds)
            throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong next = new AtomicLong(first);
        long last = first + count;
        List<Future<List<SimRun.Result>>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                List<SimRun.Result> mine = new ArrayList<>();
                for (long s = next.getAndIncrement(); s < last; s = next.getAndIncrement()) {
                    SimRun.Result r = new SimRun(s, agents, null, mutant == null ? null : mutant.wrap(), kinds).run();
                    if (mutant != null && r.breach() != null
                            && new SimRun(s, agents, null, null, kinds).run().breach() != null) {
                        continue; // the real decider breaches on this seed too: it does not tell the mutant apart
                    }
                    mine.add(summary(r));
                    if (r.breach() != null && mutant != null) {
                        next.set(last); // one seed that catches the mutant is enough
                    }
                }
                return mine;
            }));
        }
        long events = 0;
        long faults = 0;
        long overlap = 0;
        long overlapCommits = 0;
        long lost = 0;
        long promotions = 0;
        List<SimRun.Result> breached = new ArrayList<>();
        for (Future<List<SimRun.Result>> f : parts) {
            for (SimRun.Result r : f.get()) {
                events += r.events();
                faults += r.faults().size();
                overlap += r.overlapNanos();
                overlapCommits += r.overlapCommits();
                lost += r.lostBytes();
                promotions += r.promotions();
                if (r.breach() != null) {
                    breached.add(r);
                }
            }
        }
        pool.shutdown();
        breached.sort(java.util.Comparator.comparingLong(SimRun.Result::seed));
        Batch b = new Batch(events, faults, breached.size(), breached, overlap, overlapCommits, lost, promotions);
        if (report) {
            if (!breached.isEmpty()) {
                SimRun.Result first0 = breached.get(0);
                Shrinker.Shrunk s = Shrinker.shrink(first0.seed(), agents,
                        new SimRun(first0.seed(), agents, null, null, kinds).run());
                System.out.println("seed " + first0.seed() + " shrunk from " + first0.faults().size() + " faults to "
                        + s.faults().size() + " that still breach " + first0.breach().invariant() + ": "
                        + s.faults() + " (scripts/simulate.sh --seed " + first0.seed() + " --shrink)");
            }
            for (SimRun.Result r : breached) {
                System.out.println("BREACH seed " + r.seed() + " (" + r.variant() + "): " + r.breach().invariant()
                        + " at " + Trace.seconds(r.breach().atNanos()) + " s: " + r.breach().detail());
                r.trace().lines().forEach(l -> System.out.println("  " + l));
                System.out.println("  replay: scripts/simulate.sh --seed " + r.seed() + " --agents " + agents);
            }
            System.out.printf(Locale.ROOT, "promotions %d, acknowledged bytes lost at failovers %d (asynchronous)"
                    + "; frozen or dead primaries without a watchdog overlapped a new primary for %s s in all, with"
                    + " %d commits acknowledged meanwhile (the known exception to invariant 1)%n", promotions, lost,
                    Trace.seconds(overlap), overlapCommits);
            line(count, events, faults, System.nanoTime() - start, breached.size());
        }
        return b;
    }

    /** Keeps what the report needs: the whole trace only of a run that breached. */
    private static SimRun.Result summary(SimRun.Result r) {
        if (r.breach() == null) {
            return new SimRun.Result(r.seed(), r.variant(), r.events(), r.faults(), null, null, r.overlapNanos(),
                    r.overlapCommits(), r.lostBytes(), r.promotions());
        }
        Trace t = new Trace();
        r.trace().tail(80).forEach(l -> t.lines().add(l));
        return new SimRun.Result(r.seed(), r.variant(), r.events(), r.faults(), r.breach(), t, r.overlapNanos(),
                r.overlapCommits(), r.lostBytes(), r.promotions());
    }

    private static int mutants(List<Mutant> which, long first, long count, int agents, int threads,
            List<Fault.Kind> kinds)
            throws Exception {
        int caught = 0;
        for (Mutant m : which) {
            Batch b = seeds(first, count, agents, threads, m, false, kinds);
            if (b.breaches > 0) {
                SimRun.Result r = b.breached.get(0);
                caught++;
                System.out.println("mutant " + m.label() + ": caught by seed " + r.seed() + " ("
                        + r.breach().invariant() + ": " + r.breach().detail() + ")");
            } else {
                System.out.println("mutant " + m.label() + ": SURVIVED " + count + " seeds");
            }
        }
        System.out.println("mutants caught: " + caught + "/" + which.size());
        return caught == which.size() ? 0 : 1;
    }

    private static void line(long clusters, long events, long faults, long nanos, int breaches) {
        System.out.printf(Locale.ROOT, "simulated %d clusters, %d events, %d faults in %.1f s: %d invariant breaches%n",
                clusters, events, faults, nanos / 1e9, breaches);
    }
}
