package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.Session;
import io.haagent.ctl.members.Liveness;
import io.haagent.ctl.members.MemberRow;
import io.haagent.ctl.members.MemberRows;
import io.haagent.ctl.members.MemberTable;
import io.haagent.ctl.output.Format;
import io.haagent.ctl.output.Rows;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import io.haagent.dcs.etcd.LeaseTtl;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The member table of a cluster, with its members' APIs and leases asked: what list, topology and others print. */
final class Listing {
    /** GET /patroni of every member during a listing: short, so one silent node does not stall the table. */
    private static final Duration PROBE = Duration.ofSeconds(2);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Listing() {
    }

    /** What the listing found: the snapshot, the rows and what each member's API said. */
    record Result(ClusterView view, List<MemberRow> rows, Map<String, Liveness> live) {
    }

    static Result gather(Session session, ClusterStore store, ClusterView view) {
        MemberApi api = session.api();
        Duration probe = session.apiTimeout().compareTo(PROBE) < 0 ? session.apiTimeout() : PROBE;
        Map<String, MemberApi.Status> statuses = api.statusOfAll(view.members(), probe);
        Map<String, Liveness> live = new LinkedHashMap<>();
        for (Member m : view.members()) {
            MemberApi.Status st = statuses.get(m.name());
            LeaseTtl lease = store.lease(m.lease());
            live.put(m.name(), new Liveness(st == null ? null : st.document(), st == null ? null : st.problem(), lease));
        }
        return new Result(view, MemberRows.rows(view, live, session.clock().now()), live);
    }

    /** The table (and, in pretty form, the footer) of one cluster. */
    static String render(Session session, String cluster, Result r, boolean extended, Format format,
            boolean topology) {
        Rows rows = MemberTable.table(cluster, r.view(), r.rows(), extended, format, topology);
        StringBuilder b = new StringBuilder(rows.render(format, "\t", MemberTable.painter(session.colours())));
        if (format == Format.PRETTY) {
            List<String> info = MemberTable.serviceInfo(r.view());
            if (!info.isEmpty()) {
                b.append("\n ").append(String.join("\n ", info));
            }
        }
        return b.toString();
    }

    /** Reads, asks and renders one cluster. */
    static String screen(Session session, String cluster, boolean extended, Format format, boolean topology) {
        ClusterStore store = session.store(cluster);
        ClusterView view = store.readExisting();
        return render(session, cluster, gather(session, store, view), extended, format, topology);
    }

    /** The table printed before and after an action (switchover, restart, ...), as patronictl does. */
    static void print(Session session, String cluster, ClusterStore store, ClusterView view) {
        session.out().println(render(session, cluster, gather(session, store, view), false, Format.PRETTY, false));
    }

    /** The table, for the person about to answer this command's questions: none with --force or no terminal. */
    static void printBeforeQuestions(Session session, String cluster, ClusterStore store, ClusterView view,
            boolean force) {
        if (!force && session.terminal().interactive()) {
            print(session, cluster, store, view);
        }
    }

    /** One screen of each cluster (the scope when none is named): what list and topology print, and refresh. */
    static String screens(Session session, List<String> clusters, boolean extended, Format format, boolean topology) {
        StringBuilder b = new StringBuilder();
        for (String c : clusters.isEmpty() ? List.of(session.clusterName(null)) : clusters) {
            b.append(screen(session, c, extended, format, topology)).append('\n');
        }
        return b.toString();
    }

    /** patronictl's {@code -t}: local time to the second. */
    static String timestamp() {
        return LocalDateTime.now().format(TIMESTAMP);
    }
}
