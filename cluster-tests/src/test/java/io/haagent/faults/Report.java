package io.haagent.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.faults.History.Attempt;
import io.haagent.faults.History.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The report of a run: JSON ({@code scenarios}, {@code breaches}, and per scenario its fault, unavailability
 * window, rows acknowledged and lost, the role changes and the agent's own history of them) and an SVG timeline next
 * to it: per scenario, per node, when it accepted writes (green; red where two did at once), the fault's window
 * (grey), and each failed (red) or unknown (orange) write.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    static Path svgPath(Path report) {
        String name = report.getFileName().toString().replaceFirst("\\.json$", "");
        return report.resolveSibling(name + ".svg");
    }

    static void write(FaultSuite.Options o, List<FaultSuite.Result> results) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("agent", o.agent() == AgentKind.HA_AGENT ? "ha-agent" : "patroni");
        root.put("seed", o.seed());
        root.put("selection", o.ci() ? "ci" : o.only().isEmpty() ? "random" : "named");
        root.put("scenarios", results.size());
        root.put("breaches", results.stream().mapToInt(r -> r.verdict().breaches().size()).sum());
        root.put("acknowledged", results.stream().mapToInt(r -> r.verdict().acknowledged()).sum());
        root.put("lost", results.stream().mapToInt(r -> r.verdict().lost()).sum());
        root.put("recovery_limit_ms", FaultSuite.RECOVERY.toMillis());
        ArrayNode list = root.putArray("results");
        for (FaultSuite.Result r : results) {
            ObjectNode n = list.addObject();
            n.put("scenario", r.name());
            n.put("fault", r.fault());
            n.put("replication", r.sync());
            n.put("fault_start_ms", r.window().startMillis());
            n.put("fault_end_ms", r.window().endMillis());
            n.put("unavailable_ms", r.verdict().unavailableMillis());
            n.put("recovered_ms", r.recoveryMillis());
            n.put("acknowledged", r.verdict().acknowledged());
            n.put("lost", r.verdict().lost());
            n.put("overlap_ms", r.verdict().overlapMillis());
            n.put("acknowledged_in_overlap", r.verdict().acknowledgedInOverlap());
            if (r.history() != null) {
                n.put("failed", r.history().attempts().stream().filter(a -> a.outcome() == Outcome.FAILED).count());
                n.put("unknown", r.history().attempts().stream().filter(a -> a.outcome() == Outcome.UNKNOWN).count());
            }
            r.verdict().breaches().forEach(n.putArray("breaches")::add);
            r.verdict().notes().forEach(n.putArray("notes")::add);
            n.set("role_changes", JSON.valueToTree(r.roleChanges()));
            try {
                n.set("agent_history", JSON.readTree(r.agentHistory()));
            } catch (IOException | RuntimeException e) {
                n.put("agent_history", r.agentHistory());
            }
        }
        Path parent = o.report().toAbsolutePath().getParent();
        Files.createDirectories(parent);
        JSON.writeValue(o.report().toFile(), root);
        Files.writeString(svgPath(o.report()), svg(results));
    }

    static String svg(List<FaultSuite.Result> results) {
        int width = 1000;
        int rowH = 14;
        int panelH = 3 * rowH + 40;
        StringBuilder b = new StringBuilder();
        b.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"10\">%n", width + 60, results.size() * panelH + 20));
        int y = 10;
        for (FaultSuite.Result r : results) {
            History h = r.history();
            b.append(String.format("<text x=\"0\" y=\"%d\">%s (%s): unavailable %d ms, lost %d, breaches %d</text>%n",
                    y + 10, esc(r.name()), esc(r.sync()), r.verdict().unavailableMillis(), r.verdict().lost(),
                    r.verdict().breaches().size()));
            if (h == null || h.samples().isEmpty()) {
                y += panelH;
                continue;
            }
            long end = Math.max(1, h.samples().get(h.samples().size() - 1).endMillis());
            double sx = (double) width / end;
            int top = y + 16;
            if (h.fault().startMillis() >= 0) {
                long fe = h.fault().endMillis() < 0 ? end : h.fault().endMillis();
                b.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#ddd\"/>%n",
                        50 + h.fault().startMillis() * sx, top, Math.max(1, (fe - h.fault().startMillis()) * sx),
                        3 * rowH));
            }
            List<String> nodes = h.samples().get(0).nodes().keySet().stream().toList();
            for (int i = 0; i < nodes.size(); i++) {
                String node = nodes.get(i);
                int ry = top + i * rowH;
                b.append(String.format("<text x=\"0\" y=\"%d\">%s</text>%n", ry + 10, esc(node)));
                for (History.Sample s : h.samples()) {
                    var ns = s.nodes().get(node);
                    if (ns != null && Boolean.TRUE.equals(ns.writable())) {
                        long writable = s.nodes().values().stream().filter(v -> Boolean.TRUE.equals(v.writable()))
                                .count();
                        b.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                                50 + s.startMillis() * sx, ry + 2, Math.max(1, 150 * sx), rowH - 4,
                                writable > 1 ? "#d00" : "#3a3"));
                    }
                }
            }
            int wy = top + 3 * rowH + 2;
            for (Attempt a : h.attempts()) {
                if (a.outcome() != Outcome.ACKNOWLEDGED) {
                    b.append(String.format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n",
                            50 + a.endMillis() * sx, 50 + a.endMillis() * sx, wy, wy + 8,
                            a.outcome() == Outcome.FAILED ? "#d00" : "#f80"));
                }
            }
            y += panelH;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
