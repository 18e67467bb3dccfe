package io.haagent.bench;

import io.haagent.cluster.harness.AgentKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The benchmark's summary: every figure for each agent with the ratio, then the goals of issue 17. */
final class Report {
    private Report() {
    }

    /** A goal: the figure, its bound in seconds, and the ratio against Patroni it asks for (0 when none). */
    record Goal(String text, String metric, double bound, double ratio) {
    }

    static final List<Goal> GOALS = List.of(
            new Goal("switchover, libpq multi-host <= 0.5 s, >= 3x Patroni", "switchover.unavailable.libpq", 0.5, 3),
            new Goal("switchover, HAProxy (shipped config) <= 1.5 s, >= 3x Patroni", "switchover.unavailable.haproxy",
                    1.5, 3),
            new Goal("postmaster crash, libpq <= 0.5 s", "crash.unavailable.libpq", 0.5, 0),
            new Goal("node death, libpq <= 1 s after the lease expired", "nodekill.next_success.libpq", 1, 0),
            new Goal("node death, HAProxy (shipped) <= 1 s after the lease expired", "nodekill.next_success.haproxy",
                    1, 0),
            new Goal("bootstrap <= 5 s, worst of the runs", "bootstrap.healthy", 5, 0));

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> report, List<AgentKind> kinds) {
        List<Map<String, List<Double>>> byKind = new ArrayList<>();
        Set<String> metrics = new LinkedHashSet<>();
        for (AgentKind k : kinds) {
            Map<String, List<Double>> m = (Map<String, List<Double>>) report.get(k.name().toLowerCase(Locale.ROOT));
            byKind.add(m);
            metrics.addAll(m.keySet());
        }
        System.out.println();
        System.out.printf("%-44s", "figure (s): min / median / max");
        for (AgentKind k : kinds) {
            System.out.printf("%-26s", k.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        System.out.println(kinds.size() == 2 ? "ratio (median)" : "");
        for (String metric : metrics) {
            System.out.printf("%-44s", metric);
            List<Double> medians = new ArrayList<>();
            for (Map<String, List<Double>> m : byKind) {
                List<Double> v = m.get(metric);
                if (v == null || v.isEmpty()) {
                    System.out.printf("%-26s", "-");
                    medians.add(null);
                    continue;
                }
                List<Double> s = sorted(v);
                medians.add(median(s));
                System.out.printf("%-26s", String.format("%.3f / %.3f / %.3f", s.get(0), median(s), s.get(s.size() - 1)));
            }
            if (medians.size() == 2 && medians.get(0) != null && medians.get(1) != null && medians.get(0) > 0) {
                System.out.printf("x%.1f", medians.get(1) / medians.get(0));
            }
            System.out.println();
        }
        Map<String, List<Double>> ours = kinds.contains(AgentKind.HA_AGENT)
                ? byKind.get(kinds.indexOf(AgentKind.HA_AGENT)) : null;
        Map<String, List<Double>> patroni = kinds.contains(AgentKind.PATRONI)
                ? byKind.get(kinds.indexOf(AgentKind.PATRONI)) : null;
        if (ours == null) {
            return;
        }
        System.out.println();
        System.out.println("goals (issue 17), ha-agent: median / worst; met = the worst run within the bound");
        for (Goal g : GOALS) {
            List<Double> v = ours.get(g.metric());
            if (v == null || v.isEmpty()) {
                continue;
            }
            List<Double> s = sorted(v);
            double med = median(s);
            double worst = s.get(s.size() - 1);
            String verdict = worst <= g.bound() ? "met" : med <= g.bound()
                    ? String.format("met on the median, worst missed by %.3f s", worst - g.bound())
                    : String.format("missed by %.3f s (median)", med - g.bound());
            String ratio = "";
            List<Double> p = patroni == null ? null : patroni.get(g.metric());
            if (p != null && !p.isEmpty() && med > 0) {
                double r = median(sorted(p)) / med;
                ratio = String.format("; Patroni %.3f, x%.1f", median(sorted(p)), r);
                if (g.ratio() > 0 && r < g.ratio()) {
                    verdict += String.format("; ratio x%.1f short of x%.0f", r, g.ratio());
                }
            }
            System.out.printf("  %-62s %.3f / %.3f%s: %s%n", g.text(), med, worst, ratio, verdict);
        }
        double lost = ours.entrySet().stream().filter(e -> e.getKey().startsWith("lost."))
                .mapToDouble(e -> e.getValue().stream().mapToDouble(Double::doubleValue).sum()).sum();
        System.out.printf("  %-62s %s%n", "nothing acknowledged lost", lost == 0 ? "met" : "missed: " + (long) lost
                + " rows lost");
    }

    private static List<Double> sorted(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return s;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
