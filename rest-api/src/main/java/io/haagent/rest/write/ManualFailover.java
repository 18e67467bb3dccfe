package io.haagent.rest.write;

import io.haagent.api.CandidateCheck;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /failover} and {@code POST /switchover} (§2.6): validation in Patroni 3.3's order with its
 * messages, the choice of members to probe, and how the outcome is read from the cluster afterwards.
 */
public final class ManualFailover {
    public static final String FAILOVER = "failover";
    public static final String SWITCHOVER = "switchover";
    private static final List<String> FIELDS = List.of("leader", "candidate", "member", "scheduled_at");

    private ManualFailover() {
    }

    /** A validated request: {@code action} is {@code switchover} when a leader was named. */
    public record Intent(String action, String leader, String candidate, OffsetDateTime scheduledAt) {
        public String title() {
            return Character.toUpperCase(action.charAt(0)) + action.substring(1);
        }
    }

    /** Which members to probe, or the 412 message when the request cannot work whatever they answer. */
    public record Probe(List<Member> members, String refusal) {
    }

    /** Steps 1-5 of §2.6 and the field checks; throws {@link ApiError} with the first problem. */
    public static Intent validate(String requested, Map<String, Object> body, ClusterView cluster, Instant now) {
        String leader = RequestBody.optionalString(body, "leader", "the current leader's member name");
        String candidate = RequestBody.optionalString(body, "candidate", "the member to promote");
        if (candidate == null) {
            candidate = RequestBody.optionalString(body, "member", "the member to promote");
        }
        Object scheduledRaw = body.get("scheduled_at");
        boolean scheduled = scheduledRaw != null && !"".equals(scheduledRaw);
        boolean paused = cluster.isPaused();
        String action = requested;

        if (FAILOVER.equals(action) && candidate == null) {
            throw ApiError.badRequest("Failover could be performed only to a specific candidate");
        }
        if (SWITCHOVER.equals(action) && leader == null) {
            throw ApiError.badRequest("Switchover could be performed only from a specific leader");
        }
        OffsetDateTime at = null;
        if (scheduled) {
            if (FAILOVER.equals(action)) {
                throw ApiError.badRequest("Failover can't be scheduled");
            }
            if (paused) {
                throw ApiError.badRequest("Can't schedule switchover in the paused state");
            }
            at = Schedule.parse(scheduledRaw, "scheduled_at", action, now);
        }
        if (paused && candidate == null) {
            throw ApiError.badRequest("Switchover is possible only to a specific candidate in a paused state");
        }
        if (FAILOVER.equals(action) && leader != null) {
            // Patroni 3.3: a failover naming the leader is a switchover.
            action = SWITCHOVER;
        }
        if (leader != null && leader.equals(candidate)) {
            throw ApiError.badRequest("Switchover target and source are the same");
        }
        RequestBody.rejectUnknown(body, action, FIELDS);
        return new Intent(action, leader, candidate, at);
    }

    /** Step 6 before any member is asked: name checks against the cluster and the set of members to probe. */
    public static Probe probe(Intent intent, ClusterView cluster) {
        boolean syncMode = cluster.dynamic().synchronousModeEffective();
        String leaderName = cluster.leaderName();
        if (intent.leader() != null && !intent.leader().equals(leaderName)) {
            return new Probe(List.of(), "leader name does not match");
        }
        List<Member> members = new ArrayList<>();
        if (intent.candidate() != null) {
            if (SWITCHOVER.equals(intent.action()) && syncMode && !cluster.sync().matches(intent.candidate())) {
                return new Probe(List.of(), "candidate name does not match with sync_standby");
            }
            cluster.member(intent.candidate()).ifPresent(members::add);
            if (members.isEmpty()) {
                return new Probe(List.of(), "candidate does not exists");
            }
        } else if (syncMode) {
            for (Member m : cluster.members()) {
                if (cluster.sync().matches(m.name())) {
                    members.add(m);
                }
            }
            if (members.isEmpty()) {
                return new Probe(List.of(), intent.action() + " is not possible: can not find sync_standby");
            }
        } else {
            for (Member m : cluster.members()) {
                if (leaderName == null || (!m.name().equals(leaderName) && m.apiUrl() != null && !m.apiUrl().isEmpty())) {
                    members.add(m);
                }
            }
            if (members.isEmpty()) {
                return new Probe(List.of(),
                        intent.action() + " is not possible: cluster does not have members except leader");
            }
        }
        return new Probe(members, null);
    }

    /**
     * The 412 message when no probed member can take over: Patroni's sentence, then one line per member with the
     * reason it was rejected. Null when some member is eligible.
     */
    public static String refusal(Intent intent, List<CandidateCheck> checks) {
        if (checks.stream().anyMatch(CandidateCheck::eligible)) {
            return null;
        }
        StringBuilder b = new StringBuilder(intent.action()).append(" is not possible: no good candidates have been found");
        for (CandidateCheck c : checks) {
            b.append('\n').append(c.member()).append(": ")
                    .append(Objects.requireNonNullElse(c.reason(), "not eligible"));
        }
        return b.toString();
    }

    /** The final answer of an immediate failover/switchover, once the cluster shows one; null to keep polling. */
    public static Answer outcome(Intent intent, String oldLeader, ClusterView now) {
        String verb = SWITCHOVER.equals(intent.action()) ? "switch" : "fail";
        if (!now.isUnlocked() && !now.leaderName().equals(oldLeader)) {
            String winner = now.leaderName();
            if (intent.candidate() == null || intent.candidate().equals(winner)) {
                return new Answer(200, "Successfully " + verb + "ed over to \"" + winner + "\"");
            }
            return new Answer(200, Character.toUpperCase(verb.charAt(0)) + verb.substring(1) + "ed over to \""
                    + winner + "\" instead of \"" + intent.candidate() + "\"");
        }
        if (now.failover() == null) {
            return new Answer(503, intent.title() + " failed");
        }
        return null;
    }

    public static Answer unknown(Intent intent) {
        return new Answer(503, intent.title() + " status unknown");
    }
}
