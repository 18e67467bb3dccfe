package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.DynamicConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Could a member take over from the leader now (Patroni's {@code is_failover_possible} per candidate)? One rule
 * set, used by the leader before it steps down and by the REST API to say, per member, why a switchover or
 * failover is refused.
 */
public final class FailoverCandidates {

    /** One member's verdict; {@code reason} is null when it may take over. */
    public record Verdict(String member, boolean eligible, String reason) {
    }

    private FailoverCandidates() {
    }

    public static List<Verdict> check(ClusterView cluster, List<Member> members, Map<String, PeerStatus> peers) {
        List<Verdict> out = new ArrayList<>();
        for (Member m : members) {
            if (m.nofailover()) {
                out.add(new Verdict(m.name(), false, "not allowed to promote"));
                continue;
            }
            PeerStatus st = peers.getOrDefault(m.name(), PeerStatus.unreachable(m.name(), "not asked"));
            if (m.name().equals(cluster.leaderName())) {
                // The leader itself (POST /failover naming it): only Patroni's failover_limitation applies; its lag
                // behind its own last position means nothing (a primary reports no replay position). The request is
                // written, and the leader clears it ("I am already the leader", ha.py), which the caller sees as
                // "Failover failed", as with Patroni.
                String limitation = st.failoverLimitation();
                out.add(new Verdict(m.name(), limitation == null, limitation));
                continue;
            }
            String why = rejection(cluster, st, 0);
            out.add(new Verdict(m.name(), why == null, why));
        }
        return out;
    }

    /**
     * Why this peer cannot take over, or null.
     *
     * @param clusterLsn when > 0 the peer must have reached this position (a graceful demote's shutdown checkpoint);
     *                   otherwise its lag behind the leader's last position must be within maximum_lag_on_failover
     */
    static String rejection(ClusterView cluster, PeerStatus st, long clusterLsn) {
        DynamicConfig cfg = cluster.dynamic();
        String limitation = st.failoverLimitation();
        if (limitation != null) {
            return limitation;
        }
        if (clusterLsn > 0) {
            if (st.walPosition() < clusterLsn) {
                return "WAL position " + st.walPosition() + " has not reached " + clusterLsn;
            }
        } else if (cluster.lastLsn() - st.walPosition() > cfg.maximumLagOnFailover()) {
            return "lags " + (cluster.lastLsn() - st.walPosition()) + " bytes behind the leader, more than"
                    + " maximum_lag_on_failover " + cfg.maximumLagOnFailover();
        }
        long clusterTl = cluster.timeline();
        if (cfg.checkTimeline() && (st.timeline() == 0 || st.timeline() < clusterTl)) {
            return "timeline " + st.timeline() + " is behind the cluster timeline " + clusterTl;
        }
        return null;
    }
}
