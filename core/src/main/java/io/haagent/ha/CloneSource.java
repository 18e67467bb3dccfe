package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import java.util.List;

/**
 * The one clone-source rule (Patroni's {@code get_clone_member}, §3.11), for a new replica's bootstrap and for
 * POST /reinitialize alike: a running {@code clonefrom} member other than us and the leader, else the leader.
 * Patroni picks among the {@code clonefrom} members at random to spread the load; we pick by our name's hash,
 * which spreads it as well and keeps the choice a function of its input (the same node asks the same member
 * every time, and a replayed decision picks what the original did).
 */
public final class CloneSource {
    private CloneSource() {
    }

    /**
     * @return the member to clone from, the leader's member when no {@code clonefrom} member qualifies, or null
     *         when neither exists (no leader, or a leader key naming no member)
     */
    public static Member pick(ClusterView cluster, String me) {
        List<Member> candidates = cluster.members().stream()
                .filter(m -> m.tags().clonefrom() && m.isRunning() && !m.name().equals(me)
                        && !m.name().equals(cluster.leaderName()))
                .toList();
        if (!candidates.isEmpty()) {
            return candidates.get(Math.floorMod(me.hashCode(), candidates.size()));
        }
        if (cluster.isUnlocked()) {
            return null;
        }
        return cluster.leaderMember().orElse(null);
    }
}
