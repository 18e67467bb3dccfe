package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The rules of a pending switchover or manual failover request that {@link Election} applies (§3.4): which member
 * stepped down and what WAL it left, whether it is gone, and why a named candidate may not take over yet. Pure, like
 * the election: peers' answers come through {@code peer}, which asks the caller to fetch them when they are missing
 * ({@link Election.PeersRequired}).
 */
final class FailoverRequestRules {
    private final HaInput in;
    private final ClusterView cluster;
    private final Function<String, PeerStatus> peer;

    FailoverRequestRules(HaInput in, Function<String, PeerStatus> peer) {
        this.in = in;
        this.cluster = in.cluster();
        this.peer = peer;
    }

    private PeerStatus peer(String name) {
        return peer.apply(name);
    }

    private long myWalPosition() {
        return in.local().walPosition();
    }

    private boolean syncModeActive() {
        return cluster.isSyncModeActive();
    }

    /**
     * Why the named candidate of a manual failover may not take over yet: another member still answers as a running
     * primary. Patroni's candidate takes over without asking (its leader steps down first, as a rule); a former
     * leader that never saw the request and does not step down would go on accepting writes beside it. One cut off
     * from etcd steps down, in pause too, where Patroni's does not (differences.md; seeds 2592 and 8617); this
     * check stays for a primary that answers and still runs (its agent slow to step down, or a primary an operator
     * started by hand in pause). The request waits until that primary stops or steps down. Asks the members last
     * known as well as the current ones, as the leader race does.
     *
     * @return null when no other member answers as a primary
     */
    String primaryStillAlive() {
        Map<String, Member> known = new LinkedHashMap<>();
        for (Member m : in.memory().lastKnownMembers()) {
            known.put(m.name(), m); // a member key that expired while its node was cut off from etcd too
        }
        for (Member m : cluster.members()) {
            known.put(m.name(), m);
        }
        String former = cluster.failover().leader();
        for (Member m : known.values()) {
            // (a switchover's former leader answers as a primary until its graceful stop ends: it is stepping down)
            if (!m.name().equals(in.name()) && !m.name().equals(former) && m.apiUrl() != null && !m.apiUrl().isBlank()) {
                PeerStatus st = peer(m.name());
                if (st.reachable() && !st.inRecovery()) {
                    return "Primary (" + m.name() + ") is still alive";
                }
            }
        }
        return null;
    }

    /**
     * Why the named candidate of a manual failover may not take over in synchronous mode: another synchronous standby
     * (a quorum voter) answers with a WAL position ahead of its own. That standby may hold commits the primary
     * acknowledged on its confirmation alone (ANY k, or a standby the candidate did not replace); Patroni promotes the
     * named candidate whatever it lacks. The former leader is left to {@link #behindFormerLeader}. The other
     * standbys, once the former leader is gone, take the candidate's place (see {@link Election#manualFailoverNoLeader}).
     *
     * @return null when no synchronous standby is ahead of {@code name}
     */
    String voterAhead(String name, long walPosition) {
        if (!syncModeActive() || cluster.isPaused()) {
            return null;
        }
        for (Member m : cluster.members()) {
            if (m.name().equals(name) || m.name().equalsIgnoreCase(cluster.sync().leader())
                    || m.name().equals(formerLeader()) || !cluster.sync().leaderOrStandby(m.name())) {
                continue;
            }
            PeerStatus st = peer(m.name());
            if (st.reachable() && st.inRecovery() && st.walPosition() > walPosition) {
                return "Wal position of " + m.name() + " (" + st.walPosition() + ") is ahead of my wal position ("
                        + walPosition + "): it may hold commits acknowledged by synchronous replication";
            }
        }
        return null;
    }

