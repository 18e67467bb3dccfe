package io.haagent.ctl.handover;

import io.haagent.api.ScheduledTime;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/**
 * The checks agentctl makes before it asks a node for a switchover or failover, on one snapshot of the cluster,
 * each failing with one line that names the member and what is wrong. Pure: the command does the asking.
 */
public final class Handover {
    public static final String SWITCHOVER = "switchover";
    public static final String FAILOVER = "failover";

    private Handover() {
    }

    /** A switchover needs a leader; the one named (if any) must be it. @return the leader's name */
    public static String checkLeader(ClusterView v, String cluster, String named) {
        String leader = v.leaderName();
        if (leader == null) {
            throw new CtlException("cluster " + cluster + " has no leader: a switchover hands over from a running"
                    + " leader; to promote a replica now, use failover --candidate NAME");
        }
        if (named != null && !named.equals(leader)) {
            if (v.member(named).isEmpty()) {
                throw new CtlException(named + " is not a member of cluster " + cluster + " (members: "
                        + names(v.members()) + "); the leader is " + leader);
            }
            throw new CtlException(named + " is not the leader of cluster " + cluster + ": the leader is " + leader);
        }
        return leader;
    }

    /** Members that may be promoted: not the leader, not tagged nofailover. Sorted by name. */
    public static List<String> candidates(ClusterView v) {
        String leader = v.leaderName();
        return v.members().stream().filter(m -> !m.name().equals(leader) && !m.nofailover()).map(Member::name)
                .sorted().toList();
    }

    /** The named candidate must exist, not lead already, and be allowed to be promoted. */
    public static void checkCandidate(ClusterView v, String cluster, String action, String candidate) {
        String leader = v.leaderName();
        if (candidate.equals(leader)) {
            List<String> others = candidates(v);
            throw new CtlException(candidate + " is already the leader of cluster " + cluster + ": the " + action
                    + " target and source are the same" + (others.isEmpty() ? "" : "; candidates: "
                            + String.join(", ", others)));
        }
        Member m = v.member(candidate).orElseThrow(() -> new CtlException(candidate + " is not a member of cluster "
                + cluster + " (members: " + names(v.members()) + ")"));
        if (m.nofailover()) {
            throw new CtlException(candidate + " is tagged nofailover (tags: " + m.tags().values()
                    + ") and cannot be promoted");
        }
    }

    /** Nobody to hand over to: said before anything is asked. */
    public static void checkSomeoneCanTakeOver(ClusterView v, String cluster, String action) {
        if (!candidates(v).isEmpty()) {
            return;
        }
        List<Member> others = v.members().stream().filter(m -> !m.name().equals(v.leaderName())).toList();
        throw new CtlException("no candidates to " + action + " to in cluster " + cluster + ": "
                + (others.isEmpty() ? "it has no member besides the leader"
                        : "every other member is tagged nofailover (" + names(others) + ")"));
    }

    /**
     * {@code --scheduled}: null (or {@code now}) means now; otherwise an ISO 8601 time that carries its time zone
     * and lies in the future. Unlike patronictl we do not guess the zone: a switchover at the wrong hour is worse
     * than a refused command.
     */
    public static OffsetDateTime schedule(String text, String action, Instant now) {
        if (text == null || text.isBlank() || text.trim().toLowerCase(Locale.ROOT).equals("now")) {
            return null;
        }
        try {
            return ScheduledTime.parse(text.trim(), "scheduled_at", action, now);
        } catch (ScheduledTime.Invalid e) {
            throw new CtlException(switch (e.problem()) {
                case NO_TIME_ZONE -> "--scheduled '" + text + "' has no time zone: add one, e.g. " + text.trim()
                        + "+00:00 or " + text.trim() + "Z";
                case IN_THE_PAST -> "--scheduled '" + text + "' is in the past (it is now " + now + ")";
                case NOT_A_TIME -> "--scheduled '" + text + "' is not a time: give it in ISO 8601 with a time zone,"
                        + " e.g. 2024-05-01T10:00+02:00";
            });
        }
    }

    static String names(List<Member> members) {
        return String.join(", ", members.stream().map(Member::name).toList());
    }
}
