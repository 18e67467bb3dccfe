package io.haagent.faults;

import io.haagent.faults.History.Attempt;
import io.haagent.faults.History.Outcome;
import io.haagent.faults.History.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The invariants checked after every scenario (issue 14), as pure functions of a {@link History} and what was read
 * back afterwards, so that each one can be fed a breaching history in a unit test ({@code CheckersTest}):
 * <ol>
 *   <li>never two nodes accepting writes: from the sampler (two nodes out of recovery in one round) and from the
 *       writers (a row acknowledged on a timeline older than one already acknowledged elsewhere, or on the same
 *       timeline by another node). Where the scenario expects it (the frozen agent without a fence) the overlap
 *       is measured and reported on its own line instead of counted as a breach;</li>
 *   <li>no acknowledged row missing when the scenario promises none lost (synchronous_mode_strict, or a fault
 *       that cannot lose any); otherwise the loss is reported and bounded by {@code maximum_lag_on_failover}:
 *       the WAL between the first and the last lost commit of a timeline must not exceed it;</li>
 *   <li>within the stated time after the fault ended, one primary and every live node streaming from it;</li>
 *   <li>no agent died except by the fault.</li>
 * </ol>
 */
public final class Checkers {
    private Checkers() {
    }

    /** What the checkers found: breaches (each one sentence), notes (reported, not counted) and figures. */
    public record Verdict(List<String> breaches, List<String> notes, long overlapMillis, int acknowledgedInOverlap,
            int acknowledged, int lost, long unavailableMillis) {
    }

