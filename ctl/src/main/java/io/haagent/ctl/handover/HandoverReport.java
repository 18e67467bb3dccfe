package io.haagent.ctl.handover;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What agentctl prints once a switchover or failover is over: who handed over to whom, how long it took from the
 * request, and for how long the cluster had no primary accepting writes, from the nodes' {@code last_role_change}
 * records in {@code /patroni} (ha-agent publishes them; for nodes that do not, what agentctl saw itself). Pure.
 */
public final class HandoverReport {
    /** Records older than the request by more than this belong to an earlier change (clocks differ a little). */
    private static final Duration SKEW = Duration.ofSeconds(2);

    private HandoverReport() {
    }

    /**
     * @param requestedAt when agentctl sent the request
     * @param observedAt  when agentctl saw the new leader running as primary
     * @param newStatus   the new leader's {@code /patroni}, or null
     * @param oldStatus   the old leader's {@code /patroni}, or null
     */
    public static String describe(String action, String oldLeader, String newLeader, Instant requestedAt,
            Instant observedAt, JsonNode newStatus, JsonNode oldStatus) {
        String verb = Handover.SWITCHOVER.equals(action) ? "switched over" : "failed over";
        Instant promoted = time(change(newStatus, requestedAt), "completed_at");
        JsonNode demotion = change(oldStatus, requestedAt);
        // the old leader's record counts only if it is the demotion: it changed from the primary role
        String from = demotion == null ? null : text(demotion, "from");
        Instant demoteStarted = "master".equals(from) || "primary".equals(from) ? time(demotion, "started_at") : null;
        Duration total = promoted != null && !promoted.isBefore(requestedAt) ? Duration.between(requestedAt, promoted)
                : Duration.between(requestedAt, observedAt);
        StringBuilder b = new StringBuilder(verb);
        if (oldLeader != null && !oldLeader.equals(newLeader)) {
            b.append(" from ").append(oldLeader);
        }
        b.append(" to ").append(newLeader).append(" in ").append(seconds(total));
        if (oldLeader == null) {
            b.append(" (the cluster had no leader when it was asked: writes were unavailable before that)");
        } else if (promoted != null && demoteStarted != null && !promoted.isBefore(demoteStarted)) {
            b.append("; writes were unavailable for ").append(seconds(Duration.between(demoteStarted, promoted)));
        } else if (promoted != null) {
            // Without the old leader's record: at least the new leader's own change (from noticing the leader key
            // gone to promoted), at most the time since the request (writes cannot have stopped before it).
            double least = change(newStatus, requestedAt).path("duration_seconds").asDouble(0);
            b.append("; writes were unavailable for ").append(String.format(Locale.ROOT, "%.2f", least));
            if (!promoted.isBefore(requestedAt)) {
                b.append("-").append(seconds(Duration.between(requestedAt, promoted)).replace(" s", ""));
            }
            b.append(" s (").append(oldLeader).append(" did not report when it stopped writes)");
        } else {
            b.append(" (").append(newLeader)
                    .append(" does not report role-change timings, so the write outage is not known)");
        }
        return b.toString();
    }

    /**
     * The lines of a refusal: the node's sentence, then one line per member with its reason. When the node gave no
     * reasons (Patroni's answer is one sentence), agentctl adds what it can tell from etcd: tags, state, lag.
     */
    public static List<String> refusal(String body, ClusterView v, List<String> candidates) {
        List<String> lines = new ArrayList<>();
        for (String l : body.strip().split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        if (lines.size() > 1 || !body.contains("no good candidates")) {
            return lines;
        }
        long lsn = v.lastLsn();
        long maxLag = v.dynamic().maximumLagOnFailover();
        for (Member m : v.members()) {
            if (m.name().equals(v.leaderName()) || (!candidates.isEmpty() && !candidates.contains(m.name()))) {
                continue;
            }
            List<String> why = new ArrayList<>();
            if (m.nofailover()) {
                why.add("tagged nofailover");
            }
            if (!"running".equals(m.state())) {
                why.add("state " + m.state());
            }
            if (m.xlogLocation() != null && lsn - m.xlogLocation() > maxLag) {
                why.add("lag " + (lsn - m.xlogLocation()) + " bytes > maximum_lag_on_failover " + maxLag);
            }
            if (m.xlogLocation() == null) {
                why.add("publishes no WAL position");
            }
            lines.add(m.name() + ": " + (why.isEmpty() ? "not eligible (the node gave no reason)"
                    : String.join(", ", why)));
        }
        return lines;
    }

    /**
     * True when the status document has nothing more to say about this change: no role-change records at all
     * (Patroni), or a record of a change since the request that has completed.
     */
    public static boolean settled(JsonNode status, Instant requestedAt) {
        if (status == null || !status.path("last_role_change").isObject()) {
            return true;
        }
        JsonNode c = change(status, requestedAt);
        return c != null && time(c, "completed_at") != null;
    }

    /** The record of a change that began after the request (minus clock skew), else null. */
    static JsonNode change(JsonNode status, Instant requestedAt) {
        if (status == null) {
            return null;
        }
        JsonNode c = status.path("last_role_change");
        if (!c.isObject()) {
            return null;
        }
        Instant started = time(c, "started_at");
        return started != null && !started.isBefore(requestedAt.minus(SKEW)) ? c : null;
    }

    static Instant time(JsonNode node, String field) {
        if (node == null || !node.hasNonNull(field)) {
            return null;
        }
        String s = node.get(field).asText();
        try {
            return OffsetDateTime.parse(s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + "T"
                    + s.substring(11) : s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asText() : null;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }
}