    /**
     * This node is the former leader of the request, the one that holds the WAL it left and takes the lock back if no
     * other member can take over without losing it. For a failover request (no leader named) the sync key's leader is
     * that leader only while the cluster's last position is not beyond its own: a quorum-commit primary promotes on
     * the key it found and names itself in it only a cycle later, as Patroni's does, so a primary that steps down (a
     * failover requested at once) leaves the key naming the leader before it, which lacks the new primary's last WAL
     * and, taking the lock "back", promoted without commits the new primary's standby had confirmed (simulator seed
     * 7125, --faults all).
     */
    boolean formerLeaderIsMe() {
        FailoverRequest failover = cluster.failover();
        return in.name().equals(formerLeader())
                && (failover.isSwitchover() || myWalPosition() >= cluster.lastLsn());
    }

    /**
     * A switchover whose leader is gone (its agent does not answer, frozen or dead): it cannot step down gracefully,
     * and the request is a failover in all but name, so its named candidate is held to maximum_lag_on_failover as an
     * automatic failover's candidates are. Patroni promotes a switchover's named candidate whatever it lacks; its
     * leader checks the candidate when it steps down, but one frozen when patronictl fell back to writing the key never
     * did, and a candidate whose replication had stalled promoted 97 kB behind the last published position beyond a
     * 64 kB maximum_lag_on_failover (simulator seed 14118, --faults all). The other members then race as in any manual
     * failover without a usable candidate.
     */
    boolean abandonedSwitchover() {
        FailoverRequest failover = cluster.failover();
        return failover.isSwitchover() && !failover.leader().equals(in.name()) && !peer(failover.leader()).reachable();
    }

    /** The former leader of the request is not there to hold its WAL: none known, or its agent does not answer. */
    boolean formerLeaderGone() {
        String former = formerLeader();
        return former == null || !former.equals(in.name()) && !peer(former).reachable();
    }

    /**
     * The WAL a switchover must not lose: the last position of the former leader as etcd holds it (the shutdown
     * checkpoint a graceful step-down writes when it releases the lock), or 0 for a failover.
     */
    long switchoverLsn() {
        return formerLeader() != null ? cluster.lastLsn() : 0;
    }

    /**
     * The leader a manual failover or switchover moves the primary from: the request's leader, or for a failover
     * request without one in synchronous mode the leader of the sync key (a failover requested while that leader runs
     * is done by its graceful step-down, like a switchover: its last WAL, which the synchronous standbys confirmed,
     * must not be lost by a named candidate that was not streaming when it stopped). Null for a failover in
     * asynchronous mode, where the documented window of loss applies.
     */
    String formerLeader() {
        FailoverRequest failover = cluster.failover();
        if (failover == null) {
            return null;
        }
        if (failover.isSwitchover()) {
            return failover.leader();
        }
        return syncModeActive() && cluster.sync().leader() != null ? cluster.sync().leader() : null;
    }

    /**
     * Why {@code name} may not take over from a switchover's former leader: a switchover is lossless (its step-down
     * waits for the connected standbys to receive all WAL), but a member that was not streaming when the old
     * primary stopped (restarted at that moment, say) lacks the end of it. While the former leader's agent answers,
     * it holds that WAL and takes the lock back rather than lose it (Patroni promotes the named candidate whatever it
     * lacks). A former leader that does not answer is gone: the usual rules apply, as for a failover. In pause the
     * operator moves the primary, and nobody takes a lock back: the rule does not apply.
     *
     * @return null when {@code name} may take over as far as this rule goes
     */
    String behindFormerLeader(String name, long walPosition) {
        FailoverRequest failover = cluster.failover();
        long lsn = switchoverLsn();
        String former = formerLeader();
        if (lsn <= 0 || walPosition >= lsn || name.equals(former) || cluster.isPaused()) {
            return null;
        }
        if (!former.equals(in.name()) && !peer(former).reachable()) {
            return null;
        }
        return "behind " + former + "'s last position " + lsn + " by " + (lsn - walPosition)
                + " bytes of WAL (at " + walPosition + "), which " + former + " still holds ("
                + (failover.isSwitchover() ? "switchover" : "failover") + ")";
    }
}
