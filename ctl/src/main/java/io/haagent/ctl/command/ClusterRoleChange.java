package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Session;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Patroni 4.1's {@code change_cluster_role} ({@code demote-cluster}, {@code promote-cluster}): PATCH the leader's
 * {@code /config} with a {@code standby_cluster} section (or null), then watch, once a second, until the leader
 * key's member runs in the target role (and, for a demotion, the old leader runs again). The same messages as
 * patronictl; unlike it, the watch ends after {@code max(120 s, 4 * ttl)} with a non-zero exit.
 */
final class ClusterRoleChange {
    private ClusterRoleChange() {
    }

    /** @param standby the standby_cluster section to write; null to promote */
    static int run(Session session, String cluster, boolean force, Map<String, Object> standby) {
        boolean demote = standby != null;
        String action = demote ? "demot" : "promot";
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        Member leader = v.leaderMember().orElse(null);
        String leaderName = v.leaderName();
        if (leaderName == null || leader == null) {
            throw new CtlException("Cluster has no leader, " + action + "ion is not possible");
        }
        if (inTargetRole(leader, demote)) {
            throw new CtlException("Cluster is already in the required state");
        }
        session.out().println("Current cluster topology");
        Listing.print(session, cluster, store, v);
        if (!force) {
            session.prompts().confirm("Are you sure you want to " + action + "e " + cluster + " cluster?", "--force",
                    "Aborted cluster " + action + "ion");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("standby_cluster", standby);
        MemberApi.Reply r;
        try {
            r = session.api().send(leader, "PATCH", "config", body, session.apiTimeout());
        } catch (CtlException e) {
            throw new CtlException("Failed to " + action + "e " + cluster + " cluster: " + e.getMessage());
        }
        if (r.status() != 200) {
            throw new CtlException("Failed to " + action + "e " + cluster + " cluster: /config PATCH status code="
                    + r.status() + ", (" + r.body().strip() + ")");
        }
        long seconds = Math.max(120, 4L * v.dynamic().ttl());
        Instant end = session.clock().now().plusSeconds(seconds);
        while (true) {
            ClusterView now = store.read();
            Member current = now.leaderMember().orElse(null);
            String oldState = now.member(leaderName).map(Member::state).orElse(null);
            if (!now.isUnlocked() && current != null && inTargetRole(current, demote)
                    && "running".equals(current.state()) && (!demote || "running".equals(oldState))) {
                session.out().println(Listing.timestamp() + " cluster is successfully " + action + "ed");
                Listing.print(session, cluster, store, now);
                return 0;
            }
            List<String> parts = new ArrayList<>(List.of(Listing.timestamp() + " cluster is unlocked: "
                    + (now.isUnlocked() ? "True" : "False"), "leader role: " + (current == null ? "None"
                    : current.role()), "leader state: " + (current == null ? "None" : current.state())));
            if (demote && current != null && !leaderName.equals(current.name()) && oldState != null) {
                parts.add("previous leader state: '" + oldState + "'");
            }
            session.out().println(String.join(", ", parts));
            if (!session.clock().now().isBefore(end)) {
                Listing.print(session, cluster, store, now);
                throw new CtlException("the " + action + "ion of " + cluster + " did not finish within " + seconds
                        + " s (the configuration is written; check 'agentctl list' and the leader's log)");
            }
            HandoverCommand.pause(Duration.ofSeconds(1));
        }
    }

    /** The leader key's member as patronictl compares it: standby_leader, or a primary in either spelling. */
    private static boolean inTargetRole(Member leader, boolean demote) {
        return demote ? leader.roleEnum() == Role.STANDBY_LEADER : leader.roleEnum() == Role.PRIMARY;
    }
}
