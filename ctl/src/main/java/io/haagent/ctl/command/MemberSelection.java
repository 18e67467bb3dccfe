package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which members a command acts on (restart, reload, reinit, flush): patronictl's role filter
 * ({@code leader, primary, standby-leader, replica, standby, any, master}) and member names, every name checked.
 */
final class MemberSelection {
    static final Set<String> ROLES = Set.of("leader", "primary", "standby-leader", "replica", "standby", "any",
            "master");

    private MemberSelection() {
    }

    static String role(String given) {
        String r = given == null ? "any" : given.toLowerCase(Locale.ROOT);
        if (!ROLES.contains(r)) {
            throw new UsageException("--role '" + given + "' is not one of leader, primary, standby-leader, replica,"
                    + " standby, any, master");
        }
        return r;
    }

    /** Members with the role (patronictl's get_all_members for one cluster). */
    static List<Member> withRole(ClusterView v, String role) {
        String leader = v.leaderName();
        List<Member> out = new ArrayList<>();
        switch (role) {
            case "leader", "master", "primary", "standby-leader" -> {
                if (leader == null) {
                    return out;
                }
                Member m = v.member(leader).orElse(null);
                if (m == null) {
                    return out;
                }
                boolean standby = "standby_leader".equals(m.role());
                if (role.equals("leader") || (role.equals("standby-leader") && standby)
                        || ((role.equals("master") || role.equals("primary")) && !standby)) {
                    out.add(m);
                }
            }
            case "replica", "standby" -> v.members().stream().filter(m -> !m.name().equals(leader)).forEach(out::add);
            default -> out.addAll(v.members());
        }
        return out;
    }

    /**
     * The named members, each of which must exist and have the role; all members with the role when none is named.
     */
    static List<Member> select(ClusterView v, String cluster, List<String> names, String role) {
        List<Member> candidates = withRole(v, role);
        if (names == null || names.isEmpty()) {
            if (candidates.isEmpty()) {
                throw new CtlException("cluster " + cluster + " has no " + (role.equals("any") ? "" : role + " ")
                        + "members");
            }
            return candidates;
        }
        List<Member> out = new ArrayList<>();
        for (String n : names) {
            Member m = v.member(n).orElseThrow(() -> new CtlException(n + " is not a member of cluster " + cluster
                    + " (members: " + String.join(", ", v.members().stream().map(Member::name).toList()) + ")"));
            if (!candidates.contains(m)) {
                throw new CtlException(n + " is not a " + role + " (" + n + " is "
                        + (n.equals(v.leaderName()) ? "the leader" : "a replica") + ")");
            }
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        return out;
    }

    static String names(List<Member> members) {
        return String.join(", ", members.stream().map(Member::name).toList());
    }
}