    /**
     * @param present the rows found afterwards on the primary, as {@code client:id}
     * @param recoveryMillis from the fault's end until one primary and every live node streamed from it; -1 when
     *        that did not happen within the time the harness waited
     */
    public static Verdict check(History h, Set<String> present, long recoveryMillis) {
        List<String> breaches = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean expected = h.expect().overlapExpected();

        // 1a. the sampler: two nodes writable in one round
        long overlap = 0;
        List<long[]> overlapWindows = new ArrayList<>();
        for (Sample s : h.samples()) {
            List<String> writable = s.nodes().entrySet().stream()
                    .filter(e -> Boolean.TRUE.equals(e.getValue().writable())).map(Map.Entry::getKey).sorted().toList();
            if (writable.size() > 1) {
                if (!overlapWindows.isEmpty() && overlapWindows.get(overlapWindows.size() - 1)[1] >= s.startMillis() - 250) {
                    overlapWindows.get(overlapWindows.size() - 1)[1] = s.endMillis();
                } else {
                    overlapWindows.add(new long[] {s.startMillis(), s.endMillis()});
                    String what = "sampler: " + String.join(" and ", writable) + " accepted writes at once at "
                            + s.startMillis() + " ms";
                    (expected ? notes : breaches).add(what);
                }
            }
        }
        for (long[] w : overlapWindows) {
            overlap += w[1] - w[0];
        }

        // 1b. the writers: timelines of acknowledged rows never go back, and one node per timeline
        List<Attempt> acks = h.attempts().stream().filter(a -> a.outcome() == Outcome.ACKNOWLEDGED)
                .sorted(Comparator.comparingLong(Attempt::startMillis)).toList();
        List<Attempt> byEnd = acks.stream().sorted(Comparator.comparingLong(Attempt::endMillis)).toList();
        Map<Long, String> nodeOfTimeline = new LinkedHashMap<>();
        int stale = 0;
        java.util.Set<Attempt> inWindow = new java.util.HashSet<>();
        int j = 0;
        Attempt newest = null;
        for (Attempt a : acks) {
            while (j < byEnd.size() && byEnd.get(j).endMillis() < a.startMillis()) {
                Attempt done = byEnd.get(j++);
                if (newest == null || done.timeline() > newest.timeline()) {
                    newest = done;
                }
            }
            String other = nodeOfTimeline.putIfAbsent(a.timeline(), a.node());
            String what = null;
            if (newest != null && a.timeline() < newest.timeline()) {
                what = "writers: " + a.client() + " row " + a.id() + " acknowledged by " + a.node() + " on timeline "
                        + a.timeline() + " at " + a.endMillis() + " ms, after " + newest.node() + " had acknowledged "
                        + "on timeline " + newest.timeline() + " at " + newest.endMillis() + " ms";
            } else if (other != null && !other.equals(a.node())) {
                what = "writers: " + a.node() + " and " + other + " both acknowledged rows on timeline " + a.timeline();
            }
            if (what != null) {
                stale++;
                inWindow.add(a);
                if (stale == 1 || !expected) {
                    (expected ? notes : breaches).add(what);
                }
            }
            for (long[] w : overlapWindows) {
                if (a.endMillis() >= w[0] && a.startMillis() <= w[1]) {
                    inWindow.add(a);
                }
            }
        }
        int inOverlap = inWindow.size();
        if (expected) {
            notes.add(String.format("unfenced frozen agent: two nodes accepted writes for %d ms, %d rows acknowledged "
                    + "in that window", overlap, inOverlap));
        }

        // 2. durability
        List<Attempt> lost = acks.stream().filter(a -> !present.contains(a.client() + ":" + a.id())).toList();
        if (!lost.isEmpty()) {
            String ids = lost.stream().limit(10).map(a -> a.client() + ":" + a.id()).collect(Collectors.joining(", "));
            if (h.expect().noLoss() && !expected) {
                breaches.add("durability: " + lost.size() + " acknowledged rows missing afterwards (" + ids + ")");
            } else {
                notes.add("durability: " + lost.size() + " acknowledged rows lost (" + ids + ")");
                Map<Long, List<Attempt>> perTimeline = lost.stream()
                        .collect(Collectors.groupingBy(Attempt::timeline));
                perTimeline.forEach((tl, rows) -> {
                    long span = rows.stream().mapToLong(Attempt::lsn).max().orElse(0)
                            - rows.stream().mapToLong(Attempt::lsn).min().orElse(0);
                    if (span > h.expect().maximumLagBytes()) {
                        breaches.add("durability: rows lost on timeline " + tl + " span " + span
                                + " bytes of WAL, more than maximum_lag_on_failover " + h.expect().maximumLagBytes());
                    }
                });
            }
        }

        // 3. recovery
        if (recoveryMillis < 0) {
            breaches.add("recovery: no single primary with every live node streaming from it within "
                    + h.expect().recoveryMillis() + " ms of the fault's end");
        } else if (recoveryMillis > h.expect().recoveryMillis()) {
            breaches.add("recovery: took " + recoveryMillis + " ms, more than " + h.expect().recoveryMillis() + " ms");
        }

        // 4. deaths
        for (History.Death d : h.deaths()) {
            if (!d.byFault()) {
                breaches.add("agent: " + d.node() + "'s agent died at " + d.atMillis() + " ms (" + d.how()
                        + "), not by the fault");
            }
        }
        return new Verdict(breaches, notes, overlap, inOverlap, acks.size(), lost.size(), unavailable(h));
    }

    /**
     * The longest time without any acknowledged write that overlaps the fault's window (from its start to the end
     * of the history): what the applications saw of the fault.
     */
    static long unavailable(History h) {
        long start = h.fault().startMillis();
        List<Long> ends = h.attempts().stream().filter(a -> a.outcome() == Outcome.ACKNOWLEDGED)
                .map(Attempt::endMillis).sorted().toList();
        long last = h.attempts().stream().mapToLong(Attempt::endMillis).max().orElse(start);
        long prev = Long.MIN_VALUE;
        long worst = 0;
        for (long e : ends) {
            if (prev != Long.MIN_VALUE && e >= start) {
                worst = Math.max(worst, e - Math.max(prev, start));
            }
            prev = e;
        }
        if (prev == Long.MIN_VALUE || prev < last) {
            worst = Math.max(worst, last - Math.max(prev == Long.MIN_VALUE ? start : prev, start));
        }
        return worst;
    }
}
