package io.haagent.rest.status;

import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.RoleChangeStats;
import io.haagent.cluster.ClusterView;
import io.haagent.rest.health.HealthFacts;
import java.math.BigDecimal;
import java.util.List;

/**
 * {@code GET /metrics} in the Prometheus text format (§2.5): every Patroni metric, with its HELP text and type,
 * labelled {@code scope} and {@code name}; then what Patroni does not have:
 * <ul>
 * <li>{@code patroni_role{cluster,name,role} 1}, one series per node carrying its current role, so that
 *     {@code count(patroni_role{role="master"}) by (cluster)} counts primaries (only the current role is exported:
 *     a 0-valued series for other roles would be counted too); a primary has two, {@code role="master"} and
 *     {@code role="primary"}, so that the query finds it whichever spelling the cluster writes (Patroni 3's or 4's);
 *     </li>
 * <li>{@code patroni_master}, which Patroni 4 no longer exports (the same value as {@code patroni_primary}), for
 *     dashboards written for Patroni 3;</li>
 * <li>{@code ha_agent_role_changes_total{kind}} and the histogram {@code ha_agent_role_change_duration_seconds}
 *     for failovers, switchovers and crash restarts;</li>
 * <li>{@code ha_agent_synchronous_mode}: 1 when the cluster's configuration asks for synchronous replication, so that
 *     an alert can tell "no synchronous standby" from "none wanted" ({@code patroni_sync_standby} is 0 on every node
 *     in both cases).</li>
 * </ul>
 */
public final class MetricsText {

    /**
     * Patroni 4.1's PostgresqlState, in index order: {@code patroni_postgres_state} is the index (-1: none of them).
     * The names are the states ha-agent serves, Patroni's strings.
     */
    static final List<String> POSTGRES_STATES = List.of("initializing new cluster", "initdb failed",
            "running custom bootstrap script", "custom bootstrap failed", "creating replica", "running", "starting",
            "starting after custom bootstrap", "start failed", "restarting", "restart failed", "stopping", "stopped",
            "stop failed", "crashed");

    private MetricsText() {
    }

