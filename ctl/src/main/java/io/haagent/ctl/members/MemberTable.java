package io.haagent.ctl.members;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.ctl.output.Colours;
import io.haagent.ctl.output.Format;
import io.haagent.ctl.output.Rows;
import io.haagent.ctl.output.Table;
import io.haagent.ctl.output.YamlText;
import io.haagent.dcs.codec.FailoverCodec;
import io.haagent.config.ConfigProblem;
import io.haagent.config.DynamicConfigRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * patronictl's member table ({@code output_members}, Patroni 4.1.4: {@code Receive LSN}, {@code Receive Lag},
 * {@code Replay LSN}, {@code Replay Lag}, the lags in MB and both named {@code Lag} in the pretty and topology
 * tables) with agentctl's additions: the exact lag in bytes and the replay lag in seconds after them, and members
 * that are not heard from marked in {@code State}. The columns patronictl has keep its names, order and values, so
 * scripts reading its tsv or json read ours.
 */
public final class MemberTable {
    public static final String RECEIVE_LSN = "Receive LSN";
    public static final String RECEIVE_LAG = "Receive Lag";
    public static final String REPLAY_LSN = "Replay LSN";
    public static final String REPLAY_LAG = "Replay Lag";
    public static final String LAG_BYTES = "Lag in bytes";
    public static final String LAG_SECONDS = "Lag in s";
    private static final List<String> OPTIONAL = List.of("Pending restart", "Pending restart reason",
            "Scheduled restart", "Tags");

    private MemberTable() {
    }

    /**
     * @param topology indent members under the member they replicate from ({@code agentctl topology})
     */
    public static Rows table(String cluster, ClusterView view, List<MemberRow> members, boolean extended,
            Format format, boolean topology) {
        boolean pretty = format == Format.PRETTY;
        String receiveLag = pretty ? "Lag" : RECEIVE_LAG;
        String replayLag = pretty ? "Lag" : REPLAY_LAG;
        List<String> columns = new ArrayList<>(List.of("Cluster", "Member", "Host", "Role", "State", "TL",
                RECEIVE_LSN, receiveLag, REPLAY_LSN, replayLag, LAG_BYTES, LAG_SECONDS));
        // patronictl decides the optional columns and the host:port form from the members that have an address
        List<MemberRow> listed = members.stream().filter(r -> r.host() != null).toList();
        Map<String, Boolean> any = new LinkedHashMap<>();
        any.put("Pending restart", listed.stream().anyMatch(MemberRow::pendingRestart));
        any.put("Pending restart reason", listed.stream().anyMatch(r -> r.pendingRestartReason() != null
                && !r.pendingRestartReason().isEmpty()));
        any.put("Scheduled restart", listed.stream().anyMatch(r -> r.scheduledRestart() != null));
        any.put("Tags", listed.stream().anyMatch(r -> r.tags() != null && !r.tags().isEmpty()));
        for (String c : OPTIONAL) {
            if (extended || any.get(c)) {
                columns.add(c);
            }
        }
        // host:port when somebody runs on a non-standard port or two members share a host (patronictl's rule)
        boolean appendPort = listed.stream().anyMatch(r -> r.port() != null && r.port() != 5432)
                || listed.stream().map(MemberRow::host).distinct().count() < listed.size();

        Rows rows = new Rows(columns).title(title(cluster, view)).skipInPretty(1)
                .align("TL", Table.Align.RIGHT).align(RECEIVE_LSN, Table.Align.RIGHT)
                .align(REPLAY_LSN, Table.Align.RIGHT).align(receiveLag, Table.Align.RIGHT)
                .align(replayLag, Table.Align.RIGHT)
                .align(LAG_BYTES, Table.Align.RIGHT).align(LAG_SECONDS, Table.Align.RIGHT);
        for (Display d : topology ? topologyOrder(members) : plain(members)) {
            MemberRow r = d.row();
            List<Object> cells = new ArrayList<>();
            cells.add(cluster);
            cells.add(d.name());
            String host = r.host() == null ? "" : r.host();
            if (appendPort && r.host() != null && r.port() != null) {
                host = host + ":" + r.port();
            }
            cells.add(host);
            cells.add(title(r.role()));
            cells.add(r.state());
            cells.add(r.timeline() == null ? "" : r.timeline());
            MemberRow.Positions p = r.positions();
            cells.add(p == null ? "" : p.receiveLsn());
            cells.add(p == null ? "" : megabytes(p.receiveLag()));
            cells.add(p == null ? "" : p.replayLsn());
            cells.add(p == null ? "" : megabytes(p.replayLag()));
            cells.add(r.lagBytes() == null ? "" : r.lagBytes() < 0 ? "unknown" : r.lagBytes());
            cells.add(r.lagSeconds() == null ? "" : r.lagSeconds());
            for (String c : columns.subList(12, columns.size())) {
                switch (c) {
                    case "Pending restart" -> cells.add(r.pendingRestart() ? "*" : "");
                    case "Pending restart reason" -> cells.add(MemberRows.pendingReason(r.pendingRestartReason(),
                            format == Format.PRETTY));
                    case "Scheduled restart" -> cells.add(MemberRows.scheduledRestart(r.scheduledRestart()));
                    default -> cells.add(tags(r.tags(), format));
                }
            }
            rows.add(cells);
        }
        return rows;
    }

