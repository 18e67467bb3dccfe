package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.Tags;
import io.haagent.config.DynamicConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may lead (§3.4): the healthiest-node rules, manual failover without a leader, and whether a failover is
 * possible at all. Pure: peers' answers come from the input; when they are needed and missing,
 * {@link PeersRequired} asks the caller to fetch them and decide again.
 *
 * <p>Safety rule 3: a replica promotes only after the leader key is gone, it is the healthiest eligible node,
 * and it holds the key. These rules decide "healthiest eligible"; the lock decides the rest.
 */
final class Election {
    private final HaInput in;
    private final ClusterView cluster;
    private final DynamicConfig config;
    private final List<RoleChangeRecord.Candidate> considered = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** The rules of a pending switchover or manual failover request (who stepped down, what it left). */
    private final FailoverRequestRules request;

    Election(HaInput in) {
        this.in = in;
        this.cluster = in.cluster();
        this.config = cluster.dynamic();
        this.request = new FailoverRequestRules(in, this::peer);
    }

    /** Signals that a rule needs the peers' {@code /patroni} answers. */
    static final class PeersRequired extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PeersRequired() {
            super(null, null, false, false);
        }
    }

    List<RoleChangeRecord.Candidate> considered() {
        return List.copyOf(considered);
    }

    /** Why we were not chosen (log lines in Patroni's words), in the order found. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    private PeerStatus peer(String name) {
        if (in.peers() == null) {
            throw new PeersRequired();
        }
        PeerStatus st = in.peers().get(name);
        return st != null ? st : PeerStatus.unreachable(name, "not asked");
    }

    private long myWalPosition() {
        return in.local().walPosition();
    }

    private boolean syncModeActive() {
        return cluster.isSyncModeActive();
    }

    boolean isLagging(long walPosition) {
        return cluster.lastLsn() - walPosition > config.maximumLagOnFailover();
    }

    /** Patroni's {@code _is_healthiest_node}. */
    boolean isHealthiest(List<Member> members, boolean checkLag) {
        String me = in.name();
        long mine = myWalPosition();
        boolean ok = true;
        if (checkLag && isLagging(mine)) {
            notes.add("My wal position exceeds maximum replication lag");
            self(false, "my WAL position " + mine + " is " + (cluster.lastLsn() - mine)
                    + " bytes behind the last known leader position, more than maximum_lag_on_failover "
                    + config.maximumLagOnFailover());
            return false;
        }
        if (!config.isStandbyCluster() && config.checkTimeline()) {
            long clusterTl = cluster.timeline();
            long myTl = in.local().timeline();
            if (myTl == 0) {
                notes.add("Can not figure out my timeline");
                self(false, "my timeline is unknown");
                return false;
            }
            if (myTl < clusterTl) {
                notes.add("My timeline " + myTl + " is behind last known cluster timeline " + clusterTl);
                self(false, "my timeline " + myTl + " is behind the cluster timeline " + clusterTl);
                return false;
            }
        }
        // Quorum commit (Patroni 4, §4.9): the leader and voters of the sync key hold every acknowledged commit in
        // any `quorum` of them; a candidate must have compared its position with that many voters (a voter not
        // ahead of it is a vote), or be the former leader with nobody ahead of it.
        boolean quorumMode = cluster.isQuorumCommitActive();
        int quorum = quorumMode ? cluster.sync().quorumOrZero() : 0;
        int votes = quorumMode && cluster.sync().leaderOrStandby(me) ? 0 : -1;
        int nodesAhead = 0;
        List<String> voters = new ArrayList<>();
        for (Member m : members) {
            boolean voter = quorumMode && cluster.sync().leaderOrStandby(m.name());
            if (m.name().equals(me) || m.nofailover() && !voter || m.apiUrl() == null || m.apiUrl().isBlank()) {
                if (!m.name().equals(me)) {
                    candidate(m, null, false, m.nofailover() ? "tagged nofailover" : "has no api_url");
                }
                continue;
            }
            PeerStatus st = peer(m.name());
            String limitation = st.failoverLimitation();
            if (limitation != null) {
                candidate(m, st, false, limitation);
                continue;
            }
            if (!st.inRecovery()) {
                notes.add("Primary (" + m.name() + ") is still alive");
                candidate(m, st, true, "still running as a primary");
                ok = false;
                continue;
            }
            if (st.timeline() > 0 && st.timeline() < cluster.timeline() && !config.isStandbyCluster()) {
                // a position on an older timeline is not ahead of ours: past the fork it is WAL the cluster's
                // history left behind (an old primary waiting for pg_rewind), and that member does not race
                // itself; deferring to it left nobody to promote (simulator seed 17080; Patroni compares the bare
                // positions)
                candidate(m, st, false, "timeline " + st.timeline() + " is behind the cluster timeline "
                        + cluster.timeline());
                continue;
            }
            boolean ahead = mine < st.walPosition();
            if (ahead) {
                nodesAhead++;
                if (!syncModeActive() || !m.name().equalsIgnoreCase(cluster.sync().leader())) {
                    notes.add("Wal position of " + m.name() + " is ahead of my wal position");
                    candidate(m, st, true, "WAL position " + st.walPosition() + " is ahead of mine (" + mine + ")");
                    ok = false;
                    continue;
                }
                notes.add("Ignoring the former leader being ahead of us");
            }
            if (!ahead && st.walPosition() > 0 && voter) {
                notes.add("Got quorum vote from " + m.name());
                votes++;
            }
            if (mine == st.walPosition() && in.self().failoverPriority() < st.failoverPriority()
                    && (!quorumMode || voter)) {
                notes.add(m.name() + " has equally tolerable WAL position and priority " + st.failoverPriority()
                        + ", while this node has priority " + in.self().failoverPriority());
                candidate(m, st, true, "same WAL position and higher failover_priority " + st.failoverPriority());
                ok = false;
                continue;
            }
            candidate(m, st, false, "behind me or lower priority");
        }
        if (ok && quorumMode && votes < quorum && !(nodesAhead == 0 && me.equalsIgnoreCase(cluster.sync().leader()))) {
            notes.add("Quorum requirement " + quorum + " can not be reached: " + Math.max(votes, 0) + " vote(s)");
            self(false, "compared its position with " + Math.max(votes, 0) + " voter(s), the quorum is " + quorum);
            return false;
        }
        self(ok, ok ? "healthiest eligible member" : "another member is a better candidate");
        return ok;
    }

    /**
     * Patroni's {@code is_failover_possible}: some other member may promote and is healthy enough.
     *
     * @param clusterLsn when > 0, candidates must have at least this WAL position (graceful demote)
     */
    boolean isFailoverPossible(long clusterLsn, boolean excludeCandidate) {
        FailoverRequest failover = cluster.failover();
        List<Member> candidates = failoverCandidates(excludeCandidate);
        int healthy = 0;
        for (Member m : candidates) {
            PeerStatus st = peer(m.name());
            String why = FailoverCandidates.rejection(cluster, st, clusterLsn);
            candidate(m, st, why == null, why == null ? "healthy" : why);
            healthy += why == null ? 1 : 0;
        }
        boolean possible = healthy > 0;
        // quorum commit: enough healthy voters must remain for a new leader to reach the quorum, unless a candidate
        // is named (Patroni 4's is_failover_possible)
        boolean named = failover != null && failover.candidate() != null && !excludeCandidate;
        if (possible && cluster.isQuorumCommitActive() && !named && healthy - 1 < cluster.sync().quorumOrZero()) {
            notes.add("Quorum requirement " + cluster.sync().quorumOrZero() + " can not be reached");
            possible = false;
        }
        if (candidates.isEmpty()) {
            notes.add(failover != null && failover.candidate() != null && syncModeActive()
                    ? "candidate " + failover.candidate() + " does not match with sync_standbys " + cluster.sync().syncStandbys()
                    : "candidates list is empty");
        }
        return possible;
    }

    /** Patroni's {@code get_failover_candidates}. */
    List<Member> failoverCandidates(boolean excludeCandidate) {
        FailoverRequest failover = cluster.failover();
        List<Member> out = new ArrayList<>();
        for (Member m : cluster.members()) {
            if (m.name().equals(in.name())) {
                continue;
            }
            if (excludeCandidate && failover != null && m.name().equals(failover.candidate())) {
                continue;
            }
            // In synchronous mode a failover (no leader named) may go to an async node; a switchover may not.
            if (syncModeActive() && !cluster.sync().matches(m.name()) && !(failover != null && failover.leader() == null)) {
                candidate(m, null, false, "not a synchronous standby");
                continue;
            }
            if (m.nofailover()) {
                candidate(m, null, false, "tagged nofailover");
                continue;
            }
            if (m.apiUrl() == null || m.apiUrl().isBlank()) {
                candidate(m, null, false, "has no api_url");
                continue;
            }
            if (failover != null && failover.candidate() != null && !m.name().equals(failover.candidate())) {
                continue;
            }
            out.add(m);
        }
        return out;
    }

    /**
     * Patroni's {@code manual_failover_process_no_leader}: the leader already stepped down for a manual
     * switchover or failover. Returns true (we should take over), false (we should not), or null (we are a
     * primary in pause and the named candidate is gone: clear the key and fall back to the normal rules).
     */
    Boolean manualFailoverNoLeader() {
        FailoverRequest failover = cluster.failover();
        String me = in.name();
        String behind = request.behindFormerLeader(me, myWalPosition());
        if (behind != null) {
            notes.add(behind);
            self(false, behind);
            return false;
        }
        if (failover.candidate() != null) {
            if (failover.candidate().equals(me)) {
                String alive = request.primaryStillAlive();
                if (alive == null) {
                    alive = request.voterAhead(me, myWalPosition());
                }
                if (alive == null && request.abandonedSwitchover() && isLagging(myWalPosition())) {
                    alive = "My wal position exceeds maximum replication lag, and the switchover's leader "
                            + failover.leader() + " is gone";
                }
                if (alive != null) {
                    notes.add(alive);
                    self(false, alive);
                    return false;
                }
                self(true, "named as the candidate of the manual " + (failover.isSwitchover() ? "switchover" : "failover"));
                return true;
            }
            if (cluster.isPaused()) {
                if (cluster.member(failover.candidate()).isEmpty() && in.local().primary()) {
                    notes.add("removing failover key because failover candidate is not running");
                    return null;
                }
                return false;
            }
            if (config.synchronousModeEffective() && !config.quorumCommit() && !cluster.sync().leaderOrStandby(me)) {
                self(false, "not a synchronous standby");
                return false;
            }
            var named = cluster.member(failover.candidate());
            if (named.isPresent()) {
                PeerStatus st = peer(named.get().name());
                String limitation = st.failoverLimitation();
                if (limitation == null && st.inRecovery() && st.walPosition() <= 0) {
                    // its GET /patroni has no xlog: postgres is not running there (an emptied data directory waiting
                    // for a base backup, say), and it waits for a leader rather than promote; Patroni reads such an
                    // answer as unreachable (a KeyError on 'xlog'). Deferring to it left nobody to promote (simulator
                    // seed 7125, --faults all: a reinitialize whose base backup failed).
                    limitation = "not running postgres (no WAL position)";
                }
                // Whether the candidate lacks the former leader's last WAL is the candidate's to say, from its own
                // reading (above), and the former leader's, which holds that WAL and takes the lock back (below):
                // the position the candidate's GET /patroni reports may be up to half a second old, from before the
                // old primary's last records reached it, and another replica that took over on it would take the
                // switchover from a candidate that has them (ManualFailoverIT in CI). The former leader asks once it
                // runs again as a standby, well after that.
                if (limitation == null && st.inRecovery() && request.abandonedSwitchover()
                        && isLagging(st.walPosition())) {
                    limitation = "lagging " + (cluster.lastLsn() - st.walPosition()) + " bytes behind the last leader"
                            + " position, more than maximum_lag_on_failover, and the switchover's leader is gone";
                }
                if (limitation == null && st.inRecovery() && request.formerLeaderIsMe()) {
                    limitation = request.behindFormerLeader(st.name(), st.walPosition());
                }
                if (limitation == null && st.inRecovery() && request.formerLeaderGone() && syncModeActive()
                        && cluster.sync().leaderOrStandby(me) && st.walPosition() < myWalPosition()) {
                    // the candidate's own rule (voterAhead) keeps it from promoting: take its place
                    limitation = "behind synchronous standby " + me + " (at " + st.walPosition() + ", " + me
                            + " at " + myWalPosition() + ")";
                }
                if (limitation == null) {
                    notes.add("to " + failover.candidate() + ", i am " + me);
                    return false;
                }
                notes.add("member " + failover.candidate() + " is " + limitation);
            }
            // the named candidate cannot take over: consider everybody
        } else if (cluster.isPaused()) {
            return false;
        }
        if (request.formerLeader() != null) {
            if (request.formerLeaderIsMe()) {
                // I was the leader: take it back only if nobody else can; after a switchover, nobody else can who
                // lacks WAL I stopped at (the shutdown checkpoint my release wrote as the cluster's last position)
                return !isFailoverPossible(request.switchoverLsn(), failover.candidate() != null);
            }
        }
        List<Member> members = new ArrayList<>();
        for (Member m : cluster.members()) {
            if (!m.name().equals(failover.leader())) {
                members.add(m);
            }
        }
        return isHealthiest(members, false);
    }

    /**
     * Patroni's {@code is_healthiest_node}, evaluated when nobody holds the lock.
     *
     * @param prePromoteBackoff we released the lock after a failed pre_promote less than ttl ago
     */
    boolean isHealthiestNode(boolean prePromoteBackoff) {
        String me = in.name();
        if (prePromoteBackoff) {
            notes.add("backoff: skip leader race after pre_promote script failure and releasing the lock voluntarily");
            self(false, "pre_promote failed less than ttl ago");
            return false;
        }
        FailoverRequest failover = cluster.failover();
        if (cluster.isPaused() && !in.self().nofailover() && failover != null && failover.scheduledAt() == null) {
            Boolean r = manualFailoverNoLeader();
            if (r != null) {
                return r;
            }
        }
        if (in.local().primary()) {
            // A stalled old primary must not retake the lock after another node promoted (new timeline), in pause
            // too: Patroni's paused primary takes it whatever its timeline, and the primary of the newer timeline,
            // its commits acknowledged by its synchronous standby, would then follow it (simulator seed 5313).
            long myTl = in.local().timeline();
            if (myTl < cluster.timeline()) {
                notes.add("My timeline " + myTl + " is behind last known cluster timeline " + cluster.timeline());
                self(false, "running as primary on timeline " + myTl + ", behind the cluster timeline " + cluster.timeline());
                return false;
            }
            if (cluster.isPaused()) {
                // in pause the leader is the healthiest only when initialize is unset or matches our sysid
                return cluster.initialize() == null || cluster.initialize().isEmpty()
                        || cluster.initialize().equals(in.local().systemId());
            }
            self(true, "running as primary");
            return true;
        }
        if (cluster.isPaused()) {
            self(false, "cluster is paused");
            return false;
        }
        if (in.self().nofailover()) {
            self(false, "tagged nofailover");
            return false;
        }
        if (failover != null) {
            if (failover.leader() != null && syncModeActive() && !cluster.sync().leaderOrStandby(me)) {
                self(false, "not a synchronous standby");
                return false;
            }
            return Boolean.TRUE.equals(manualFailoverNoLeader());
        }
        if (!in.self().watchdogHealthy()) {
            notes.add("Watchdog device is not usable");
            self(false, "watchdog required but not usable");
            return false;
        }
        Map<String, Member> all = new LinkedHashMap<>();
        for (Member m : in.memory().lastKnownMembers()) {
            all.put(m.name(), m);
        }
        if (config.failsafeMode() && cluster.failsafe() != null) {
            Map<String, String> fs = cluster.failsafe();
            if (!fs.isEmpty() && !fs.containsKey(me)) {
                self(false, "not listed in the failsafe key");
                return false;
            }
            fs.forEach((name, url) -> all.putIfAbsent(name, Member.builder(name).apiUrl(url).build()));
        }
        for (Member m : cluster.members()) {
            all.put(m.name(), m);
        }
        if (syncModeActive()) {
            // in quorum commit a node outside the voters may race too: it needs the voters' votes
            if (!config.quorumCommit() && !cluster.sync().leaderOrStandby(me)) {
                self(false, "not a synchronous standby");
                return false;
            }
            all.values().removeIf(m -> !cluster.sync().leaderOrStandby(m.name()));
        }
        return isHealthiest(new ArrayList<>(all.values()), true);
    }

    private void self(boolean eligible, String reason) {
        considered.removeIf(c -> c.name().equals(in.name()));
        long lag = Math.max(0, cluster.lastLsn() - myWalPosition());
        considered.add(0, new RoleChangeRecord.Candidate(in.name(), myWalPosition(), lag, in.local().timeline(),
                in.self().failoverPriority(), in.self().nofailover(), eligible, reason));
    }

    private void candidate(Member m, PeerStatus st, boolean better, String reason) {
        considered.removeIf(c -> c.name().equals(m.name()));
        Tags tags = st != null && st.tags() != null && !st.tags().isEmpty() ? st.tags() : m.tags();
        long wal = st != null ? st.walPosition() : (m.xlogLocation() == null ? 0 : m.xlogLocation());
        long tl = st != null ? st.timeline() : (m.timeline() == null ? 0 : m.timeline());
        considered.add(new RoleChangeRecord.Candidate(m.name(), wal, Math.max(0, cluster.lastLsn() - wal), tl,
                tags.failoverPriority(), tags.nofailover(), better, reason));
    }
}
