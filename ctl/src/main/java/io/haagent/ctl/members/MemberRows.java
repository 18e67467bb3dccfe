package io.haagent.ctl.members;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.Member;
import io.haagent.config.DynamicConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the rows of {@code agentctl list} from one cluster snapshot and what the members' APIs and leases said.
 * Pure: no etcd, no HTTP.
 */
public final class MemberRows {
    /** Member state when the member key is gone but the leader or sync key still names the member. */
    public static final String KEY_EXPIRED = "member key expired";
    public static final String API_SILENT = "API not answering";

    private MemberRows() {
    }

    public static List<MemberRow> rows(ClusterView view, Map<String, Liveness> live, Instant now) {
        DynamicConfig config = view.dynamic();
        String leaderName = view.leaderName();
        long clusterLsn = view.lastLsn();
        JsonNode leaderStatus = leaderName == null ? null : live.getOrDefault(leaderName, Liveness.UNKNOWN).status();
        List<MemberRow> out = new ArrayList<>();
        for (Member m : view.members()) {
            String role;
            if (m.name().equals(leaderName)) {
                role = config.isStandbyCluster() ? "standby_leader" : "leader";
            } else if (config.synchronousModeEffective() && view.sync().matches(m.name())) {
                role = config.quorumCommitEffective() ? "quorum_standby" : "sync_standby";
            } else {
                role = "replica";
            }
            // Patroni 3.3: a replica shows how it replicates (streaming, in archive recovery) when it says so
            String state = !role.equals("leader") && m.replicationState() != null && !m.replicationState().isEmpty()
                    ? m.replicationState() : m.state() == null ? "" : m.state();
            Liveness l = live.getOrDefault(m.name(), Liveness.UNKNOWN);
            List<String> problems = new ArrayList<>();
            if (l.apiProblem() != null) {
                problems.add(API_SILENT);
            }
            if (l.lease() != null) {
                if (!l.lease().alive()) {
                    problems.add("lease expired");
                } else if (l.lease().secondsSinceRenewal() > staleAfterSeconds(config)) {
                    problems.add("key not renewed for " + l.lease().secondsSinceRenewal() + " s");
                }
            }
            if (!problems.isEmpty()) {
                state = String.join(", ", problems) + (state.isEmpty() ? "" : " (last: " + state + ")");
            }
            Long lagBytes = null;
            Double lagSeconds = null;
            MemberRow.Positions positions = null;
            if (!m.name().equals(leaderName)) {
                lagBytes = m.xlogLocation() == null ? -1L : Math.max(0, clusterLsn - m.xlogLocation());
                lagSeconds = replayLagSeconds(leaderStatus, l.status(), now);
                positions = positions(m, state, clusterLsn);
            }
            out.add(new MemberRow(m.name(), role, state, m.host(), m.host() == null ? null : m.port(), m.timeline(),
                    lagBytes, lagSeconds, m.pendingRestart(), m.pendingRestartReason(), m.scheduledRestart(),
                    m.tags().isEmpty() ? null : m.tags().values(), !problems.isEmpty(), positions));
        }
        // Keys that still name a member whose own key is gone: its agent stopped renewing it for at least ttl.
        if (leaderName != null && view.member(leaderName).isEmpty()) {
            out.add(expired(leaderName, config.isStandbyCluster() ? "standby_leader" : "leader"));
        }
        if (config.synchronousModeEffective()) {
            for (String s : view.sync().syncStandbys()) {
                if (view.members().stream().noneMatch(m -> m.name().equalsIgnoreCase(s))
                        && out.stream().noneMatch(r -> r.name().equals(s))) {
                    out.add(expired(s, "sync_standby"));
                }
            }
        }
        // A member whose key expired while its postgres still replicates: the leader still sees its walsender.
        if (leaderStatus != null && leaderStatus.path("replication").isArray()) {
            for (JsonNode r : leaderStatus.path("replication")) {
                String app = r.path("application_name").asText("");
                String how = r.path("state").asText("");
                // PostgreSQL's own tools (pg_basebackup, pg_receivewal) stream too: they are not members
                if (app.isEmpty() || app.startsWith("pg_") || !(how.equals("streaming") || how.equals("catchup")) || view.members().stream().anyMatch(m -> m.name().equalsIgnoreCase(app))
                        || out.stream().anyMatch(x -> x.name().equalsIgnoreCase(app))) {
                    continue;
                }
                out.add(new MemberRow(app, "replica", KEY_EXPIRED + " (still " + how + " from the leader)",
                        r.path("client_addr").asText(null), null, null, null, null, false, null, null, null, true,
                        null));
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /**
     * How long a member's lease may go without a keepalive before we say its agent stopped: a live agent renews
     * every HA cycle (Patroni skips a renewal less than loop_wait after the last one, so up to 2*loop_wait), and a
     * cycle may spend retry_timeout on etcd. One second more absorbs etcd's whole-second TTLs.
     */
    static long staleAfterSeconds(DynamicConfig c) {
        return Math.max(2L * c.loopWait(), (long) c.loopWait() + c.retryTimeout()) + 1;
    }

    /**
     * Seconds the member's replay is behind the leader: 0 when it has replayed all the leader has written, else
     * the age of the last transaction it replayed (what a reader of this replica misses). Null when unknown.
     */
    static Double replayLagSeconds(JsonNode leader, JsonNode member, Instant now) {
        if (member == null) {
            return null;
        }
        JsonNode xlog = member.path("xlog");
        if (!xlog.has("replayed_location")) {
            return null;
        }
        long replayed = xlog.path("replayed_location").asLong();
        if (leader != null && leader.path("xlog").has("location")
                && replayed >= leader.path("xlog").path("location").asLong()) {
            return 0.0;
        }
        OffsetDateTime ts = pythonTime(xlog.path("replayed_timestamp").asText(null));
        if (ts == null) {
            return null;
        }
        double s = Duration.between(ts.toInstant(), now).toMillis() / 1000.0;
        return Math.max(0.0, Math.round(s * 10) / 10.0);
    }

    /** Python's {@code str(datetime)} or isoformat, e.g. {@code 2023-08-18 11:03:37.966359+00:00}. */
    static OffsetDateTime pythonTime(String s) {
        if (s == null || s.length() < 19) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s.substring(0, 10) + "T" + s.substring(11));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static MemberRow expired(String name, String role) {
        return new MemberRow(name, role, KEY_EXPIRED, null, null, null, null, null, false, null, null, null, true,
                null);
    }

    /**
     * Patroni 4.1.4's cluster_as_json and output_members: receive and replay positions from the member key, lag
     * behind the status key's position (0 when ahead of it); a member that publishes neither (Patroni 3, or an
     * older agent) shows its one position as received when it streams, else as replayed.
     */
    static MemberRow.Positions positions(Member m, String state, long clusterLsn) {
        Long receive = nonZero(m.receiveLsn());
        Long replay = nonZero(m.replayLsn());
        Long xlog = nonZero(m.xlogLocation());
        if (receive == null && replay == null && xlog != null) {
            if ("streaming".equals(state)) {
                receive = xlog;
            } else {
                replay = xlog;
            }
        }
        return new MemberRow.Positions(lsnText(receive), lag(receive, clusterLsn), lsnText(replay),
                lag(replay, clusterLsn));
    }

    private static Long nonZero(Long v) {
        return v == null || v == 0 ? null : v;
    }

    private static String lsnText(Long v) {
        return v == null ? "unknown" : Lsn.of(v).toString();
    }

    private static Long lag(Long v, long clusterLsn) {
        return v == null ? null : Math.max(0, clusterLsn - v);
    }

    /** The member's {@code scheduled_restart} as patronictl shows it: the time, and the version filter. */
    static String scheduledRestart(Map<String, Object> s) {
        if (s == null || s.get("schedule") == null) {
            return "";
        }
        String v = s.get("schedule").toString();
        if (s.get("postgres_version") != null) {
            v += " if version < " + s.get("postgres_version");
        }
        return v;
    }

    /** Patroni 3.3's pending restart reason cell: {@code param: old->new}, long ones hidden in pretty tables. */
    static String pendingReason(Map<String, Map<String, String>> reasons, boolean hideLong) {
        if (reasons == null || reasons.isEmpty()) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : new LinkedHashMap<>(reasons).entrySet()) {
            Map<String, String> v = e.getValue() == null ? Map.of() : e.getValue();
            String full = e.getKey() + ": " + v.getOrDefault("old_value", "") + "->" + v.getOrDefault("new_value", "");
            lines.add(!hideLong || full.length() <= 50 ? full : e.getKey() + ": [hidden - too long]");
        }
        return String.join("\n", lines);
    }
}