    /** patronictl's {@code round(lag / 1024 / 1024)} (Python rounds half to even); unknown is an empty cell. */
    private static Object megabytes(Long bytes) {
        return bytes == null ? "" : Math.round(Math.rint(bytes / 1024.0 / 1024.0));
    }

    /** {@code " Cluster: batman (7312345678901234567) "}: the system id, or whether it is being initialized. */
    static String title(String cluster, ClusterView view) {
        String init = view.initialize() == null ? "uninitialized"
                : view.initialize().isEmpty() ? "initializing" : view.initialize();
        return " Cluster: " + cluster + " (" + init + ") ";
    }

    /**
     * The footer of the pretty table: maintenance mode, a scheduled switchover, and a config key the nodes do not
     * apply (it fails the validation they run, {@link DynamicConfigRules}; they keep their last good configuration).
     */
    public static List<String> serviceInfo(ClusterView view) {
        List<String> out = new ArrayList<>();
        if (view.config() != null && !view.config().isEmpty()) {
            List<ConfigProblem> errors = DynamicConfigRules.errors(view.config().data());
            if (!errors.isEmpty()) {
                out.add("Configuration not applied: the config key (revision " + view.config().modRevision()
                        + ") is not valid, so the nodes keep their last good configuration: "
                        + errors.stream().map(ConfigProblem::line).collect(Collectors.joining("; "))
                        + " (fix it with edit-config)");
            }
        }
        if (view.isPaused()) {
            out.add("Maintenance mode: on");
        }
        FailoverRequest f = view.failover();
        if (f != null && f.scheduledAt() != null) {
            StringBuilder b = new StringBuilder("Switchover scheduled at: " + FailoverCodec.isoformat(f.scheduledAt()));
            if (f.leader() != null) {
                b.append('\n').append(String.format("%24s: %s", "from", f.leader()));
            }
            if (f.candidate() != null) {
                b.append('\n').append(String.format("%24s: %s", "to", f.candidate()));
            }
            out.add(b.toString());
        }
        return out;
    }

    /** Colours for a terminal: the leader green, members that are not heard from red. */
    public static BiFunction<String, String, String> painter(Colours colours) {
        if (!colours.on()) {
            return null;
        }
        return (column, text) -> switch (column) {
            case "Role" -> text.contains("Leader") ? colours.bold(colours.green(text)) : text;
            case "State" -> text.contains(MemberRows.API_SILENT) || text.contains("expired")
                    || text.contains("not renewed") || text.contains("failed") || text.contains("crashed")
                    || text.startsWith("stopped") ? colours.red(text)
                    : text.startsWith("running") || text.startsWith("streaming") ? colours.green(text)
                    : colours.yellow(text);
            default -> text;
        };
    }

    private static String title(String role) {
        StringBuilder b = new StringBuilder();
        for (String w : role.split("_")) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
        }
        return b.toString();
    }

    private static Object tags(Map<String, Object> tags, Format format) {
        if (tags == null || tags.isEmpty()) {
            return "";
        }
        return switch (format) {
            case PRETTY -> YamlText.dump(tags).strip();
            case TSV -> YamlText.dumpFlow(tags);
            default -> tags;
        };
    }

    private record Display(String name, MemberRow row) {
    }

    private static List<Display> plain(List<MemberRow> rows) {
        List<Display> out = new ArrayList<>();
        rows.forEach(r -> out.add(new Display(r.name(), r)));
        return out;
    }

    /**
     * patronictl's topology: the leader first, each replica under the member named by its {@code replicatefrom}
     * tag (when that is another replica), indented two spaces per level with a {@code +}.
     */
    static List<Display> topologyOrder(List<MemberRow> rows) {
        MemberRow leader = rows.stream().filter(MemberRow::isLeader).findFirst().orElse(null);
        List<String> replicas = rows.stream().filter(r -> !r.isLeader()).map(MemberRow::name).toList();
        Map<String, List<MemberRow>> children = new LinkedHashMap<>();
        for (MemberRow r : rows) {
            if (r.isLeader()) {
                continue;
            }
            String parent = r.replicatefrom();
            if (parent == null || parent.equals(r.name()) || !replicas.contains(parent)) {
                parent = leader == null ? "" : leader.name();
            }
            children.computeIfAbsent(parent, k -> new ArrayList<>()).add(r);
        }
        List<Display> out = new ArrayList<>();
        if (leader != null) {
            out.add(new Display(leader.name(), leader));
            walk(leader.name(), 1, children, out, new ArrayList<>());
        } else {
            walk("", 1, children, out, new ArrayList<>());
        }
        for (MemberRow r : rows) {
            if (out.stream().noneMatch(d -> d.row() == r)) {
                out.add(new Display("+ " + r.name(), r)); // in a replicatefrom cycle: shown, not lost
            }
        }
        return out;
    }

    private static void walk(String parent, int level, Map<String, List<MemberRow>> children, List<Display> out,
            List<String> seen) {
        for (MemberRow r : children.getOrDefault(parent, Collections.emptyList())) {
            if (seen.contains(r.name())) {
                continue; // a replicatefrom cycle: each member once
            }
            seen.add(r.name());
            out.add(new Display(" ".repeat((level - 1) * 2) + "+ " + r.name(), r));
            walk(r.name(), level + 1, children, out, seen);
        }
    }
}