    public static String render(NodeSnapshot s, ClusterView fresh) {
        PostgresStatus pg = s.postgres();
        String labels = "{scope=\"" + escape(s.scope()) + "\",name=\"" + escape(s.name()) + "\"}";
        StringBuilder b = new StringBuilder(4096);
        String state = HealthFacts.servedState(pg);
        String role = pg.role();
        boolean queried = pg.queried();
        boolean replicaXlog = queried && pg.inRecovery();
        long replayed = replicaXlog && pg.replayedLocation() != null ? pg.replayedLocation() : 0;
        long received = replicaXlog ? (pg.receivedLocation() == null || pg.receivedLocation() == 0 ? replayed
                : pg.receivedLocation()) : 0;

        gauge(b, "patroni_version", "Patroni semver without periods.", labels, paddedVersion(s.patroniVersion()));
        gauge(b, "patroni_postgres_running", "Value is 1 if Postgres is running, 0 otherwise.", labels,
                bit("running".equals(state)));
        gauge(b, "patroni_postmaster_start_time", "Epoch seconds since Postgres started.", labels,
                queried && pg.postmasterStartTime() != null ? num(PythonTime.epochSeconds(pg.postmasterStartTime()))
                        : "0");
        gauge(b, "patroni_master", "Value is 1 if this node is the leader, 0 otherwise.", labels,
                bit(pg.primaryRole()));
        gauge(b, "patroni_primary", "Value is 1 if this node is the leader, 0 otherwise.", labels,
                bit(pg.primaryRole()));
        metric(b, "patroni_xlog_location", "counter",
                "Current location of the Postgres transaction log, 0 if this node is not the leader.", labels,
                Long.toString(queried && !pg.inRecovery() ? pg.xlogLocation() : 0));
        gauge(b, "patroni_standby_leader", "Value is 1 if this node is the standby_leader, 0 otherwise.", labels,
                bit("standby_leader".equals(role)));
        gauge(b, "patroni_replica", "Value is 1 if this node is a replica, 0 otherwise.", labels,
                bit("replica".equals(role)));
        gauge(b, "patroni_sync_standby", "Value is 1 if this node is a sync standby replica, 0 otherwise.", labels,
                bit(HealthFacts.syncStandby(s, fresh)));
        gauge(b, "patroni_quorum_standby", "Value is 1 if this node is a quorum standby, 0 otherwise.", labels,
                bit(HealthFacts.quorumStandby(s, fresh)));
        metric(b, "patroni_xlog_received_location", "counter",
                "Current location of the received Postgres transaction log, 0 if this node is not a replica.",
                labels, Long.toString(received));
        metric(b, "patroni_xlog_replayed_location", "counter",
                "Current location of the replayed Postgres transaction log, 0 if this node is not a replica.",
                labels, Long.toString(replayed));
        gauge(b, "patroni_xlog_replayed_timestamp", "Current timestamp of the replayed Postgres transaction log, 0 if null.",
                labels, replicaXlog && pg.replayedTimestamp() != null
                        ? num(PythonTime.epochSeconds(pg.replayedTimestamp())) : "0");
        gauge(b, "patroni_xlog_paused", "Value is 1 if the Postgres xlog is paused, 0 otherwise.", labels,
                bit(replicaXlog && Boolean.TRUE.equals(pg.replayPaused())));
        if (queried && pg.serverVersion() >= 90600) {
            gauge(b, "patroni_postgres_streaming", "Value is 1 if Postgres is streaming, 0 otherwise.", labels,
                    bit("streaming".equals(pg.replicationState())));
            gauge(b, "patroni_postgres_in_archive_recovery",
                    "Value is 1 if Postgres is replicating from archive, 0 otherwise.", labels,
                    bit("in archive recovery".equals(pg.replicationState())));
        }
        gauge(b, "patroni_postgres_server_version", "Version of Postgres (if running), 0 otherwise.", labels,
                Integer.toString(queried ? pg.serverVersion() : 0));
        gauge(b, "patroni_cluster_unlocked", "Value is 1 if the cluster is unlocked, 0 if locked.", labels,
                bit(fresh == null || fresh.isUnlocked()));
        gauge(b, "patroni_failsafe_mode_is_active", "Value is 1 if failsafe mode is active, 0 if inactive.", labels,
                bit(s.failsafeActive()));
        metric(b, "patroni_postgres_timeline", "counter", "Postgres timeline of this node (if running), 0 otherwise.",
                labels, Integer.toString(queried && pg.timeline() != null ? pg.timeline() : 0));
        gauge(b, "patroni_dcs_last_seen", "Epoch timestamp when DCS was last contacted successfully by Patroni.",
                labels, Long.toString(s.dcsLastSeen()));
        gauge(b, "patroni_pending_restart", "Value is 1 if the node needs a restart, 0 otherwise.", labels,
                bit(s.pendingRestart() || !s.pendingRestartReason().isEmpty()));
        gauge(b, "patroni_is_paused", "Value is 1 if auto failover is disabled, 0 otherwise.", labels,
                bit(s.paused()));
        // Patroni 4.1: the state as a number, the indexes of its PostgresqlState (never renumbered)
        b.append("# HELP patroni_postgres_state Numeric representation of Postgres state.\n");
        b.append("# Values: ").append(String.join(", ", POSTGRES_STATES.stream()
                .map(st -> POSTGRES_STATES.indexOf(st) + "=" + st.replace(' ', '_')).toList())).append('\n');
        b.append("# TYPE patroni_postgres_state gauge\n");
        b.append("patroni_postgres_state").append(labels).append(' ').append(POSTGRES_STATES.indexOf(state))
                .append('\n');

        // ---- not in Patroni ----
        // a primary carries both spellings, so that role="master" (the seed guide's query) and role="primary"
        // (Patroni 4's word) find it whichever spelling the cluster writes (io.haagent.cluster.RoleNames)
        String roleLabels = "{cluster=\"" + escape(s.scope()) + "\",name=\"" + escape(s.name()) + "\",role=\"";
        b.append("# HELP patroni_role Always 1; the role label carries this node's role (a primary has two series,"
                + " role=\"master\" and role=\"primary\"; replica, standby_leader, ...).\n");
        b.append("# TYPE patroni_role gauge\n");
        for (String r : pg.primaryRole() ? List.of("master", "primary") : List.of(role)) {
            b.append("patroni_role").append(roleLabels).append(escape(r)).append("\"} 1\n");
        }

        gauge(b, "ha_agent_synchronous_mode", "Value is 1 if the cluster's configuration asks for synchronous"
                + " replication (synchronous_mode, outside a standby cluster), 0 otherwise.", labels,
                bit(fresh != null && fresh.dynamic().synchronousModeEffective()));

        RoleChangeStats stats = s.roleChangeStats();
        String base = "scope=\"" + escape(s.scope()) + "\",name=\"" + escape(s.name()) + "\",kind=\"";
        b.append("# HELP ha_agent_role_changes_total Role changes of this node since the agent started, by kind.\n");
        b.append("# TYPE ha_agent_role_changes_total counter\n");
        for (RoleChangeKind k : RoleChangeKind.values()) {
            b.append("ha_agent_role_changes_total{").append(base).append(k.label()).append("\"} ")
                    .append(stats.count(k)).append('\n');
        }
        b.append("# HELP ha_agent_role_change_duration_seconds How long role changes took, from detection to the"
                + " new role in force.\n");
        b.append("# TYPE ha_agent_role_change_duration_seconds histogram\n");
        List<Double> bounds = RoleChangeStats.BUCKETS_SECONDS;
        for (RoleChangeKind k : RoleChangeKind.values()) {
            RoleChangeStats.Histogram h = stats.histogram(k);
            long[] cumulative = h.cumulativeCounts();
            String l = base + k.label() + "\"";
            for (int i = 0; i < bounds.size(); i++) {
                b.append("ha_agent_role_change_duration_seconds_bucket{").append(l).append(",le=\"")
                        .append(num(bounds.get(i))).append("\"} ").append(cumulative[i]).append('\n');
            }
            b.append("ha_agent_role_change_duration_seconds_bucket{").append(l).append(",le=\"+Inf\"} ")
                    .append(h.count()).append('\n');
            b.append("ha_agent_role_change_duration_seconds_sum{").append(l).append("} ").append(num(h.sumSeconds()))
                    .append('\n');
            b.append("ha_agent_role_change_duration_seconds_count{").append(l).append("} ").append(h.count())
                    .append('\n');
        }
        return b.toString();
    }

    /** {@code 3.3.1 -> 030301}: each part zero-padded to two digits, as Patroni prints it. */
    static String paddedVersion(String version) {
        if (version == null) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        for (String part : version.split("\\.")) {
            String digits = part.replaceAll("[^0-9]", "");
            b.append(digits.length() < 2 ? "0".repeat(2 - digits.length()) + digits : digits);
        }
        return b.length() == 0 ? "0" : b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, String labels, String value) {
        metric(b, name, "gauge", help, labels, value);
    }

    private static void metric(StringBuilder b, String name, String type, String help, String labels, String value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static String bit(boolean b) {
        return b ? "1" : "0";
    }

    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return BigDecimal.valueOf(d).toPlainString();
    }

    /** Label values escape backslash, double quote and newline (text format 0.0.4). */
    static String escape(String v) {
        if (v == null) {
            return "";
        }
        if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
            return v;
        }
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
